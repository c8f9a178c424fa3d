using ZonCoin.Chaincode.SupplyChain.Tests.Support;
using static ZonCoin.Chaincode.SupplyChain.Tests.Support.Pharma;

namespace ZonCoin.Chaincode.SupplyChain.Tests;

/// <summary>Bad input and conflicting state fail with a clear message and write nothing.</summary>
public sealed class ValidationTests
{
    private const string Ship = "CreateShipment";
    private static readonly string Lot1 = Batches((Vaccine, "LOT1"));

    public static TheoryData<string, string[], string> ManufacturerCalls => new()
    {
        { "RegisterProduct", ["12345", "x"], "GTIN '12345' must be 14 digits (GTIN-14, pad shorter GTINs with leading zeros)" },
        { "RegisterProduct", ["0950600013435A", "x"], "GTIN '0950600013435A' must be 14 digits (GTIN-14, pad shorter GTINs with leading zeros)" },
        { "RegisterProduct", ["09506000134353", "x"], "GTIN 09506000134353 has a wrong check digit (expected 2)" },
        { "RegisterProduct", [Vaccine, "Other"], $"product {Vaccine} is already registered by PharmaMSP" },
        { "RegisterProduct", [Insulin, " "], "product name must not be empty" },
        { "GetProduct", [Unregistered], $"unknown product {Unregistered}" },
        { "RegisterBatch", [Unregistered, "L", Expiry, "1", "[\"Z1\"]"], $"unknown product {Unregistered}" },
        { "RegisterBatch", [Vaccine, "LOT1", Expiry, "1", "[\"Z1\"]"], $"batch {Vaccine}/LOT1 is already registered" },
        { "RegisterBatch", [Vaccine, "LOT2", Expiry, "2", "[\"Z1\",\"Z2\",\"Z3\"]"], "quantity 2 does not match the 3 serial numbers given" },
        { "RegisterBatch", [Vaccine, "LOT2", Expiry, "three", "[\"Z1\"]"], "quantity 'three' must be a decimal integer from 1 to 2147483647" },
        { "RegisterBatch", [Vaccine, "LOT2", Expiry, "-1", "[\"Z1\"]"], "quantity '-1' must be a decimal integer from 1 to 2147483647" },
        { "RegisterBatch", [Vaccine, "LOT2", Expiry, "2", "[\"Z1\",\"Z1\"]"], "serial Z1 appears twice in the batch" },
        { "RegisterBatch", [Vaccine, "LOT2", Expiry, "2", "[\"Z1\",\"SN2\"]"], $"serial SN2 is already registered in batch {Vaccine}/LOT1" },
        { "RegisterBatch", [Vaccine, "LOT2", Expiry, "1", "Z1"], "serials is not valid JSON" },
        { "RegisterBatch", [Vaccine, "LOT2", Expiry, "1", "[]"], "serials must be a non-empty JSON array of strings" },
        { "RegisterBatch", [Vaccine, "LOT2", Expiry, "1", "[7]"], "serials must be strings, found 7" },
        { "RegisterBatch", [Vaccine, "LOT2", Expiry, "1", "[\"has space\"]"], "serial 'has space' must be 1 to 20 characters" },
        { "RegisterBatch", [Vaccine, "LOT-WAY-TOO-LONG-FOR-GS1", Expiry, "1", "[\"Z1\"]"], "lot 'LOT-WAY-TOO-LONG-FOR-GS1' must be 1 to 20 characters" },
        { "RegisterBatch", [Vaccine, "LOT2", "2027-06-30", "1", "[\"Z1\"]"], "expiry '2027-06-30' is not an ISO-8601 UTC time like 2026-11-21T12:00:00Z" },
        { "RegisterBatch", [Vaccine, "LOT2", "2027-06-30T00:00:00+02:00", "1", "[\"Z1\"]"], "expiry '2027-06-30T00:00:00+02:00' is not an ISO-8601 UTC time" },
        { "RegisterBatch", [Vaccine, "LOT2", "2026-11-01T00:00:00Z", "1", "[\"Z1\"]"], "expiry 2026-11-01T00:00:00Z is not after the transaction's time" },
        { "GetBatch", [Vaccine, "NOPE"], $"unknown batch {Vaccine}/NOPE" },
        { Ship, ["SHP1", Lot1, "DistributorMSP", "8", "2", ""], "minTempC 8 is above maxTempC 2" },
        { Ship, ["SHP1", Lot1, "DistributorMSP", "cold", "8", ""], "minTempC 'cold' is not a decimal temperature in °C like 7.5" },
        { Ship, ["SHP1", Lot1, "DistributorMSP", "2,5", "8", ""], "minTempC '2,5' is not a decimal temperature" },
        { Ship, ["SHP1", Lot1, "DistributorMSP", "-300", "8", ""], "minTempC -300 °C is outside -273.15 to 1000 °C" },
        { Ship, ["SHP1", Lot1, "PharmaMSP", "2", "8", ""], "a shipment must go to another organisation; PharmaMSP is the sender" },
        { Ship, ["SHP1", Lot1, "", "2", "8", ""], "receiving MSP ID must not be empty" },
        { Ship, ["", Lot1, "DistributorMSP", "2", "8", ""], "shipment id must not be empty" },
        { Ship, ["SHP1", "[]", "DistributorMSP", "2", "8", ""], "batches must be a non-empty JSON array" },
        { Ship, ["SHP1", "[{\"gtin\":\"" + Vaccine + "\"}]", "DistributorMSP", "2", "8", ""], "each batch must be {\"gtin\":\"…\",\"lot\":\"…\"}" },
        { Ship, ["SHP1", Batches((Vaccine, "LOT1"), (Vaccine, "LOT1")), "DistributorMSP", "2", "8", ""], $"batch {Vaccine}/LOT1 appears twice in the shipment" },
        { Ship, ["SHP1", Batches((Vaccine, "LOT7")), "DistributorMSP", "2", "8", ""], $"unknown batch {Vaccine}/LOT7" },
        { Ship, ["SHP1", Batches((Unregistered, "LOT1")), "DistributorMSP", "2", "8", ""], $"unknown batch {Unregistered}/LOT1" },
        { "AcceptShipment", ["SHP404"], "unknown shipment SHP404" },
        { "GetShipment", ["SHP404"], "unknown shipment SHP404" },
        { "GetReadings", ["SHP404"], "unknown shipment SHP404" },
        { "RecordReading", ["SHP404", "logger-1", "5", "2026-11-21T13:00:00Z"], "unknown shipment SHP404" },
        { "VerifySerial", ["FAKE123"], "unknown serial FAKE123: no batch on this ledger has it (do not dispense; possibly counterfeit)" },
        { "RecallBatch", [Vaccine, "LOT1", ""], "recall reason must not be empty" },
        { "RecallBatch", [Vaccine, "NOPE", "x"], $"unknown batch {Vaccine}/NOPE" },
        { "QueryBatchesByStatus", ["lost", ""], "status 'lost' must be active, in-transit or recalled" },
        { "QueryBatchesByStatus", ["active", "soon"], "expiringBefore 'soon' is not an ISO-8601 UTC time" },
        { "QueryBatchesByStatusPage", ["active", "0", ""], "pageSize '0' must be a decimal integer from 1 to 1000" },
        { "QueryBatchesByStatusPage", ["active", "1001", ""], "pageSize '1001' must be a decimal integer from 1 to 1000" },
        { "NoSuchFunction", [], "You've asked to invoke a function that does not exist: NoSuchFunction" },
    };

    [Theory]
    [MemberData(nameof(ManufacturerCalls))]
    public async Task Bad_input_fails_with_a_clear_message_and_writes_nothing(string function, string[] args, string expected)
    {
        var ledger = await WithBatch();
        var message = await ledger.Fails(Manufacturer, function, args);
        Assert.StartsWith(expected, message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("warm", "2026-11-21T13:00:00Z", "temperatureC 'warm' is not a decimal temperature in °C like 7.5")]
    [InlineData("5", "yesterday", "reading time 'yesterday' is not an ISO-8601 UTC time like 2026-11-21T12:00:00Z")]
    [InlineData("5", "2026-11-21 13:00:00", "reading time '2026-11-21 13:00:00' is not an ISO-8601 UTC time")]
    [InlineData("5", "2026-02-30T13:00:00Z", "reading time '2026-02-30T13:00:00Z' is not an ISO-8601 UTC time")]
    public async Task A_bad_reading_is_refused(string temperature, string time, string expected)
    {
        var ledger = await WithShipment();
        Assert.StartsWith(expected, await ledger.Fails(Distributor, "RecordReading", "SHP1", "logger-1", temperature, time), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_recalled_batch_cannot_be_shipped_or_recalled_again()
    {
        var ledger = await WithBatch();
        await ledger.Ok(Manufacturer, "RecallBatch", Vaccine, "LOT1", "contamination");
        Assert.Equal($"batch {Vaccine}/LOT1 is recalled (contamination) and cannot be shipped",
            await ledger.Fails(Manufacturer, Ship, "SHP1", Lot1, "DistributorMSP", "2", "8", ""));
        Assert.StartsWith($"batch {Vaccine}/LOT1 was already recalled at ", await ledger.Fails(Manufacturer, "RecallBatch", Vaccine, "LOT1", "again"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_batch_in_transit_cannot_be_shipped_again_and_shipment_ids_are_unique()
    {
        var ledger = await WithShipment();
        Assert.Equal($"batch {Vaccine}/LOT1 is already in transit in shipment SHP1",
            await ledger.Fails(Manufacturer, Ship, "SHP2", Lot1, "PharmacyMSP", "2", "8", ""));
        Assert.Equal("shipment SHP1 already exists", await ledger.Fails(Manufacturer, Ship, "SHP1", Lot1, "PharmacyMSP", "2", "8", ""));
    }

    [Fact]
    public async Task A_shipment_is_accepted_once()
    {
        var ledger = await WithShipment();
        await ledger.Ok(Distributor, "AcceptShipment", "SHP1");
        Assert.StartsWith("shipment SHP1 was already accepted at 2026-11-21T12:0", await ledger.Fails(Distributor, "AcceptShipment", "SHP1"), StringComparison.Ordinal);
        Assert.Equal(2, (await ledger.Ok(Distributor, "VerifySerial", "SN1")).GetProperty("custodyChain").GetArrayLength());
    }

    [Fact]
    public async Task A_failed_batch_registration_leaves_no_serial_behind()
    {
        var ledger = await WithBatch();
        // Z1 and Z2 are new, SN3 is taken: nothing of the batch may be written.
        await ledger.Fails(Manufacturer, "RegisterBatch", Vaccine, "LOT2", Expiry, "3", Serials("Z1", "Z2", "SN3"));
        await ledger.Ok(Manufacturer, "RegisterBatch", Vaccine, "LOT3", Expiry, "2", Serials("Z1", "Z2"));
        Assert.Equal("LOT3", (await ledger.Ok(Pharmacy, "VerifySerial", "Z1")).GetProperty("lot").GetString());
    }
}
