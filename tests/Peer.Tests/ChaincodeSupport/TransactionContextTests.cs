using System.Globalization;
using Google.Protobuf;
using ZonCoin.Ledger.History;
using ZonCoin.Ledger.State;
using ZonCoin.Peer.ChaincodeSupport;
using ZonCoin.Peer.Simulation;
using ZonCoin.Ledger.Tests.Support;
using ZonCoin.Peer.Tests.Support;
using ZonCoin.Protos.Ledger.QueryResult;
using ZonCoin.Protos.Ledger.Rwset;
using ZonCoin.Protos.Ledger.Rwset.Kvrwset;
using ZonCoin.Protos.Peer;
using StateVersion = ZonCoin.Ledger.State.Version;
using MessageType = ZonCoin.Protos.Peer.ChaincodeMessage.Types.Type;

namespace ZonCoin.Peer.Tests.ChaincodeSupport;

public abstract class TransactionContextTests : IDisposable
{
    private static readonly DateTimeOffset Block2Time = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private static readonly DateTimeOffset Block3Time = new(2026, 1, 3, 3, 4, 5, TimeSpan.Zero);

    private readonly TestStates _states;
    private readonly IStateDatabase _state;

    protected IStateDatabase State => _state;

    protected TransactionContextTests(TestStates states)
    {
        _states = states;
        _state = states.Open("state");
        var batch = new UpdateBatch();
        for (var i = 0; i < 250; i++)
        {
            batch.Put("cc", Key(i), System.Text.Encoding.UTF8.GetBytes($"v{i}"), new StateVersion(1, 0));
        }
        batch.Put("other", "k000", "secret"u8.ToArray(), new StateVersion(1, 0));
        _state.ApplyBlock(1, batch);

        var second = new UpdateBatch();
        second.Put("cc", "h", "one"u8.ToArray(), new StateVersion(2, 0));
        second.AddHistory("cc", "h", new HistoryEntry("tx-one", 2, 0, "one"u8.ToArray(), false, Block2Time));
        var metadata = new StateMetadataResult { Entries = { new StateMetadata { Metakey = "VALIDATION_PARAMETER", Value = ByteString.CopyFromUtf8("policy") } } };
        second.Put("cc", "m", "x"u8.ToArray(), new StateVersion(2, 0));
        second.PutMetadata("cc", "m", metadata.ToByteArray(), new StateVersion(2, 0));
        _state.ApplyBlock(2, second);

        var third = new UpdateBatch();
        third.Delete("cc", "h", new StateVersion(3, 0));
        third.AddHistory("cc", "h", new HistoryEntry("tx-two", 3, 0, ReadOnlyMemory<byte>.Empty, true, Block3Time));
        _state.ApplyBlock(3, third);
    }

    private static string Key(int i) => "k" + i.ToString("D3", CultureInfo.InvariantCulture);

    private protected TransactionContext Context(bool readOnly = false) => new("testchannel", "tx1", new SignedProposal(), new TxSimulator(_state), readOnly);

    protected static ChaincodeMessage Request(MessageType type, IMessage payload) => new() { Type = type, Payload = payload.ToByteString(), Txid = "tx1", ChannelId = "testchannel" };

    /// <summary>GET_STATE_BY_RANGE over [k, l) with the given query metadata.</summary>
    private static ChaincodeMessage RangeKToL(QueryMetadata metadata) =>
        Request(MessageType.GetStateByRange, new GetStateByRange { StartKey = "k", EndKey = "l", Metadata = metadata.ToByteString() });

    protected static QueryResponse Query(ByteString bytes) => QueryResponse.Parser.ParseFrom(bytes);

    protected static List<string> Keys(QueryResponse response) => [.. response.Results.Select(r => KV.Parser.ParseFrom(r.ResultBytes).Key)];

    [Fact]
    public void Get_put_and_delete_state_in_the_chaincode_namespace()
    {
        var context = Context();

        Assert.Equal("v1", context.Handle("cc", Request(MessageType.GetState, new GetState { Key = "k001" })).ToStringUtf8());
        Assert.True(context.Handle("cc", Request(MessageType.GetState, new GetState { Key = "nope" })).IsEmpty);
        Assert.True(context.Handle("cc", Request(MessageType.PutState, new PutState { Key = "new", Value = ByteString.CopyFromUtf8("1") })).IsEmpty);
        Assert.True(context.Handle("cc", Request(MessageType.DelState, new DelState { Key = "k002" })).IsEmpty);
        Assert.Throws<ChaincodeRequestException>(() => context.Handle("cc", Request(MessageType.PutState, new PutState { Key = "", Value = ByteString.CopyFromUtf8("1") })));

        var txRwSet = TxReadWriteSet.Parser.ParseFrom(context.Simulator.Results());
        var ns = Assert.Single(txRwSet.NsRwset);
        Assert.Equal("cc", ns.Namespace);
        var set = KVRWSet.Parser.ParseFrom(ns.Rwset);
        Assert.Equal(["k001", "nope"], set.Reads.Select(r => r.Key));
        Assert.Equal(["k002", "new"], set.Writes.Select(w => w.Key));
        Assert.True(set.Writes[0].IsDelete);
    }

    [Fact]
    public void Range_comes_in_batches_of_100_with_has_more()
    {
        var context = Context();
        var first = Query(context.Handle("cc", Request(MessageType.GetStateByRange, new GetStateByRange { StartKey = "k", EndKey = "l" })));
        Assert.Equal(100, first.Results.Count);
        Assert.True(first.HasMore);
        Assert.Equal(Key(0), Keys(first)[0]);
        var kv = KV.Parser.ParseFrom(first.Results[0].ResultBytes);
        Assert.Equal("cc", kv.Namespace);
        Assert.Equal("v0", kv.Value.ToStringUtf8());

        var second = Query(context.Handle("cc", Request(MessageType.QueryStateNext, new QueryStateNext { Id = first.Id })));
        Assert.Equal(Enumerable.Range(100, 100).Select(Key), Keys(second));
        Assert.True(second.HasMore);
        var third = Query(context.Handle("cc", Request(MessageType.QueryStateNext, new QueryStateNext { Id = first.Id })));
        Assert.Equal(Enumerable.Range(200, 50).Select(Key), Keys(third));
        Assert.False(third.HasMore);

        // The shim closes after exhaustion: closing an id the peer already dropped still succeeds.
        var closed = Query(context.Handle("cc", Request(MessageType.QueryStateClose, new QueryStateClose { Id = first.Id })));
        Assert.False(closed.HasMore);
        Assert.Equal(first.Id, closed.Id);

        var info = Assert.Single(KVRWSet.Parser.ParseFrom(TxReadWriteSet.Parser.ParseFrom(context.Simulator.Results()).NsRwset[0].Rwset).RangeQueriesInfo);
        Assert.True(info.ItrExhausted);
        Assert.Equal(250, info.RawReads.KvReads.Count);
    }

    [Fact]
    public void Range_end_is_exclusive_and_small_ranges_fit_one_batch()
    {
        var context = Context();
        var response = Query(context.Handle("cc", Request(MessageType.GetStateByRange, new GetStateByRange { StartKey = "k010", EndKey = "k013" })));
        Assert.Equal(["k010", "k011", "k012"], Keys(response));
        Assert.False(response.HasMore);
        Assert.True(response.Metadata.IsEmpty);
    }

    [Fact]
    public void Pagination_returns_pages_with_fetched_count_and_bookmark()
    {
        var context = Context(readOnly: true);
        var page1 = Query(context.Handle("cc", Request(MessageType.GetStateByRange, new GetStateByRange
        {
            StartKey = "k010",
            EndKey = "k015",
            Metadata = new QueryMetadata { PageSize = 3, Bookmark = "" }.ToByteString(),
        })));
        Assert.Equal(["k010", "k011", "k012"], Keys(page1));
        Assert.False(page1.HasMore);
        var meta1 = QueryResponseMetadata.Parser.ParseFrom(page1.Metadata);
        Assert.Equal(3, meta1.FetchedRecordsCount);
        Assert.Equal("k013", meta1.Bookmark);

        var page2 = Query(context.Handle("cc", Request(MessageType.GetStateByRange, new GetStateByRange
        {
            StartKey = "k010",
            EndKey = "k015",
            Metadata = new QueryMetadata { PageSize = 3, Bookmark = meta1.Bookmark }.ToByteString(),
        })));
        Assert.Equal(["k013", "k014"], Keys(page2));
        var meta2 = QueryResponseMetadata.Parser.ParseFrom(page2.Metadata);
        Assert.Equal(2, meta2.FetchedRecordsCount);
        Assert.Equal("", meta2.Bookmark);
    }

    [Fact]
    public void A_paginated_range_refuses_later_writes_and_a_write_refuses_later_paginated_ranges_with_Fabrics_text()
    {
        var paged = Context();
        var page = Query(paged.Handle("cc", RangeKToL(new QueryMetadata { PageSize = 1 })));
        Assert.Single(page.Results);
        foreach (var write in new[]
        {
            Request(MessageType.PutState, new PutState { Key = "a", Value = ByteString.CopyFromUtf8("1") }),
            Request(MessageType.DelState, new DelState { Key = "a" }),
            Request(MessageType.PutStateMetadata, new PutStateMetadata { Key = "a", Metadata = new StateMetadata { Metakey = "m", Value = ByteString.CopyFromUtf8("v") } }),
        })
        {
            var refused = Assert.Throws<ChaincodeRequestException>(() => paged.Handle("cc", write));
            Assert.Equal("txid [tx1]: unsuppored transaction. Transaction has already performed a paginated query. Writes are not allowed", refused.Message);
        }

        var writing = Context();
        writing.Handle("cc", Request(MessageType.PutState, new PutState { Key = "a", Value = ByteString.CopyFromUtf8("1") }));
        var paging = Assert.Throws<ChaincodeRequestException>(() => writing.Handle("cc", RangeKToL(new QueryMetadata { PageSize = 1 })));
        Assert.Equal("txid [tx1]: unsuppored transaction. Paginated queries are supported only in a read-only transaction", paging.Message);
        Assert.False(writing.Simulator.UsedPagination);
        Assert.False(writing.Simulator.Results().IsEmpty);
    }

    [Fact]
    public void Query_metadata_without_page_size_or_bookmark_is_an_ordinary_query_as_in_fabric()
    {
        var context = Context();
        var response = Query(context.Handle("cc", RangeKToL(new QueryMetadata())));
        Assert.Equal(TransactionContext.BatchSize, response.Results.Count);
        Assert.True(response.HasMore);
        Assert.True(response.Metadata.IsEmpty);
        Assert.False(context.Simulator.UsedPagination);
        context.Close();
    }

    [Fact]
    public void A_page_larger_than_a_batch_comes_whole_in_one_response_as_in_fabric()
    {
        var context = Context(readOnly: true);
        var page = Query(context.Handle("cc", Request(MessageType.GetStateByRange, new GetStateByRange
        {
            StartKey = "k",
            EndKey = "l",
            Metadata = new QueryMetadata { PageSize = 150 }.ToByteString(),
        })));
        Assert.Equal(150, page.Results.Count);
        Assert.False(page.HasMore);
        var meta = QueryResponseMetadata.Parser.ParseFrom(page.Metadata);
        Assert.Equal(150, meta.FetchedRecordsCount);
        Assert.Equal(Key(150), meta.Bookmark);
        Assert.Throws<ChaincodeRequestException>(() => context.Handle("cc", Request(MessageType.QueryStateNext, new QueryStateNext { Id = page.Id })));
    }

    [Fact]
    public void Closing_an_unknown_iterator_succeeds_and_next_on_it_fails()
    {
        var context = Context();
        var closed = Query(context.Handle("cc", Request(MessageType.QueryStateClose, new QueryStateClose { Id = "never-opened" })));
        Assert.False(closed.HasMore);
        Assert.Equal("never-opened", closed.Id);
        Assert.Throws<ChaincodeRequestException>(() => context.Handle("cc", Request(MessageType.QueryStateNext, new QueryStateNext { Id = "never-opened" })));
    }

    [Fact]
    public void History_returns_key_modifications_newest_first_with_timestamps()
    {
        var context = Context();
        var response = Query(context.Handle("cc", Request(MessageType.GetHistoryForKey, new GetHistoryForKey { Key = "h" })));
        var modifications = response.Results.Select(r => KeyModification.Parser.ParseFrom(r.ResultBytes)).ToList();

        Assert.Equal(["tx-two", "tx-one"], modifications.Select(m => m.TxId));
        Assert.True(modifications[0].IsDelete);
        Assert.True(modifications[0].Value.IsEmpty);
        Assert.Equal(Block3Time, modifications[0].Timestamp.ToDateTimeOffset());
        Assert.False(modifications[1].IsDelete);
        Assert.Equal("one", modifications[1].Value.ToStringUtf8());
        Assert.Equal(Block2Time, modifications[1].Timestamp.ToDateTimeOffset());
        Assert.False(response.HasMore);
    }

    [Fact]
    public void State_metadata_is_read_and_merged_on_write()
    {
        var context = Context();
        var metadata = StateMetadataResult.Parser.ParseFrom(context.Handle("cc", Request(MessageType.GetStateMetadata, new GetStateMetadata { Key = "m" })));
        Assert.Equal("VALIDATION_PARAMETER", Assert.Single(metadata.Entries).Metakey);
        Assert.Empty(StateMetadataResult.Parser.ParseFrom(context.Handle("cc", Request(MessageType.GetStateMetadata, new GetStateMetadata { Key = "m2" }))).Entries);

        context.Handle("cc", Request(MessageType.PutStateMetadata, new PutStateMetadata { Key = "m", Metadata = new StateMetadata { Metakey = "other", Value = ByteString.CopyFromUtf8("2") } }));

        var set = KVRWSet.Parser.ParseFrom(TxReadWriteSet.Parser.ParseFrom(context.Simulator.Results()).NsRwset[0].Rwset);
        Assert.Equal(["m", "m2"], set.Reads.Select(r => r.Key));
        Assert.Equal(2UL, set.Reads[0].Version.BlockNum);
        Assert.Null(set.Reads[1].Version);
        var write = Assert.Single(set.MetadataWrites);
        Assert.Equal("m", write.Key);
        Assert.Equal(["VALIDATION_PARAMETER", "other"], write.Entries.Select(e => e.Name));
        Assert.Equal("policy", write.Entries[0].Value.ToStringUtf8());
    }

    [Fact]
    public void Private_data_collections_are_refused()
    {
        var context = Context();
        Assert.Throws<ChaincodeRequestException>(() => context.Handle("cc", Request(MessageType.GetState, new GetState { Key = "k000", Collection = "private" })));
        Assert.Throws<ChaincodeRequestException>(() => context.Handle("cc", Request(MessageType.PutState, new PutState { Key = "k000", Collection = "private", Value = ByteString.CopyFromUtf8("1") })));
        Assert.Throws<ChaincodeRequestException>(() => context.Handle("cc", Request(MessageType.DelState, new DelState { Key = "k000", Collection = "private" })));
        Assert.Throws<ChaincodeRequestException>(() => context.Handle("cc", Request(MessageType.GetStateByRange, new GetStateByRange { StartKey = "a", Collection = "private" })));
        Assert.Throws<ChaincodeRequestException>(() => context.Handle("cc", Request(MessageType.GetPrivateDataHash, new GetState { Key = "k000", Collection = "private" })));
        Assert.Throws<ChaincodeRequestException>(() => context.Handle("cc", Request(MessageType.PurgePrivateData, new DelState { Key = "k000", Collection = "private" })));
        Assert.False(context.Simulator.HasWrites);
    }

    [Fact]
    public void Read_only_context_refuses_writes()
    {
        var context = Context(readOnly: true);
        Assert.Equal("v0", context.Handle("cc", Request(MessageType.GetState, new GetState { Key = "k000" })).ToStringUtf8());
        Assert.Throws<ChaincodeRequestException>(() => context.Handle("cc", Request(MessageType.PutState, new PutState { Key = "k", Value = ByteString.CopyFromUtf8("1") })));
        Assert.Throws<ChaincodeRequestException>(() => context.Handle("cc", Request(MessageType.DelState, new DelState { Key = "k000" })));
        Assert.Throws<ChaincodeRequestException>(() => context.Handle("cc", Request(MessageType.PutStateMetadata, new PutStateMetadata { Key = "m", Metadata = new StateMetadata { Metakey = "a" } })));
        Assert.False(context.Simulator.HasWrites);
    }

    [Fact]
    public void Malformed_payload_and_unknown_types_are_refused()
    {
        var context = Context();
        Assert.Throws<ChaincodeRequestException>(() => context.Handle("cc", new ChaincodeMessage { Type = MessageType.GetState, Payload = ByteString.CopyFrom(0x0A, 0x09) }));
        Assert.Throws<ChaincodeRequestException>(() => context.Handle("cc", new ChaincodeMessage { Type = MessageType.Keepalive }));
    }

    public void Dispose()
    {
        _state.Dispose();
        _states.Dispose();
        GC.SuppressFinalize(this);
    }
}

public sealed class SqliteTransactionContextTests() : TransactionContextTests(TestStates.Sqlite())
{
    [Fact]
    public void Rich_queries_on_sqlite_fail_naming_postgresql_paginated_or_not()
    {
        var context = Context(readOnly: true);
        var error = Assert.Throws<ChaincodeRequestException>(() => context.Handle("cc", Request(MessageType.GetQueryResult, new GetQueryResult { Query = "{\"selector\":{}}" })));
        Assert.StartsWith("ExecuteQuery not supported for sqlite", error.Message, StringComparison.Ordinal);
        Assert.Contains("PostgreSQL", error.Message, StringComparison.Ordinal);
        var paged = Assert.Throws<ChaincodeRequestException>(() => context.Handle("cc", Request(MessageType.GetQueryResult, new GetQueryResult
        {
            Query = "{\"selector\":{}}",
            Metadata = new QueryMetadata { PageSize = 2 }.ToByteString(),
        })));
        Assert.Equal(error.Message, paged.Message);
    }
}

[Collection(SharedPostgresServer.Name)]
public sealed class PostgresTransactionContextTests : TransactionContextTests
{
    public PostgresTransactionContextTests(PostgresServer server)
        : base(TestStates.Postgres(server))
    {
        // Block 4: JSON documents; 120 red ones (more than a batch), a blue one, and a red one in another namespace.
        var batch = new UpdateBatch();
        for (var i = 0; i < 120; i++)
        {
            batch.Put("cc", Doc(i), System.Text.Encoding.UTF8.GetBytes($$"""{"size":{{i}},"color":"red","docType":"asset"}"""), new StateVersion(4, (ulong)i));
        }
        batch.Put("cc", "doc-blue", """{"size":1,"color":"blue","docType":"asset"}"""u8.ToArray(), new StateVersion(4, 200));
        batch.Put("other", "doc-000", """{"size":0,"color":"red","docType":"asset"}"""u8.ToArray(), new StateVersion(4, 201));
        State.ApplyBlock(4, batch);
    }

    private static string Doc(int i) => "doc-" + i.ToString("D3", CultureInfo.InvariantCulture);

    private const string RedQuery = """{"selector":{"docType":"asset","color":"red"}}""";

    [Fact]
    public void A_rich_query_answers_in_batches_from_the_chaincode_namespace_with_fabric_marshalled_values_and_records_its_reads()
    {
        var context = Context(readOnly: true);
        var first = Query(context.Handle("cc", Request(MessageType.GetQueryResult, new GetQueryResult { Query = RedQuery })));
        Assert.Equal(TransactionContext.BatchSize, first.Results.Count);
        Assert.True(first.HasMore);
        Assert.True(first.Metadata.IsEmpty);
        var kv = KV.Parser.ParseFrom(first.Results[0].ResultBytes);
        Assert.Equal(("cc", "doc-000"), (kv.Namespace, kv.Key));
        Assert.Equal("""{"color":"red","docType":"asset","size":0}""", kv.Value.ToStringUtf8());

        var rest = Query(context.Handle("cc", Request(MessageType.QueryStateNext, new QueryStateNext { Id = first.Id })));
        Assert.False(rest.HasMore);
        Assert.Equal([.. Enumerable.Range(0, 120).Select(Doc)], Keys(first).Concat(Keys(rest)));

        var reads = KVRWSet.Parser.ParseFrom(TxReadWriteSet.Parser.ParseFrom(context.Simulator.Results()).NsRwset.Single(ns => ns.Namespace == "cc").Rwset).Reads;
        Assert.Equal(120, reads.Count);
        var read = reads.Single(r => r.Key == Doc(7));
        Assert.Equal((4UL, 7UL), (read.Version.BlockNum, read.Version.TxNum));
    }

    [Fact]
    public void A_paginated_rich_query_returns_whole_pages_with_bookmarks_and_makes_the_transaction_read_only()
    {
        var context = Context();
        var query = """{"selector":{"color":"red","size":{"$lt":5}},"fields":["size"]}""";
        var seen = new List<string>();
        var bookmark = "";
        for (var pages = 0; pages < 10; pages++)
        {
            var page = Query(context.Handle("cc", Request(MessageType.GetQueryResult, new GetQueryResult
            {
                Query = query,
                Metadata = new QueryMetadata { PageSize = 2, Bookmark = bookmark }.ToByteString(),
            })));
            Assert.False(page.HasMore);
            var metadata = QueryResponseMetadata.Parser.ParseFrom(page.Metadata);
            Assert.Equal(page.Results.Count, metadata.FetchedRecordsCount);
            if (page.Results.Count == 0)
            {
                break;
            }
            Assert.Equal("""{"size":""" + seen.Count.ToString(CultureInfo.InvariantCulture) + "}", KV.Parser.ParseFrom(page.Results[0].ResultBytes).Value.ToStringUtf8());
            seen.AddRange(Keys(page));
            bookmark = metadata.Bookmark;
        }
        Assert.Equal([.. Enumerable.Range(0, 5).Select(Doc)], seen);
        Assert.True(context.Simulator.UsedPagination);
        var refused = Assert.Throws<ChaincodeRequestException>(() => context.Handle("cc", Request(MessageType.PutState, new PutState { Key = "k", Value = ByteString.CopyFromUtf8("1") })));
        Assert.Contains("Transaction has already performed a paginated query. Writes are not allowed", refused.Message, StringComparison.Ordinal);
        Assert.False(context.Simulator.Results().IsEmpty);
    }

    [Fact]
    public void A_bad_rich_query_is_refused_with_the_reason()
    {
        var context = Context(readOnly: true);
        var unsupported = Assert.Throws<ChaincodeRequestException>(() => context.Handle("cc", Request(MessageType.GetQueryResult, new GetQueryResult { Query = """{"selector":{"size":{"$mod":[2,0]}}}""" })));
        Assert.Contains("$mod", unsupported.Message, StringComparison.Ordinal);
        var malformed = Assert.Throws<ChaincodeRequestException>(() => context.Handle("cc", Request(MessageType.GetQueryResult, new GetQueryResult { Query = "{not json" })));
        Assert.Contains("JSON", malformed.Message, StringComparison.Ordinal);
        var regex = Assert.Throws<ChaincodeRequestException>(() => context.Handle("cc", Request(MessageType.GetQueryResult, new GetQueryResult { Query = """{"selector":{"color":{"$regex":"(("}}}""" })));
        Assert.Contains("regular expression", regex.Message, StringComparison.OrdinalIgnoreCase);
    }
}
