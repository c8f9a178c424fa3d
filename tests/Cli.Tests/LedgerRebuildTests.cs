using ZonCoin.Cli.Bench;
using ZonCoin.Ledger.Blocks;
using ZonCoin.Ledger.State;
using ZonCoin.Ledger.State.Postgres;
using ZonCoin.Ledger.State.Sqlite;
using ZonCoin.Ledger.Tests.Support;
using ZonCoin.Peer.LedgerTools;

namespace ZonCoin.Cli.Tests;

/// <summary>
/// <c>zoncoin ledger rebuild</c> and <c>zoncoin bench commit</c> on each state database (<c>--state</c>): a peer ledger
/// built in-process with the <c>bench commit</c> machinery (two organisations, 60 endorsed transactions in blocks of
/// 10: blocks 0..7) whose state is in SQLite (<see cref="SqliteLedgerRebuildTests"/>) or in PostgreSQL on the shared
/// test server (<see cref="PostgresLedgerRebuildTests"/>).
/// </summary>
public abstract class LedgerRebuildTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "zoncoin-ledger-test-" + Guid.NewGuid().ToString("N")[..8]);

    protected LedgerRebuildTests(string state, string postgresConnectionString, string channel)
    {
        State = state;
        PostgresConnectionString = postgresConnectionString;
        Channel = channel;
        var workload = CommitWorkload.Create(new CommitWorkloadSettings(Orgs: 2, Transactions: 60, BlockSize: 10) { ChannelId = channel }, Path.Combine(_root, "crypto"));
        Data = Path.Combine(_root, "peer");
        Assert.Equal(8UL, workload.WriteLedger(Data, new StateDatabaseSettings(state, postgresConnectionString)));
    }

    protected string State { get; }

    protected string PostgresConnectionString { get; }

    protected string Channel { get; }

    protected string Data { get; }

    /// <summary>The <c>--state</c> (and <c>--postgres</c>) options for this database.</summary>
    protected string[] StateOptions => State == "postgres" ? ["--state", State, "--postgres", PostgresConnectionString] : ["--state", State];

    /// <summary>Opens the channel's state database as the peer does.</summary>
    protected abstract IStateDatabase OpenState();

    [Fact]
    public void Rebuild_recreates_the_same_state_and_history()
    {
        List<string> before;
        using (var original = OpenState())
        {
            Assert.Equal(State, original.Name);
            before = Snapshot(original);
        }

        var result = CliProcess.Run(["ledger", "rebuild", "--dir", Data, "--channel", Channel, .. StateOptions]);

        Assert.True(result.ExitCode == 0, result.StandardError + result.StandardOutput);
        Assert.Contains("from 8 blocks: 62 transactions, 62 valid applied, savepoint block 7", result.StandardOutput, StringComparison.Ordinal);
        using var rebuilt = OpenState();
        Assert.Equal(before, Snapshot(rebuilt));
        for (var i = 0; i < 60; i += 7)
        {
            Assert.Single(rebuilt.History.GetHistory("bench", CommitWorkload.Key(i)));
        }
    }

    [Fact]
    public void Rebuild_starts_from_an_empty_database()
    {
        // A key that no block wrote: the rebuild must drop it with the old database.
        using (var state = OpenState())
        {
            var batch = new UpdateBatch();
            batch.Put("bench", "stray", "x"u8.ToArray(), new ZonCoin.Ledger.State.Version(8, 0));
            state.ApplyBlock(8, batch);
        }

        var result = CliProcess.Run(["ledger", "rebuild", "--dir", Data, "--channel", Channel, .. StateOptions]);

        Assert.True(result.ExitCode == 0, result.StandardError + result.StandardOutput);
        using var rebuilt = OpenState();
        Assert.Null(rebuilt.Get("bench", "stray"));
        Assert.Equal(7UL, rebuilt.Savepoint!.Value.BlockNumber);
        Assert.Equal(60, rebuilt.GetRange("bench", "", "").Count());
    }

    [Fact]
    public void Rebuild_refuses_while_the_block_store_is_open()
    {
        using (var store = BlockStore.Open(Path.Combine(Data, "chains", Channel)))
        {
            var result = CliProcess.Run(["ledger", "rebuild", "--dir", Data, "--channel", Channel, .. StateOptions]);

            Assert.Equal(1, result.ExitCode);
            Assert.Contains("is in use", result.StandardError, StringComparison.Ordinal);
        }
        using var state = OpenState();
        Assert.Equal(7UL, state.Savepoint!.Value.BlockNumber);
    }

    [Fact]
    public void Bench_commit_prints_its_figures()
    {
        string[] postgres = State == "postgres" ? ["--postgres", PostgresConnectionString] : [];
        var result = CliProcess.Run(["bench", "commit", "--txs", "40", "--orgs", "2", "--block-size", "10", "--keys", "1500", "--state", State, .. postgres]);

        Assert.True(result.ExitCode == 0, result.StandardError + result.StandardOutput);
        Assert.Contains("loaded 1500 keys in ", result.StandardOutput, StringComparison.Ordinal);
        Assert.Matches($@"commit {State}: 40 txs, 2 orgs, 4 blocks of 10, 1500 keys preloaded, \d+ cores: \d+ tx/s, [\d.]+ blocks/s, block commit p50 [\d.]+ ms, p99 [\d.]+ ms; CPU", result.StandardOutput);
        Assert.Matches($@"query {State}: 1500 keys: point read p50 [\d.]+ ms, p99 [\d.]+ ms \(2000 reads\); range of 100 keys p50 [\d.]+ ms, p99 [\d.]+ ms \(200 reads\)", result.StandardOutput);
    }

    public void Dispose()
    {
        Cleanup();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
        GC.SuppressFinalize(this);
    }

    /// <summary>Deletes what the database keeps outside the temp folder.</summary>
    protected virtual void Cleanup()
    {
    }

    /// <summary>Every key of the chaincode and lifecycle namespaces (value, version, metadata) and its history.</summary>
    private static List<string> Snapshot(IStateDatabase state)
    {
        var rows = new List<string> { $"savepoint {state.Savepoint}" };
        foreach (var ns in new[] { "bench", "_lifecycle" })
        {
            var entries = state.GetRange(ns, "", "").ToList();
            Assert.Equal(ns == "bench" ? 60 : 1, entries.Count);
            foreach (var entry in entries)
            {
                rows.Add($"{ns} {entry.Key}={Convert.ToHexString(entry.Value.Value.Span)}@{entry.Value.Version}/{Convert.ToHexString(entry.Value.Metadata.Span)}");
                rows.AddRange(state.History.GetHistory(ns, entry.Key).Select(h =>
                    $"  {h.TxId} {h.BlockNumber}:{h.TxNumber} {Convert.ToHexString(h.Value.Span)} {h.IsDelete} {h.Timestamp:O}"));
            }
        }
        return rows;
    }
}

public sealed class SqliteLedgerRebuildTests() : LedgerRebuildTests("sqlite", "", "bench")
{
    protected override IStateDatabase OpenState() => SqliteStateDatabase.Open(Path.Combine(Data, "state", $"{Channel}.db"));
}

[Collection(SharedPostgresServer.Name)]
public sealed class PostgresLedgerRebuildTests(PostgresServer server) : LedgerRebuildTests("postgres", server.ConnectionString, PostgresServer.UniqueName("bench"))
{
    protected override IStateDatabase OpenState() => PostgresStateDatabase.Open(PostgresConnectionString, Channel);

    [Fact]
    public void Rebuild_refuses_while_a_peer_has_the_state_open()
    {
        using var peer = OpenState();

        var result = CliProcess.Run(["ledger", "rebuild", "--dir", Data, "--channel", Channel, .. StateOptions]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("is open; close it before deleting it", result.StandardError, StringComparison.Ordinal);
        Assert.Equal(7UL, peer.Savepoint!.Value.BlockNumber);
        Assert.Equal(60, peer.GetRange("bench", "", "").Count());
    }

    [Fact]
    public void The_state_is_in_postgres_and_not_on_disk()
    {
        Assert.False(File.Exists(Path.Combine(Data, "state", $"{Channel}.db")));
        using var state = OpenState();
        Assert.Equal(60, state.GetRange("bench", "", "").Count());
    }

    protected override void Cleanup() => PostgresStateDatabase.Drop(PostgresConnectionString, Channel);
}
