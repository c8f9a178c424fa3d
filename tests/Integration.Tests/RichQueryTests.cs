using System.Text.Json;
using Npgsql;
using ZonCoin.Core.Protocol;
using ZonCoin.Integration.Tests.Support;
using ZonCoin.Ledger.Tests.Support;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Integration.Tests;

/// <summary>
/// The two-org peer network with both peers on PostgreSQL (each its own database on one PostgreSQL 15 server started
/// for the fixture), the C# sample chaincode deployed with its state database indexes (<c>--metadata-dir</c>).
/// </summary>
public sealed class PostgresPeerNetwork : PeerNetwork, IDisposable
{
    private PostgresServer? _server;

    /// <summary>Connection strings of peer 1's and peer 2's databases.</summary>
    internal string[] PeerDatabases { get; } = new string[2];

    protected override string? ChaincodeMetadataDirectory => Path.Combine(Repo.Root, "src", "Chaincode.Sample");

    public override async Task InitializeAsync()
    {
        _server = new PostgresServer();
        await using (var connection = new NpgsqlConnection(_server.ConnectionString))
        {
            await connection.OpenAsync();
            for (var i = 0; i < 2; i++)
            {
                var database = $"peer{i + 1}";
                await using (var create = new NpgsqlCommand($"CREATE DATABASE {database}", connection))
                {
                    await create.ExecuteNonQueryAsync();
                }
                PeerDatabases[i] = new NpgsqlConnectionStringBuilder(_server.ConnectionString) { Database = database }.ConnectionString;
            }
        }
        await base.InitializeAsync();
    }

    protected override IReadOnlyDictionary<string, string>? PeerEnvironment(int peer) => new Dictionary<string, string>
    {
        ["Peer__StateDatabase"] = "postgres",
        ["Peer__PostgresConnectionString"] = PeerDatabases[peer - 1],
    };

    /// <summary>Stops the server (after the peers, from <see cref="DisposeAsync"/>).</summary>
    public void Dispose() => _server?.Dispose();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresPeerNetworkCollectionDefinition : ICollectionFixture<PostgresPeerNetwork>
{
    public const string Name = "PostgresPeerNetwork";
}

/// <summary>
/// Rich queries end to end: a C# contract (the sample, through the shim's <c>GetQueryResult</c> and
/// <c>GetQueryResultWithPaginationAsync</c>) and an unmodified Node fabric-contract-api contract
/// (<c>getQueryResult</c>, <c>getQueryResultWithPagination</c>) on peers whose state database is PostgreSQL. The
/// expected answers follow Fabric with CouchDB: matches in key order unless sorted, each record's value re-marshalled
/// with its members sorted, <c>fields</c> projecting, pages with a fetched count and a bookmark that continues them
/// until an empty page; the chaincode's index definitions exist as PostgreSQL indexes once it is committed.
/// </summary>
[Collection(PostgresPeerNetworkCollectionDefinition.Name)]
public sealed class RichQueryTests(PostgresPeerNetwork network)
{
    private const string NodeChaincode = "asset-node-rich";

    [Fact]
    public async Task A_csharp_contract_runs_rich_queries_with_sort_projection_and_pages()
    {
        var owner = "owner-" + Guid.NewGuid().ToString("N")[..8];
        var ids = Enumerable.Range(0, 4).Select(_ => PeerNetwork.NewId()).Order(StringComparer.Ordinal).ToList();
        (string Color, int Size)[] specs = [("red", 5), ("blue", 3), ("red", 8), ("red", 1)];
        await SubmitAllAsync(PeerNetwork.Chaincode, [.. ids.Select((id, i) => new[] { "CreateAsset", id, specs[i].Color, specs[i].Size.ToString(System.Globalization.CultureInfo.InvariantCulture), owner, "100" })]);

        var all = Records(await EvaluateAsync(PeerNetwork.Chaincode, "QueryAssets", $$$"""{"selector":{"Owner":"{{{owner}}}"}}"""));
        Assert.Equal(ids, all.Select(r => r.Key));
        Assert.Equal($$$"""{"AppraisedValue":100,"Color":"red","ID":"{{{ids[0]}}}","Owner":"{{{owner}}}","Size":5}""", all[0].Value);

        var sorted = Records(await EvaluateAsync(PeerNetwork.Chaincode, "QueryAssets",
            $$$"""{"selector":{"Owner":"{{{owner}}}","Color":"red","Size":{"$gt":2}},"sort":[{"Size":"desc"}],"fields":["ID","Size"]}"""));
        Assert.Equal([ids[2], ids[0]], sorted.Select(r => r.Key));
        Assert.Equal($$$"""{"ID":"{{{ids[2]}}}","Size":8}""", sorted[0].Value);

        var keys = new List<string>();
        var bookmark = "";
        var counts = new List<int>();
        for (var pages = 0; pages < 5; pages++)
        {
            using var page = JsonDocument.Parse(await EvaluateAsync(PeerNetwork.Chaincode, "QueryAssetsWithPagination", $$$"""{"selector":{"Owner":"{{{owner}}}"}}""", "3", bookmark));
            var records = page.RootElement.GetProperty("Records").EnumerateArray().Select(r => r.GetProperty("Key").GetString()!).ToList();
            counts.Add(page.RootElement.GetProperty("FetchedRecordsCount").GetInt32());
            if (records.Count == 0)
            {
                break;
            }
            keys.AddRange(records);
            bookmark = page.RootElement.GetProperty("Bookmark").GetString()!;
        }
        Assert.Equal(ids, keys);
        Assert.Equal([3, 1, 0], counts);

        var bad = await PeerNetwork.ProcessAsync(network.Peer1, Proposal(PeerNetwork.Chaincode, "QueryAssets", """{"selector":{"Size":{"$mod":[2,1]}}}""").Proposal);
        Assert.Equal(500, bad.Response.Status);
        Assert.Contains("$mod", bad.Response.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_fabric_contract_api_contract_gets_fabric_couchdb_answers()
    {
        await using var chaincode = await NodeChaincodeServer.StartAndDeployAsync(network, NodeChaincode, withIndexes: true);
        var owner = "owner-" + Guid.NewGuid().ToString("N")[..8];
        var ids = Enumerable.Range(0, 5).Select(_ => PeerNetwork.NewId()).Order(StringComparer.Ordinal).ToList();
        int[] values = [40, 10, 50, 20, 30];
        await SubmitAllAsync(NodeChaincode, [.. ids.Select((id, i) => new[] { "CreateAsset", id, i % 2 == 0 ? "green" : "white", owner, values[i].ToString(System.Globalization.CultureInfo.InvariantCulture) })]);

        var matches = Records(await EvaluateAsync(NodeChaincode, "QueryAssets", $$$"""{"selector":{"Owner":"{{{owner}}}","Color":"green"}}"""));
        Assert.Equal([ids[0], ids[2], ids[4]], matches.Select(r => r.Key));
        Assert.Equal($$$"""{"Color":"green","ID":"{{{ids[0]}}}","Owner":"{{{owner}}}","Value":40}""", matches[0].Value);

        var byValue = Records(await EvaluateAsync(NodeChaincode, "QueryAssets",
            $$$"""{"selector":{"Owner":"{{{owner}}}","Value":{"$gte":20}},"sort":[{"Value":"desc"}],"fields":["Value"],"use_index":["_design/indexOwnerDoc","indexOwner"]}"""));
        Assert.Equal([ids[2], ids[0], ids[4], ids[3]], byValue.Select(r => r.Key));
        Assert.Equal(["""{"Value":50}""", """{"Value":40}""", """{"Value":30}""", """{"Value":20}"""], byValue.Select(r => r.Value));

        var either = Records(await EvaluateAsync(NodeChaincode, "QueryAssets",
            $$$"""{"selector":{"$and":[{"Owner":"{{{owner}}}"},{"$or":[{"Value":{"$lt":15}},{"Color":{"$regex":"^wh"}}]}]}}"""));
        Assert.Equal([ids[1], ids[3]], either.Select(r => r.Key));

        var keys = new List<string>();
        var counts = new List<int>();
        var bookmark = "";
        for (var pages = 0; pages < 5; pages++)
        {
            using var page = JsonDocument.Parse(await EvaluateAsync(NodeChaincode, "QueryAssetsWithPagination", $$$"""{"selector":{"Owner":"{{{owner}}}"}}""", "2", bookmark));
            counts.Add(page.RootElement.GetProperty("fetchedRecordsCount").GetInt32());
            var records = page.RootElement.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("key").GetString()!).ToList();
            if (records.Count == 0)
            {
                break;
            }
            keys.AddRange(records);
            bookmark = page.RootElement.GetProperty("bookmark").GetString()!;
            Assert.NotEmpty(bookmark);
        }
        Assert.Equal(ids, keys);
        Assert.Equal([2, 2, 1, 0], counts);

        await AssertIndexesAsync(NodeChaincode);
    }

    [Fact]
    public async Task The_chaincode_index_definitions_become_postgresql_indexes_on_every_peer()
    {
        await AssertIndexesAsync(PeerNetwork.Chaincode);
    }

    /// <summary>Each peer's database holds an index of the chaincode's namespace (a partial index on <c>ns</c>).</summary>
    private async Task AssertIndexesAsync(string chaincode)
    {
        foreach (var database in network.PeerDatabases)
        {
            await using var connection = new NpgsqlConnection(database);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_indexes WHERE schemaname = 'zc_e2e' AND indexdef LIKE @ns", connection);
            command.Parameters.AddWithValue("ns", $"%'{chaincode}'::text%");
            var count = 0L;
            for (var attempt = 0; attempt < 100 && (count = (long)(await command.ExecuteScalarAsync())!) == 0; attempt++)
            {
                await Task.Delay(100);
            }
            Assert.True(count == 1, $"expected one index of {chaincode} in {database}, found {count}");
        }
    }

    private static List<(string Key, string Value)> Records(string json)
    {
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.EnumerateArray().Select(r =>
            (r.TryGetProperty("Key", out var key) ? key.GetString()! : r.GetProperty("key").GetString()!,
             r.TryGetProperty("Value", out var value) ? value.GetString()! : r.GetProperty("value").GetString()!))];
    }

    private (SignedProposal Proposal, string TxId) Proposal(string chaincode, string function, params string[] args) =>
        Proposals.Create(ChaincodeInvocation.Of(PeerNetwork.ChannelId, chaincode, function, args), network.Org1.User());

    private async Task<string> EvaluateAsync(string chaincode, string function, params string[] args)
    {
        var response = await PeerNetwork.ProcessAsync(network.Peer2, Proposal(chaincode, function, args).Proposal);
        Assert.True(response.Response.Status == 200, $"{function}: {response.Response.Status} {response.Response.Message}");
        return response.Response.Payload.ToStringUtf8();
    }

    /// <summary>Endorses each call on both peers, orders them together and waits until both peers committed them VALID.</summary>
    private async Task SubmitAllAsync(string chaincode, IReadOnlyList<string[]> calls)
    {
        var signer = network.Org1.User();
        var envelopes = new List<(Envelope Envelope, string TxId)>();
        foreach (var call in calls)
        {
            var (proposal, txId) = Proposal(chaincode, call[0], call[1..]);
            var responses = await Task.WhenAll(new[] { network.Peer1, network.Peer2 }.Select(peer => PeerNetwork.ProcessAsync(peer, proposal)));
            Assert.All(responses, r => Assert.True(r.Response.Status == 200, $"{call[0]}: {r.Response.Status} {r.Response.Message}"));
            envelopes.Add((Endorsements.Sign(Endorsements.CreateTransaction(Proposals.Unpack(proposal), responses), signer), txId));
        }
        await network.BroadcastAsync([.. envelopes.Select(e => e.Envelope)]);
        var last = 0UL;
        foreach (var (_, txId) in envelopes)
        {
            var (block, code) = await network.WaitForTransactionAsync(network.Peer1, txId);
            Assert.Equal(TxValidationCode.Valid, code);
            last = Math.Max(last, block);
        }
        await network.WaitForBothPeersAsync(last);
    }
}
