using ZonCoin.Chaincode.SupplyChain.Tests.Support;
using static ZonCoin.Chaincode.SupplyChain.Tests.Support.Pharma;

namespace ZonCoin.Chaincode.SupplyChain.Tests;

/// <summary>Each action belongs to one organisation; every other caller is refused and the ledger stays as it was.</summary>
public sealed class RoleTests
{
    [Fact]
    public async Task Only_the_manufacturer_registers_batches_of_its_product()
    {
        var ledger = new PharmaLedger();
        await ledger.Ok(Manufacturer, "RegisterProduct", Vaccine, "Vaccine");
        Assert.Equal($"only PharmaMSP, the manufacturer of {Vaccine}, may register its batches; the caller is DistributorMSP",
            await ledger.Fails(Distributor, "RegisterBatch", Vaccine, "LOT1", Expiry, "1", Serials("SN1")));
        Assert.Contains("the caller is PharmaMSP2", await ledger.Fails(LookAlike, "RegisterBatch", Vaccine, "LOT1", Expiry, "1", Serials("SN1")));
        await ledger.Ok(Manufacturer, "RegisterBatch", Vaccine, "LOT1", Expiry, "1", Serials("SN1"));
    }

    [Fact]
    public async Task Only_the_manufacturer_recalls_even_when_another_org_holds_the_batch()
    {
        var ledger = await WithShipment();
        await ledger.Ok(Distributor, "AcceptShipment", "SHP1");
        Assert.Equal($"only PharmaMSP, the manufacturer of batch {Vaccine}/LOT1, may recall it; the caller is DistributorMSP",
            await ledger.Fails(Distributor, "RecallBatch", Vaccine, "LOT1", "we think so"));
        await ledger.Fails(Pharmacy, "RecallBatch", Vaccine, "LOT1", "we think so");
        await ledger.Ok(Manufacturer, "RecallBatch", Vaccine, "LOT1", "stability failure");
    }

    [Fact]
    public async Task Only_the_receiver_accepts_a_shipment()
    {
        var ledger = await WithShipment();
        Assert.Equal("only DistributorMSP, the receiver of shipment SHP1, may accept it; the caller is PharmacyMSP",
            await ledger.Fails(Pharmacy, "AcceptShipment", "SHP1"));
        Assert.Contains("the caller is PharmaMSP", await ledger.Fails(Manufacturer, "AcceptShipment", "SHP1"));
        await ledger.Ok(Distributor, "AcceptShipment", "SHP1");
    }

    [Fact]
    public async Task Only_the_current_custodian_ships_a_batch()
    {
        var ledger = await WithBatch();
        Assert.Equal($"only PharmaMSP, the custodian of batch {Vaccine}/LOT1, may ship it; the caller is DistributorMSP",
            await ledger.Fails(Distributor, "CreateShipment", "SHP1", Batches((Vaccine, "LOT1")), "PharmacyMSP", "2", "8", ""));

        await ledger.Ok(Manufacturer, "CreateShipment", "SHP1", Batches((Vaccine, "LOT1")), "DistributorMSP", "2", "8", "");
        await ledger.Ok(Distributor, "AcceptShipment", "SHP1");
        // Custody moved: the manufacturer no longer ships it, the distributor does.
        Assert.Contains("only DistributorMSP, the custodian", await ledger.Fails(Manufacturer, "CreateShipment", "SHP2", Batches((Vaccine, "LOT1")), "PharmacyMSP", "2", "8", ""));
        await ledger.Ok(Distributor, "CreateShipment", "SHP2", Batches((Vaccine, "LOT1")), "PharmacyMSP", "2", "8", "");
    }

    [Fact]
    public async Task Only_the_sender_or_receiver_records_readings()
    {
        var ledger = await WithShipment();
        Assert.Equal("only the sender PharmaMSP or the receiver DistributorMSP of shipment SHP1 may record its readings; the caller is PharmacyMSP",
            await ledger.Fails(Pharmacy, "RecordReading", "SHP1", "logger-1", "20", "2026-11-21T13:00:00Z"));
        Assert.False((await ledger.Ok(Pharmacy, "GetShipment", "SHP1")).GetProperty("violation").GetBoolean());
    }
}
