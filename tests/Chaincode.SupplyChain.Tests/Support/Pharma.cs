using System.Text.Json;

namespace ZonCoin.Chaincode.SupplyChain.Tests.Support;

/// <summary>The organisations and products of the tests, and shortcuts to set up a ledger.</summary>
internal static class Pharma
{
    /// <summary>GS1's example GTIN (check digit 2).</summary>
    public const string Vaccine = "09506000134352";

    /// <summary>A second valid GTIN-14 (EAN-13 4006381333931, check digit 1).</summary>
    public const string Insulin = "04006381333931";

    /// <summary>A valid GTIN-14 nobody registers (UPC-A 012345678905).</summary>
    public const string Unregistered = "00012345678905";

    public const string Expiry = "2027-06-30T00:00:00Z";

    public static readonly TestIdentity Manufacturer = TestIdentity.Create("PharmaMSP");

    public static readonly TestIdentity Distributor = TestIdentity.Create("DistributorMSP");

    public static readonly TestIdentity Pharmacy = TestIdentity.Create("PharmacyMSP");

    /// <summary>An MSP ID that starts with the manufacturer's: index lookups must not mix them up.</summary>
    public static readonly TestIdentity LookAlike = TestIdentity.Create("PharmaMSP2");

    public static string Serials(params string[] serials) => JsonSerializer.Serialize(serials);

    public static string Batches(params (string Gtin, string Lot)[] batches) =>
        JsonSerializer.Serialize(batches.Select(b => new { gtin = b.Gtin, lot = b.Lot }));

    /// <summary>A ledger with the vaccine registered by the manufacturer and batch LOT1 (serials SN1..SN3).</summary>
    public static async Task<PharmaLedger> WithBatch()
    {
        var ledger = new PharmaLedger();
        await ledger.Ok(Manufacturer, "RegisterProduct", Vaccine, "Vaccine 30 µg");
        await ledger.Ok(Manufacturer, "RegisterBatch", Vaccine, "LOT1", Expiry, "3", Serials("SN1", "SN2", "SN3"));
        return ledger;
    }

    /// <summary><see cref="WithBatch"/> plus shipment SHP1 of LOT1 to the distributor, 2–8 °C.</summary>
    public static async Task<PharmaLedger> WithShipment()
    {
        var ledger = await WithBatch();
        await ledger.Ok(Manufacturer, "CreateShipment", "SHP1", Batches((Vaccine, "LOT1")), Distributor.MspId, "2", "8", "");
        return ledger;
    }
}
