using System.Text.Json;
using ZonCoin.Chaincode.SupplyChain.Tests.Support;
using static ZonCoin.Chaincode.SupplyChain.Tests.Support.Pharma;

namespace ZonCoin.Chaincode.SupplyChain.Tests;

public sealed class QueryTests
{
    private static string[] Lots(JsonElement batches) => [.. batches.EnumerateArray().Select(b => b.GetProperty("lot").GetString()!)];

    /// <summary>Three vaccine batches (expiring in 2027-03, 2027-01 and 2028-01) and one insulin batch recalled.</summary>
    private static async Task<PharmaLedger> Stocked()
    {
        var ledger = new PharmaLedger();
        await ledger.Ok(Manufacturer, "RegisterProduct", Vaccine, "Vaccine");
        await ledger.Ok(Manufacturer, "RegisterProduct", Insulin, "Insulin pen");
        await ledger.Ok(Manufacturer, "RegisterBatch", Vaccine, "MAR", "2027-03-01T00:00:00Z", "1", Serials("M1"));
        await ledger.Ok(Manufacturer, "RegisterBatch", Vaccine, "JAN", "2027-01-01T00:00:00Z", "1", Serials("J1"));
        await ledger.Ok(Manufacturer, "RegisterBatch", Vaccine, "NEXTYEAR", "2028-01-01T00:00:00Z", "1", Serials("N1"));
        await ledger.Ok(Manufacturer, "RegisterBatch", Insulin, "BAD", "2027-02-01T00:00:00Z", "1", Serials("B1"));
        await ledger.Ok(Manufacturer, "RecallBatch", Insulin, "BAD", "sterility");
        return ledger;
    }

    [Fact]
    public async Task Batches_by_custodian_come_from_the_composite_key_index_and_follow_custody()
    {
        var ledger = await Stocked();
        await ledger.Ok(LookAlike, "RegisterProduct", Unregistered, "Look-alike");
        await ledger.Ok(LookAlike, "RegisterBatch", Unregistered, "LA", Expiry, "1", Serials("LA1"));

        // Index order: GTIN, then lot (the insulin GTIN sorts first).
        Assert.Equal(["BAD", "JAN", "MAR", "NEXTYEAR"], Lots(await ledger.Ok(Pharmacy, "QueryBatchesByCustodian", "PharmaMSP")));
        Assert.Equal(["LA"], Lots(await ledger.Ok(Pharmacy, "QueryBatchesByCustodian", "PharmaMSP2")));
        Assert.Empty((await ledger.Ok(Pharmacy, "QueryBatchesByCustodian", "DistributorMSP")).EnumerateArray());

        await ledger.Ok(Manufacturer, "CreateShipment", "SHP1", Batches((Vaccine, "JAN"), (Vaccine, "MAR")), "DistributorMSP", "2", "8", "");
        // In transit the sender still holds custody.
        Assert.Equal(4, (await ledger.Ok(Pharmacy, "QueryBatchesByCustodian", "PharmaMSP")).GetArrayLength());
        await ledger.Ok(Distributor, "AcceptShipment", "SHP1");
        Assert.Equal(["BAD", "NEXTYEAR"], Lots(await ledger.Ok(Pharmacy, "QueryBatchesByCustodian", "PharmaMSP")));
        var held = await ledger.Ok(Pharmacy, "QueryBatchesByCustodian", "DistributorMSP");
        Assert.Equal(["JAN", "MAR"], Lots(held));
        Assert.All(held.EnumerateArray(), b => Assert.Equal("DistributorMSP", b.GetProperty("custodian").GetString()));
        Assert.Empty(ledger.Queries);
    }

    [Theory]
    [InlineData("QueryBatchesByStatus", new[] { "active", "2027-06-01T00:00:00Z" })]
    [InlineData("QueryBatchesByStatusPage", new[] { "active", "10", "" })]
    [InlineData("QueryShipmentsWithViolations", new string[0])]
    public async Task On_a_sqlite_peer_rich_queries_fail_with_a_clear_error(string function, string[] args)
    {
        var ledger = await Stocked();
        ledger.RichQueries = false;
        var message = await ledger.Fails(Pharmacy, function, args);
        Assert.Equal($"{function} needs a peer with the PostgreSQL state database (rich queries); this peer's state database does not support them", message);
        Assert.Single(ledger.Queries);
    }

    [Theory]
    [InlineData("rich queries (GetQueryResult) need the PostgreSQL state database; this peer runs SQLite", true)]
    [InlineData("GET_QUERY_RESULT failed: transaction ID: 0a1b: ExecuteQuery not supported for sqlite: rich queries need PostgreSQL", true)]
    [InlineData("query iterator 7 does not exist or was closed", false)]
    public async Task Only_the_no_rich_query_errors_are_translated(string peerError, bool translated)
    {
        var ledger = await Stocked();
        ledger.QueryError = peerError;
        var message = await ledger.Fails(Pharmacy, "QueryShipmentsWithViolations");
        Assert.Equal(translated
            ? "QueryShipmentsWithViolations needs a peer with the PostgreSQL state database (rich queries); this peer's state database does not support them"
            : peerError, message);
    }

    [Fact]
    public async Task Batches_by_status_select_on_doc_type_status_and_expiry_and_sort_by_expiry()
    {
        var ledger = await Stocked();
        ledger.RichQueries = true;

        Assert.Equal(["JAN", "MAR"], Lots(await ledger.Ok(Pharmacy, "QueryBatchesByStatus", "active", "2027-06-01T00:00:00Z")));
        Assert.Equal(["JAN", "MAR", "NEXTYEAR"], Lots(await ledger.Ok(Pharmacy, "QueryBatchesByStatus", "active", "")));
        Assert.Equal(["BAD"], Lots(await ledger.Ok(Pharmacy, "QueryBatchesByStatus", "recalled", "")));
        Assert.Empty((await ledger.Ok(Pharmacy, "QueryBatchesByStatus", "in-transit", "")).EnumerateArray());

        // The query as the peer sees it: every sort field is in the selector, every selector field in the declared index.
        using var query = JsonDocument.Parse(ledger.Queries[0]);
        var selector = query.RootElement.GetProperty("selector");
        Assert.Equal(["docType", "status", "expiry"], selector.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(("batch", "active", "2027-06-01T00:00:00Z"),
            (selector.GetProperty("docType").GetString(), selector.GetProperty("status").GetString(), selector.GetProperty("expiry").GetProperty("$lt").GetString()));
        Assert.Equal("asc", Assert.Single(query.RootElement.GetProperty("sort").EnumerateArray()).GetProperty("expiry").GetString());
        Assert.Equal(["_design/indexBatchStatusDoc", "indexBatchStatus"],
            query.RootElement.GetProperty("use_index").EnumerateArray().Select(e => e.GetString()!).ToArray());
    }

    [Fact]
    public async Task Batches_by_status_come_in_pages_with_a_bookmark()
    {
        var ledger = await Stocked();
        ledger.RichQueries = true;

        var first = await ledger.Ok(Pharmacy, "QueryBatchesByStatusPage", "active", "2", "");
        Assert.Equal(["JAN", "MAR"], Lots(first.GetProperty("records")));
        Assert.Equal(2, first.GetProperty("fetchedRecordsCount").GetInt32());
        var bookmark = first.GetProperty("bookmark").GetString()!;
        Assert.NotEmpty(bookmark);

        var second = await ledger.Ok(Pharmacy, "QueryBatchesByStatusPage", "active", "2", bookmark);
        Assert.Equal(["NEXTYEAR"], Lots(second.GetProperty("records")));
        Assert.Equal("", second.GetProperty("bookmark").GetString());
        Assert.Equal(1, second.GetProperty("fetchedRecordsCount").GetInt32());
    }

    [Fact]
    public async Task Shipments_with_violations_are_found_by_a_rich_query()
    {
        var ledger = await Stocked();
        await ledger.Ok(Manufacturer, "CreateShipment", "COOL", Batches((Vaccine, "JAN")), "DistributorMSP", "2", "8", "");
        await ledger.Ok(Manufacturer, "CreateShipment", "HOT", Batches((Vaccine, "MAR")), "PharmacyMSP", "2", "8", "");
        await ledger.Ok(Manufacturer, "RecordReading", "COOL", "s1", "4", "2026-11-21T13:00:00Z");
        await ledger.Ok(Manufacturer, "RecordReading", "HOT", "s2", "8.1", "2026-11-21T13:00:00Z");
        ledger.RichQueries = true;

        var found = await ledger.Ok(Pharmacy, "QueryShipmentsWithViolations");
        Assert.Equal(["HOT"], found.EnumerateArray().Select(s => s.GetProperty("shipmentId").GetString()!).ToArray());
        using var query = JsonDocument.Parse(ledger.Queries[^1]);
        Assert.Equal("""{"docType":"shipment","violation":true}""", query.RootElement.GetProperty("selector").GetRawText());
    }

    [Fact]
    public async Task Boundary_readings_are_in_range()
    {
        var ledger = await WithShipment();
        Assert.True((await ledger.Ok(Distributor, "RecordReading", "SHP1", "s", "2", "2026-11-21T13:00:00Z")).GetProperty("inRange").GetBoolean());
        Assert.True((await ledger.Ok(Distributor, "RecordReading", "SHP1", "s", "8.0", "2026-11-21T13:01:00Z")).GetProperty("inRange").GetBoolean());
        Assert.False((await ledger.Ok(Distributor, "RecordReading", "SHP1", "s", "1.99", "2026-11-21T13:02:00Z")).GetProperty("inRange").GetBoolean());
        Assert.Equal(3, (await ledger.Ok(Distributor, "GetReadings", "SHP1")).GetArrayLength());
        Assert.Single((await ledger.Ok(Distributor, "GetShipment", "SHP1")).GetProperty("violations").EnumerateArray());
    }
}
