using System.Text.Json;
using ZonCoin.Chaincode.SupplyChain.Tests.Support;
using static ZonCoin.Chaincode.SupplyChain.Tests.Support.Pharma;

namespace ZonCoin.Chaincode.SupplyChain.Tests;

public sealed class PharmaFlowTests
{
    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    [Fact]
    public async Task Product_to_pharmacy_with_cold_chain_custody_provenance_and_recall()
    {
        var ledger = new PharmaLedger();

        var product = await ledger.Ok(Manufacturer, "RegisterProduct", Vaccine, "Vaccine 30 µg");
        Assert.Equal((Vaccine, "Vaccine 30 µg", "PharmaMSP", "product"),
            (product.GetProperty("gtin").GetString(), product.GetProperty("name").GetString(), product.GetProperty("manufacturer").GetString(), product.GetProperty("docType").GetString()));
        Assert.Equal("PharmaMSP", (await ledger.Ok(Pharmacy, "GetProduct", Vaccine)).GetProperty("manufacturer").GetString());

        var registeredAt = ledger.Now;
        var batch = await ledger.Ok(Manufacturer, "RegisterBatch", Vaccine, "LOT1", Expiry, "3", Serials("SN1", "SN2", "SN3"));
        Assert.Equal("active", batch.GetProperty("status").GetString());
        Assert.Equal("PharmaMSP", batch.GetProperty("custodian").GetString());
        Assert.Equal(3, batch.GetProperty("quantity").GetInt32());
        Assert.Equal(["SN1", "SN2", "SN3"], Strings(batch.GetProperty("serials")));

        var shipment = await ledger.Ok(Manufacturer, "CreateShipment", "SHP1", Batches((Vaccine, "LOT1")), "DistributorMSP", "2", "8", "HOLD-42");
        Assert.Equal(("PharmaMSP", "DistributorMSP", "in-transit", "HOLD-42", false),
            (shipment.GetProperty("from").GetString(), shipment.GetProperty("to").GetString(), shipment.GetProperty("status").GetString(),
             shipment.GetProperty("holdReference").GetString(), shipment.GetProperty("violation").GetBoolean()));
        Assert.Equal("in-transit", (await ledger.Ok(Pharmacy, "GetBatch", Vaccine, "LOT1")).GetProperty("status").GetString());
        Assert.Equal("in-transit", (await ledger.Ok(Pharmacy, "VerifySerial", "SN2")).GetProperty("status").GetString());

        var cold = await ledger.Ok(Manufacturer, "RecordReading", "SHP1", "logger-7", "5.5", "2026-11-21T13:00:00Z");
        Assert.True(cold.GetProperty("inRange").GetBoolean());
        Assert.Equal("ReadingRecorded", ledger.Events[^1].EventName);
        Assert.False((await ledger.Ok(Distributor, "GetShipment", "SHP1")).GetProperty("violation").GetBoolean());

        var warm = await ledger.Ok(Distributor, "RecordReading", "SHP1", "logger-7", "9.5", "2026-11-21T14:00:00Z");
        Assert.False(warm.GetProperty("inRange").GetBoolean());
        Assert.Equal("TemperatureViolation", ledger.Events[^1].EventName);
        using (var violationEvent = JsonDocument.Parse(ledger.Events[^1].Payload.Memory))
        {
            Assert.Equal(9.5m, violationEvent.RootElement.GetProperty("reading").GetProperty("temperatureC").GetDecimal());
            Assert.Equal(8m, violationEvent.RootElement.GetProperty("maxTempC").GetDecimal());
        }
        var flagged = await ledger.Ok(Distributor, "GetShipment", "SHP1");
        Assert.True(flagged.GetProperty("violation").GetBoolean());
        var recorded = Assert.Single(flagged.GetProperty("violations").EnumerateArray());
        Assert.Equal((9.5m, "2026-11-21T14:00:00Z"), (recorded.GetProperty("temperatureC").GetDecimal(), recorded.GetProperty("time").GetString()));

        // Recorded out of time order; returned by measurement time.
        await ledger.Ok(Distributor, "RecordReading", "SHP1", "logger-8", "-1", "2026-11-21T12:30:00Z");
        var readings = await ledger.Ok(Pharmacy, "GetReadings", "SHP1");
        Assert.Equal(["2026-11-21T12:30:00Z", "2026-11-21T13:00:00Z", "2026-11-21T14:00:00Z"],
            readings.EnumerateArray().Select(r => r.GetProperty("time").GetString()!).ToArray());
        Assert.Equal(2, (await ledger.Ok(Pharmacy, "GetShipment", "SHP1")).GetProperty("violations").GetArrayLength());

        var acceptedAt = ledger.Now;
        var accepted = await ledger.Ok(Distributor, "AcceptShipment", "SHP1");
        Assert.Equal("accepted", accepted.GetProperty("status").GetString());
        Assert.Equal("ShipmentAccepted", ledger.Events[^1].EventName);
        var received = await ledger.Ok(Pharmacy, "GetBatch", Vaccine, "LOT1");
        Assert.Equal(("DistributorMSP", "active"), (received.GetProperty("custodian").GetString(), received.GetProperty("status").GetString()));

        var provenance = await ledger.Ok(Pharmacy, "VerifySerial", "SN2");
        Assert.Equal((Vaccine, "Vaccine 30 µg", "LOT1", Expiry, "PharmaMSP", "active", "DistributorMSP"),
            (provenance.GetProperty("gtin").GetString(), provenance.GetProperty("productName").GetString(), provenance.GetProperty("lot").GetString(),
             provenance.GetProperty("expiry").GetString(), provenance.GetProperty("manufacturer").GetString(), provenance.GetProperty("status").GetString(),
             provenance.GetProperty("custodian").GetString()));
        var chain = provenance.GetProperty("custodyChain").EnumerateArray().ToList();
        Assert.Equal(2, chain.Count);
        Assert.Equal(("PharmaMSP", registeredAt.ToString("yyyy-MM-ddTHH:mm:ssZ")), (chain[0].GetProperty("mspId").GetString(), chain[0].GetProperty("since").GetString()));
        Assert.Equal(("DistributorMSP", acceptedAt.ToString("yyyy-MM-ddTHH:mm:ssZ"), "SHP1"),
            (chain[1].GetProperty("mspId").GetString(), chain[1].GetProperty("since").GetString(), chain[1].GetProperty("shipmentId").GetString()));
        Assert.Equal(["SHP1"], Strings(provenance.GetProperty("coldChainViolations")));

        // The distributor sends it on to the pharmacy.
        await ledger.Ok(Distributor, "CreateShipment", "SHP2", Batches((Vaccine, "LOT1")), "PharmacyMSP", "2", "8", "");
        await ledger.Ok(Pharmacy, "AcceptShipment", "SHP2");
        var atPharmacy = await ledger.Ok(Pharmacy, "VerifySerial", "SN3");
        Assert.Equal(["PharmaMSP", "DistributorMSP", "PharmacyMSP"],
            atPharmacy.GetProperty("custodyChain").EnumerateArray().Select(c => c.GetProperty("mspId").GetString()!).ToArray());
        Assert.Equal(["SHP1"], Strings(atPharmacy.GetProperty("coldChainViolations")));

        var recall = await ledger.Ok(Manufacturer, "RecallBatch", Vaccine, "LOT1", "temperature excursion in SHP1");
        Assert.Equal("recalled", recall.GetProperty("status").GetString());
        Assert.Equal("BatchRecalled", ledger.Events[^1].EventName);
        foreach (var serial in new[] { "SN1", "SN2", "SN3" })
        {
            var verified = await ledger.Ok(Pharmacy, "VerifySerial", serial);
            Assert.Equal(("recalled", "temperature excursion in SHP1"), (verified.GetProperty("status").GetString(), verified.GetProperty("recallReason").GetString()));
        }

        Assert.Equal(["ProductRegistered", "BatchRegistered", "ShipmentCreated", "ReadingRecorded", "TemperatureViolation", "TemperatureViolation",
                      "ShipmentAccepted", "ShipmentCreated", "ShipmentAccepted", "BatchRecalled"],
            ledger.Events.Select(e => e.EventName).ToArray());
    }

    [Fact]
    public async Task Every_document_carries_its_doc_type_and_serials_point_to_their_batch()
    {
        var ledger = await WithShipment();
        await ledger.Ok(Manufacturer, "RecordReading", "SHP1", "logger-1", "4", "2026-11-21T13:00:00Z");
        var docTypes = new List<string>();
        foreach (var value in ledger.State.Values.Where(v => v[0] == (byte)'{'))
        {
            using var doc = JsonDocument.Parse(value);
            docTypes.Add(doc.RootElement.GetProperty("docType").GetString()!);
        }
        Assert.Equal(["batch", "product", "reading", "serial", "serial", "serial", "shipment"], docTypes.Order(StringComparer.Ordinal).ToArray());
        using (var serial = JsonDocument.Parse(ledger.State["\0serial\0SN2\0"]))
        {
            Assert.Equal((Vaccine, "LOT1"), (serial.RootElement.GetProperty("gtin").GetString(), serial.RootElement.GetProperty("lot").GetString()));
        }
        Assert.Equal(["\0batch\0" + Vaccine + "\0LOT1\0", "\0custodian~batch\0PharmaMSP\0" + Vaccine + "\0LOT1\0", "\0product\0" + Vaccine + "\0"],
            ledger.State.Keys.Where(k => !k.StartsWith("\0serial", StringComparison.Ordinal) && !k.StartsWith("\0reading", StringComparison.Ordinal)
                && !k.StartsWith("\0shipment", StringComparison.Ordinal)).ToArray());
    }

    [Fact]
    public async Task A_serial_expires_relative_to_the_transaction_time_and_expired_batches_do_not_ship()
    {
        var ledger = new PharmaLedger();
        await ledger.Ok(Manufacturer, "RegisterProduct", Insulin, "Insulin pen");
        await ledger.Ok(Manufacturer, "RegisterBatch", Insulin, "L-SHORT", "2026-12-01T00:00:00Z", "1", Serials("X1"));
        Assert.Equal("active", (await ledger.Ok(Pharmacy, "VerifySerial", "X1")).GetProperty("status").GetString());
        Assert.False((await ledger.Ok(Pharmacy, "GetBatch", Insulin, "L-SHORT")).GetProperty("expired").GetBoolean());

        ledger.Now = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal("expired", (await ledger.Ok(Pharmacy, "VerifySerial", "X1")).GetProperty("status").GetString());
        Assert.True((await ledger.Ok(Pharmacy, "GetBatch", Insulin, "L-SHORT")).GetProperty("expired").GetBoolean());
        var message = await ledger.Fails(Manufacturer, "CreateShipment", "SHP9", Batches((Insulin, "L-SHORT")), "DistributorMSP", "2", "8", "");
        Assert.Equal($"batch {Insulin}/L-SHORT expired at 2026-12-01T00:00:00Z and cannot be shipped", message);

        // Recalled outranks expired.
        await ledger.Ok(Manufacturer, "RecallBatch", Insulin, "L-SHORT", "label error");
        Assert.Equal("recalled", (await ledger.Ok(Pharmacy, "VerifySerial", "X1")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_batch_recalled_in_transit_stays_recalled_when_accepted()
    {
        var ledger = await WithShipment();
        await ledger.Ok(Manufacturer, "RecallBatch", Vaccine, "LOT1", "contamination");
        await ledger.Ok(Distributor, "AcceptShipment", "SHP1");
        var batch = await ledger.Ok(Distributor, "GetBatch", Vaccine, "LOT1");
        Assert.Equal(("recalled", "DistributorMSP"), (batch.GetProperty("status").GetString(), batch.GetProperty("custodian").GetString()));
        Assert.False(batch.TryGetProperty("shipmentId", out _));
    }

    [Fact]
    public async Task A_shipment_carries_several_batches_and_custody_of_all_changes_on_acceptance()
    {
        var ledger = await WithBatch();
        await ledger.Ok(Manufacturer, "RegisterProduct", Insulin, "Insulin pen");
        await ledger.Ok(Manufacturer, "RegisterBatch", Insulin, "LOT9", Expiry, "2", Serials("I1", "I2"));
        await ledger.Ok(Manufacturer, "CreateShipment", "SHP1", Batches((Vaccine, "LOT1"), (Insulin, "LOT9")), "DistributorMSP", "-25", "-15", "");
        await ledger.Ok(Distributor, "AcceptShipment", "SHP1");
        Assert.Equal("DistributorMSP", (await ledger.Ok(Pharmacy, "VerifySerial", "SN1")).GetProperty("custodian").GetString());
        Assert.Equal("DistributorMSP", (await ledger.Ok(Pharmacy, "VerifySerial", "I2")).GetProperty("custodian").GetString());
        using var created = JsonDocument.Parse(ledger.Events.Single(e => e.EventName == "ShipmentCreated").Payload.Memory);
        Assert.Equal(2, created.RootElement.GetProperty("batches").GetArrayLength());
    }

    [Fact]
    public async Task The_metadata_lists_every_function_and_no_helper()
    {
        var (response, _) = await new PharmaLedger().Submit(Pharmacy, "org.hyperledger.fabric:GetMetadata");
        Assert.True(response.IsSuccess, response.Message);
        using var metadata = JsonDocument.Parse(response.Payload);
        var transactions = metadata.RootElement.GetProperty("contracts").GetProperty("SupplyChain").GetProperty("transactions")
            .EnumerateArray().Select(t => t.GetProperty("name").GetString()!).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["AcceptShipment", "CreateShipment", "GetBatch", "GetProduct", "GetReadings", "GetShipment", "QueryBatchesByCustodian",
                      "QueryBatchesByStatus", "QueryBatchesByStatusPage", "QueryShipmentsWithViolations", "RecallBatch", "RecordReading",
                      "RegisterBatch", "RegisterProduct", "VerifySerial"], transactions);
    }
}
