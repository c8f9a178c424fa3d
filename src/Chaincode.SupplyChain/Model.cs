using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace ZonCoin.Chaincode.SupplyChain;

/// <summary>The <c>docType</c> values and batch/shipment statuses stored on the ledger.</summary>
public static class DocTypes
{
    /// <summary>A product (<see cref="Product"/>).</summary>
    public const string Product = "product";

    /// <summary>A batch (<see cref="Batch"/>).</summary>
    public const string Batch = "batch";

    /// <summary>A serial number's pointer to its batch (<see cref="SerialRecord"/>).</summary>
    public const string Serial = "serial";

    /// <summary>A shipment (<see cref="Shipment"/>).</summary>
    public const string Shipment = "shipment";

    /// <summary>A sensor reading (<see cref="Reading"/>).</summary>
    public const string Reading = "reading";
}

/// <summary>Batch and shipment statuses.</summary>
public static class Statuses
{
    /// <summary>A batch in the hands of its custodian, free to ship.</summary>
    public const string Active = "active";

    /// <summary>A batch in a shipment not yet accepted; also the status of such a shipment.</summary>
    public const string InTransit = "in-transit";

    /// <summary>A batch its manufacturer recalled.</summary>
    public const string Recalled = "recalled";

    /// <summary>A batch past its expiry at the transaction's time (computed, never stored).</summary>
    public const string Expired = "expired";

    /// <summary>A shipment the receiver accepted.</summary>
    public const string Accepted = "accepted";
}

/// <summary>
/// JSON settings of the stored documents and results: camelCase, nulls left out. The documents' and events' metadata
/// is generated at build time (<see cref="SupplyChainJson"/>, what the natively compiled host runs); other types fall
/// back to reflection.
/// </summary>
internal static class Json
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        TypeInfoResolver = JsonTypeInfoResolver.Combine(SupplyChainJson.Default, new DefaultJsonTypeInfoResolver()),
    };

    public static byte[] Bytes<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    public static string Text<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Read<T>(ReadOnlyMemory<byte> value) => JsonSerializer.Deserialize<T>(value.Span, Options)
        ?? throw new InvalidOperationException($"the ledger holds a null {typeof(T).Name}");
}

/// <summary>A trade item identified by its GTIN; the organisation that registered it is its manufacturer.</summary>
public sealed record Product
{
    /// <summary>Always <c>product</c>.</summary>
    public string DocType { get; init; } = DocTypes.Product;

    /// <summary>The GTIN-14.</summary>
    public required string Gtin { get; init; }

    /// <summary>The product's name.</summary>
    public required string Name { get; init; }

    /// <summary>The MSP ID of the manufacturer.</summary>
    public required string Manufacturer { get; init; }

    /// <summary>When it was registered (the transaction's timestamp).</summary>
    public required string RegisteredAt { get; init; }

    /// <summary>The registering transaction.</summary>
    public required string TxId { get; init; }
}

/// <summary>One step of a batch's chain of custody.</summary>
/// <param name="MspId">The organisation that took custody.</param>
/// <param name="Since">When (the transaction's timestamp).</param>
/// <param name="TxId">The transaction that gave it custody.</param>
/// <param name="ShipmentId">The shipment that brought the batch, or null for the manufacturer.</param>
public sealed record CustodyEntry(string MspId, string Since, string TxId, string? ShipmentId);

/// <summary>A lot of a product with its serial numbers, status and chain of custody.</summary>
public sealed record Batch
{
    /// <summary>Always <c>batch</c>.</summary>
    public string DocType { get; init; } = DocTypes.Batch;

    /// <summary>The product's GTIN-14.</summary>
    public required string Gtin { get; init; }

    /// <summary>The lot number (GS1 AI 10).</summary>
    public required string Lot { get; init; }

    /// <summary>Expiry, ISO-8601 UTC (<c>yyyy-MM-ddTHH:mm:ssZ</c>, so it sorts as text).</summary>
    public required string Expiry { get; init; }

    /// <summary>The number of units, equal to the number of serials.</summary>
    public required int Quantity { get; init; }

    /// <summary>The units' serial numbers (GS1 AI 21).</summary>
    public required IReadOnlyList<string> Serials { get; init; }

    /// <summary>The MSP ID of the product's manufacturer.</summary>
    public required string Manufacturer { get; init; }

    /// <summary>The MSP ID of the organisation holding the batch.</summary>
    public required string Custodian { get; init; }

    /// <summary><c>active</c>, <c>in-transit</c> or <c>recalled</c>.</summary>
    public required string Status { get; init; }

    /// <summary>The shipment carrying the batch while it is in transit.</summary>
    public string? ShipmentId { get; init; }

    /// <summary>Every custodian in order, the manufacturer first.</summary>
    public required IReadOnlyList<CustodyEntry> Custody { get; init; }

    /// <summary>Why it was recalled.</summary>
    public string? RecallReason { get; init; }

    /// <summary>When it was recalled.</summary>
    public string? RecalledAt { get; init; }

    /// <summary>Only in <c>GetBatch</c> results: whether the expiry is at or before the transaction's time.</summary>
    public bool? Expired { get; init; }
}

/// <summary>The ledger entry that makes a serial number unique and points to its batch.</summary>
/// <param name="DocType">Always <c>serial</c>.</param>
/// <param name="Serial">The serial number.</param>
/// <param name="Gtin">Its product.</param>
/// <param name="Lot">Its batch.</param>
public sealed record SerialRecord(string DocType, string Serial, string Gtin, string Lot);

/// <summary>A batch named in a shipment.</summary>
/// <param name="Gtin">The product's GTIN-14.</param>
/// <param name="Lot">The lot number.</param>
public sealed record BatchRef(string Gtin, string Lot);

/// <summary>A shipment of batches from their custodian to another organisation, with its allowed temperature range.</summary>
public sealed record Shipment
{
    /// <summary>Always <c>shipment</c>.</summary>
    public string DocType { get; init; } = DocTypes.Shipment;

    /// <summary>The shipment id.</summary>
    public required string ShipmentId { get; init; }

    /// <summary>The sending organisation (the batches' custodian).</summary>
    public required string From { get; init; }

    /// <summary>The receiving organisation.</summary>
    public required string To { get; init; }

    /// <summary>The batches shipped.</summary>
    public required IReadOnlyList<BatchRef> Batches { get; init; }

    /// <summary>The lowest allowed temperature, °C.</summary>
    public required decimal MinTempC { get; init; }

    /// <summary>The highest allowed temperature, °C.</summary>
    public required decimal MaxTempC { get; init; }

    /// <summary>A ZonCoin hold id securing payment, or empty.</summary>
    public required string HoldReference { get; init; }

    /// <summary><c>in-transit</c> or <c>accepted</c>.</summary>
    public required string Status { get; init; }

    /// <summary>When it was created.</summary>
    public required string CreatedAt { get; init; }

    /// <summary>When the receiver accepted it.</summary>
    public string? AcceptedAt { get; init; }

    /// <summary>True once any reading was out of range.</summary>
    public required bool Violation { get; init; }

    /// <summary>The out-of-range readings.</summary>
    public required IReadOnlyList<Reading> Violations { get; init; }
}

/// <summary>A temperature reading of a shipment's sensor.</summary>
public sealed record Reading
{
    /// <summary>Always <c>reading</c>.</summary>
    public string DocType { get; init; } = DocTypes.Reading;

    /// <summary>The shipment.</summary>
    public required string ShipmentId { get; init; }

    /// <summary>The sensor.</summary>
    public required string SensorId { get; init; }

    /// <summary>The temperature, °C.</summary>
    public required decimal TemperatureC { get; init; }

    /// <summary>When the sensor measured it.</summary>
    public required string Time { get; init; }

    /// <summary>False when outside the shipment's range.</summary>
    public required bool InRange { get; init; }

    /// <summary>The recording transaction.</summary>
    public required string TxId { get; init; }
}

/// <summary>What <c>VerifySerial</c> answers: where a unit comes from and whether it may be dispensed.</summary>
public sealed record Provenance
{
    /// <summary>The serial number.</summary>
    public required string Serial { get; init; }

    /// <summary>The product's GTIN-14.</summary>
    public required string Gtin { get; init; }

    /// <summary>The product's name.</summary>
    public required string ProductName { get; init; }

    /// <summary>The lot.</summary>
    public required string Lot { get; init; }

    /// <summary>The expiry.</summary>
    public required string Expiry { get; init; }

    /// <summary>The manufacturer's MSP ID.</summary>
    public required string Manufacturer { get; init; }

    /// <summary><c>recalled</c>, <c>expired</c>, <c>in-transit</c> or <c>active</c> (in that precedence).</summary>
    public required string Status { get; init; }

    /// <summary>The current custodian.</summary>
    public required string Custodian { get; init; }

    /// <summary>Every custodian in order with the time it took custody.</summary>
    public required IReadOnlyList<CustodyEntry> CustodyChain { get; init; }

    /// <summary>Shipments of this batch that had an out-of-range temperature reading.</summary>
    public required IReadOnlyList<string> ColdChainViolations { get; init; }

    /// <summary>The recall reason, when recalled.</summary>
    public string? RecallReason { get; init; }

    /// <summary>The transaction time the status is relative to.</summary>
    public required string CheckedAt { get; init; }
}

/// <summary>One page of a paginated query.</summary>
/// <param name="Records">The page's batches.</param>
/// <param name="Bookmark">Pass it back for the next page; empty after the last.</param>
/// <param name="FetchedRecordsCount">How many records the peer fetched.</param>
public sealed record BatchPage(IReadOnlyList<Batch> Records, string Bookmark, int FetchedRecordsCount);

/// <summary>Build-time JSON metadata of the supply chain's documents and results.</summary>
[JsonSerializable(typeof(Product))]
[JsonSerializable(typeof(Batch))]
[JsonSerializable(typeof(List<Batch>))]
[JsonSerializable(typeof(SerialRecord))]
[JsonSerializable(typeof(Shipment))]
[JsonSerializable(typeof(List<Shipment>))]
[JsonSerializable(typeof(Reading))]
[JsonSerializable(typeof(List<Reading>))]
[JsonSerializable(typeof(Provenance))]
[JsonSerializable(typeof(BatchPage))]
[JsonSerializable(typeof(BatchRegisteredEvent))]
[JsonSerializable(typeof(ShipmentCreatedEvent))]
[JsonSerializable(typeof(ShipmentAcceptedEvent))]
[JsonSerializable(typeof(TemperatureViolationEvent))]
[JsonSerializable(typeof(BatchRecalledEvent))]
internal sealed partial class SupplyChainJson : JsonSerializerContext;
