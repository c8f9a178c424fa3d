using System.Text.Json.Serialization;

namespace ZonCoin.Chaincode.Sample;

/// <summary>An asset on the ledger, stored as JSON under its id (the same field names as fabric-samples' asset-transfer-basic).</summary>
public sealed record Asset
{
    /// <summary>The asset id, also its ledger key.</summary>
    public required string ID { get; init; }

    /// <summary>Its colour.</summary>
    public required string Color { get; init; }

    /// <summary>Its size.</summary>
    public int Size { get; init; }

    /// <summary>Who owns it.</summary>
    public required string Owner { get; init; }

    /// <summary>What it is worth.</summary>
    public int AppraisedValue { get; init; }
}

/// <summary>One page of assets.</summary>
/// <param name="Assets">The page's assets in key order.</param>
/// <param name="FetchedRecordsCount">How many the peer fetched.</param>
/// <param name="Bookmark">Pass it back for the next page; empty after the last.</param>
public sealed record AssetPage(IReadOnlyList<Asset> Assets, int FetchedRecordsCount, string Bookmark);

/// <summary>One change of an asset, newest first.</summary>
/// <param name="TxId">The transaction that made it.</param>
/// <param name="Timestamp">When.</param>
/// <param name="IsDelete">True for a delete.</param>
/// <param name="Asset">The asset after the change; null for a delete.</param>
public sealed record AssetHistoryEntry(string TxId, DateTimeOffset Timestamp, bool IsDelete, Asset? Asset);

/// <summary>Who called.</summary>
/// <param name="MspId">The caller's MSP.</param>
/// <param name="Id">The caller's id, <c>x509::subject::issuer</c>.</param>
/// <param name="Role">The caller's <c>role</c> attribute, or null.</param>
public sealed record Caller(string MspId, string Id, string? Role);

/// <summary>One rich query result.</summary>
/// <param name="Key">The record's key.</param>
/// <param name="Value">The record as the peer returned it (UTF-8 text).</param>
public sealed record QueryRecord(string Key, string Value);

/// <summary>One page of rich query results.</summary>
/// <param name="Records">The page's records in the query's order.</param>
/// <param name="FetchedRecordsCount">How many the peer fetched.</param>
/// <param name="Bookmark">Pass it back for the next page.</param>
public sealed record QueryRecordPage(IReadOnlyList<QueryRecord> Records, int FetchedRecordsCount, string Bookmark);

/// <summary>The <c>TransferAsset</c> event's payload.</summary>
/// <param name="ID">The asset id.</param>
/// <param name="From">The previous owner.</param>
/// <param name="To">The new owner.</param>
public sealed record AssetTransferred(string ID, string From, string To);

/// <summary>
/// The JSON of the contract's state, events, arguments and results, generated at build time: the contract reads and
/// writes it without reflection, and the host registers it with <see cref="Contracts.ContractSerializer"/>, so the
/// natively compiled host needs no runtime code generation for it.
/// </summary>
[JsonSerializable(typeof(Asset))]
[JsonSerializable(typeof(AssetTransferred))]
[JsonSerializable(typeof(AssetPage))]
[JsonSerializable(typeof(List<Asset>))]
[JsonSerializable(typeof(List<QueryRecord>))]
[JsonSerializable(typeof(QueryRecordPage))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(List<AssetHistoryEntry>))]
[JsonSerializable(typeof(Caller))]
public sealed partial class SampleJson : JsonSerializerContext;
