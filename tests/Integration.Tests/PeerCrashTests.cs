using System.Globalization;
using Grpc.Net.Client;
using Npgsql;
using ZonCoin.Core.Protocol;
using ZonCoin.Integration.Tests.Support;
using ZonCoin.Ledger.State;
using ZonCoin.Ledger.State.Postgres;
using ZonCoin.Ledger.State.Sqlite;
using ZonCoin.Ledger.Tests.Support;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Integration.Tests;

/// <summary>
/// The peer network of <see cref="PeerNetwork"/> built once more for the crash test alone (killing a peer must not
/// disturb the shared tests), with the sample chaincode under <c>OR('Org1MSP.peer','Org2MSP.peer')</c> so the load
/// can go on against peer 1 while peer 2 is down: peer 2 then misses blocks that write state and must pull them.
/// Both peers keep their state in SQLite.
/// </summary>
public class PeerCrashNetwork : PeerNetwork
{
    protected override string EndorsementPolicy => "OR('Org1MSP.peer','Org2MSP.peer')";

    /// <summary>Opens a stopped peer's state database of the channel.</summary>
    internal virtual IStateDatabase OpenState(PeerNode peer, string channelId) =>
        SqliteStateDatabase.Open(Path.Combine(peer.DataDirectory, "state", $"{channelId}.db"));
}

/// <summary>
/// The crash network with peer 2 on PostgreSQL (<c>Peer:StateDatabase=postgres</c>, a PostgreSQL 15 server started
/// for this network) and peer 1 on SQLite, so the two implementations must end with the same state. Peer 2 runs
/// the peer with a fault-injection hook (tests/Peer.FaultHost) watching <see cref="PauseTrigger"/>: creating that
/// file makes it pause its next block between the state write and the savepoint.
/// </summary>
public sealed class PostgresPeerCrashNetwork : PeerCrashNetwork, IDisposable
{
    private PostgresServer? _server;

    public string PauseTrigger { get; } = Path.Combine(Path.GetTempPath(), "zoncoin-pause-" + Guid.NewGuid().ToString("N")[..12]);

    public string ConnectionString => _server!.ConnectionString;

    public override async Task InitializeAsync()
    {
        _server = new PostgresServer();
        await base.InitializeAsync();
    }

    protected override IReadOnlyDictionary<string, string>? PeerEnvironment(int peer) => peer == 2
        ? new Dictionary<string, string>
        {
            ["Peer__StateDatabase"] = "postgres",
            ["Peer__PostgresConnectionString"] = _server!.ConnectionString,
        }
        : null;

    private protected override PeerProgramFile PeerProgram(int peer) => peer == 2 ? PeerProgramFile.PausingBeforeSavepoint(PauseTrigger) : PeerProgramFile.Production;

    /// <summary>Stops the server (after the peers, from <see cref="DisposeAsync"/>).</summary>
    public void Dispose() => _server?.Dispose();

    internal override IStateDatabase OpenState(PeerNode peer, string channelId) =>
        peer == Peer2 ? PostgresStateDatabase.Open(_server!.ConnectionString, channelId) : base.OpenState(peer, channelId);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Dispose();
        foreach (var file in new[] { PauseTrigger, PauseTrigger + ".paused" })
        {
            File.Delete(file);
        }
    }
}

/// <summary>
/// Runs alone, after the parallel collections: killing and restarting a peer on its fixed ports (and the load's
/// traffic) must not race the other networks' ports (see <see cref="NodeProcess.FreePort"/>).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PeerCrashCollectionDefinition : ICollectionFixture<PeerCrashNetwork>
{
    public const string Name = "PeerCrash";
}

/// <summary>The same for <see cref="PostgresPeerCrashNetwork"/>: runs alone too.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PostgresPeerCrashCollectionDefinition : ICollectionFixture<PostgresPeerCrashNetwork>
{
    public const string Name = "PostgresPeerCrash";
}

/// <summary>
/// Crash safety: peer 2 is killed (SIGKILL) while it commits blocks under load; the load goes on against peer 1;
/// peer 2 restarts on the same data folder, recovers its state from its block store, pulls the blocks it missed
/// and ends with the same blocks, state and history as peer 1; <c>zoncoin ledger verify</c> passes on its ledger.
/// One test body; the subclasses choose the state database and how the kill lands mid-commit.
/// </summary>
public abstract class PeerCrashTests
{
    private const int MinimumTransactions = 320;
    private const int BatchSize = 8;
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    private readonly PeerCrashNetwork _network;
    private readonly Xunit.Abstractions.ITestOutputHelper _output;

    private protected PeerCrashTests(PeerCrashNetwork network, Xunit.Abstractions.ITestOutputHelper output)
    {
        _network = network;
        _output = output;
    }

    [Fact]
    public async Task A_peer_killed_while_committing_under_load_catches_up_with_the_same_blocks_state_and_history()
    {
        var (peer1, peer2) = (_network.Peer1, _network.Peer2);
        const string channelId = PeerNetwork.ChannelId;

        // A few assets that the load transfers again and again: keys with a long history.
        var hot = Enumerable.Range(0, 3).Select(_ => PeerNetwork.NewId()).ToArray();
        var creates = await Task.WhenAll(hot.Select(id => PeerNetwork.EndorseAsync(_network.Org1.User(), [peer1, peer2], "CreateAsset", id, "blue", "5", "alice", "100")));
        await _network.BroadcastAsync([.. creates.Select(c => c.Envelope)]);
        foreach (var (_, txId) in creates)
        {
            Assert.Equal(TxValidationCode.Valid, (await _network.WaitForTransactionAsync(peer2, txId)).Code);
        }
        var start = await HeightAsync(peer2, channelId);

        ulong killedHeight = 0, restartHeight = 0;
        var load = new Load(_network, peer1, peer2, hot);
        var loadTask = Task.Run(load.RunAsync);
        try
        {
            // Kill peer 2 while it commits a block of the load, once its height passes a mark.
            var killAt = start + 6;
            await UntilAsync(async () => await peer2.LedgerHeightAsync(channelId) >= killAt, loadTask, $"peer 2 reaching height {killAt}");
            load.Peer2Down = true;
            await KillWhileCommittingAsync(peer2, channelId);
            Assert.True(peer2.HasExited);
            killedHeight = await HeightAsync(peer1, channelId);

            // Peer 2 misses blocks: the load goes on against peer 1 alone.
            var missed = killedHeight + 10;
            await UntilAsync(async () => await peer1.LedgerHeightAsync(channelId) >= missed, loadTask, $"peer 1 reaching height {missed}");

            // Restart on the same data folder, under load; then a few more batches endorsed on both.
            restartHeight = await HeightAsync(peer1, channelId);
            await peer2.StartAsync();
            load.Peer2Down = false;
            var batchesAfterRestart = load.Batches + 5;
            await UntilAsync(() => Task.FromResult(load.Batches >= batchesAfterRestart), loadTask, "5 batches after the restart");
        }
        finally
        {
            load.Stop();
            await loadTask;
        }
        Assert.True(load.Sent >= MinimumTransactions, $"only {load.Sent} transactions sent");

        // Both peers commit the last transaction, then are at the same height.
        var last = await _network.WaitForTransactionAsync(peer1, load.LastTxId!);
        Assert.Equal(last, await _network.WaitForTransactionAsync(peer2, load.LastTxId!));
        var height = await HeightAsync(peer1, channelId);
        await UntilAsync(async () => await peer2.LedgerHeightAsync(channelId) == height, null, $"peer 2 reaching height {height}");
        Assert.True(height > start + 20, $"only {height - start} blocks under load");

        // The same blocks, filter included.
        var blocks1 = await ReadBlocksAsync(peer1, height);
        var blocks2 = await ReadBlocksAsync(peer2, height);
        var valid = 0;
        for (var i = 0; i < (int)height; i++)
        {
            Assert.Equal(blocks1[i].Header, blocks2[i].Header);
            var filter = blocks1[i].Metadata.Metadata[(int)BlockMetadataIndex.TransactionsFilter];
            Assert.Equal(filter, blocks2[i].Metadata.Metadata[(int)BlockMetadataIndex.TransactionsFilter]);
            Assert.Equal(blocks1[i], blocks2[i]);
            valid += filter.Count(code => code == (byte)TxValidationCode.Valid);
        }
        Assert.True(valid >= MinimumTransactions / 2, $"only {valid} valid transactions");

        // The same state and history through the chaincode.
        Assert.Equal(await _network.EvaluateAsync(peer1, "GetAllAssets"), await _network.EvaluateAsync(peer2, "GetAllAssets"));
        foreach (var id in hot.Append(load.FirstCreated!).Append(load.LastCreated!))
        {
            var history = await _network.EvaluateAsync(peer1, "GetAssetHistory", id);
            Assert.Equal(history, await _network.EvaluateAsync(peer2, "GetAssetHistory", id));
        }

        // The same state databases, key by key (value, version, metadata) and history, with both peers stopped.
        await peer1.StopAsync();
        await peer2.StopAsync();
        var assets = CompareStateDatabases(peer1, peer2, channelId);
        Assert.True(assets >= MinimumTransactions / 2, $"only {assets} keys in the state");
        Assert.DoesNotContain("committing blocks failed", peer2.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("refused a block", peer2.Output, StringComparison.Ordinal);
        AssertRecovery(peer2.Output);
        var recovery = peer2.Output.Split('\n').FirstOrDefault(line => line.Contains("re-applied", StringComparison.Ordinal))?.Trim() ?? "no block re-applied (killed between commits)";
        _output.WriteLine($"peer 2 killed with peer 1 at height {killedHeight}, restarted with peer 1 at height {restartHeight}; final height {height}; {load.Sent} transactions, {valid} valid; {assets} keys; recovery: {recovery}");

        // The real CLI verifies both ledgers.
        foreach (var peer in new[] { peer2, peer1 })
        {
            var verify = await NodeProcess.RunAsync(Repo.CliDll, "ledger", "verify", "--dir", peer.DataDirectory, "--channel", channelId);
            Assert.True(verify.ExitCode == 0, $"ledger verify of {peer}: {verify.Output}");
            Assert.Contains($"{height} blocks verified", verify.Output, StringComparison.Ordinal);
        }
    }

    /// <summary>Kills <paramref name="peer"/> (SIGKILL) in the middle of committing a block that writes state.</summary>
    private protected abstract Task KillWhileCommittingAsync(PeerNode peer, string channelId);

    /// <summary>Checks what the restarted peer 2 logged about its recovery.</summary>
    private protected virtual void AssertRecovery(string peer2Output)
    {
    }

    /// <summary>Compares the state (every namespace the test writes) and the history of every asset; returns the asset count.</summary>
    private int CompareStateDatabases(PeerNode peer1, PeerNode peer2, string channelId)
    {
        using var state1 = _network.OpenState(peer1, channelId);
        using var state2 = _network.OpenState(peer2, channelId);
        Assert.Equal(state1.Savepoint, state2.Savepoint);
        var count = 0;
        foreach (var ns in new[] { PeerNetwork.Chaincode, "_lifecycle" })
        {
            var entries1 = state1.GetRange(ns, "", "").ToList();
            var entries2 = state2.GetRange(ns, "", "").ToList();
            Assert.Equal(entries1.Count, entries2.Count);
            for (var i = 0; i < entries1.Count; i++)
            {
                var (a, b) = (entries1[i], entries2[i]);
                Assert.Equal(a.Key, b.Key);
                Assert.Equal(a.Value.Version, b.Value.Version);
                Assert.Equal(a.Value.Value.ToArray(), b.Value.Value.ToArray());
                Assert.Equal(a.Value.Metadata.ToArray(), b.Value.Metadata.ToArray());
                var history1 = state1.History.GetHistory(ns, a.Key).ToList();
                var history2 = state2.History.GetHistory(ns, a.Key).ToList();
                Assert.NotEmpty(history1);
                Assert.Equal(history1.Count, history2.Count);
                for (var j = 0; j < history1.Count; j++)
                {
                    Assert.Equal((history1[j].TxId, history1[j].BlockNumber, history1[j].TxNumber, history1[j].IsDelete, history1[j].Timestamp),
                        (history2[j].TxId, history2[j].BlockNumber, history2[j].TxNumber, history2[j].IsDelete, history2[j].Timestamp));
                    Assert.Equal(history1[j].Value.ToArray(), history2[j].Value.ToArray());
                }
            }
            if (ns == PeerNetwork.Chaincode)
            {
                count = entries1.Count;
            }
        }
        return count;
    }

    /// <summary>Spins on the size of the peer's block files (<c>chains/&lt;channel&gt;/blockfile_*</c>) and SIGKILLs it when they grow.</summary>
    private protected static void KillWhenBlockFilesGrow(PeerNode peer, string channelId)
    {
        var directory = new DirectoryInfo(Path.Combine(peer.DataDirectory, "chains", channelId));
        long Size() => directory.EnumerateFiles("blockfile_*").Sum(file => file.Length);
        var before = Size();
        using var guard = new CancellationTokenSource(Guard);
        while (Size() == before)
        {
            Assert.False(guard.IsCancellationRequested, "peer 2 committed no block");
        }
        peer.Kill();
    }

    private protected static async Task<ulong> HeightAsync(PeerNode peer, string channelId)
    {
        ulong? height = null;
        await UntilAsync(async () => (height = await peer.LedgerHeightAsync(channelId)) is not null, null, $"{peer} reporting its height");
        return height!.Value;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails after the guard or when the load failed.</summary>
    private protected static async Task UntilAsync(Func<Task<bool>> condition, Task? load, string what)
    {
        using var guard = new CancellationTokenSource(Guard);
        while (!await condition())
        {
            if (load is { IsFaulted: true })
            {
                await load;
            }
            Assert.False(guard.IsCancellationRequested, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    private async Task<IReadOnlyList<Block>> ReadBlocksAsync(PeerNode peer, ulong height)
    {
        using var channel = peer.Connect();
        using var timeout = new CancellationTokenSource(Guard);
        var request = DeliverRequests.Create(PeerNetwork.ChannelId, DeliverRequests.Range(DeliverRequests.Specified(0), DeliverRequests.Specified(height - 1)), _network.Org2.User());
        var blocks = new List<Block>();
        await foreach (var response in Rpc.Services.PeerDeliverClient.ReadAsync(channel.CreateCallInvoker(), Rpc.Services.PeerDeliverService.Deliver, request, timeout.Token))
        {
            if (response.TypeCase != DeliverResponse.TypeOneofCase.Block)
            {
                break;
            }
            blocks.Add(response.Block);
        }
        Assert.Equal((int)height, blocks.Count);
        return blocks;
    }

    /// <summary>
    /// The load: batches of <see cref="BatchSize"/> transactions broadcast on one stream — new assets endorsed on both
    /// peers (peer 1 only while peer 2 is down) and a transfer of one of the hot assets endorsed on peer 1 — until
    /// stopped and at least <see cref="MinimumTransactions"/> were sent.
    /// </summary>
    private sealed class Load
    {
        private readonly PeerNetwork _network;
        private readonly PeerNode _peer1;
        private readonly PeerNode _peer2;
        private readonly string[] _hot;
        private readonly Grpc.Net.Client.GrpcChannel _channel1;
        private volatile Grpc.Net.Client.GrpcChannel _channel2;
        private volatile bool _stopping;
        private volatile bool _peer2Down;
        private int _sent;
        private int _batches;

        public Load(PeerNetwork network, PeerNode peer1, PeerNode peer2, string[] hot)
        {
            (_network, _peer1, _peer2, _hot) = (network, peer1, peer2, hot);
            (_channel1, _channel2) = (peer1.Connect(), peer2.Connect());
        }

        /// <summary>Whether peer 2 is left out; set back to false after its restart, with a new connection to it.</summary>
        public bool Peer2Down
        {
            get => _peer2Down;
            set
            {
                if (!value && _peer2Down)
                {
                    var dead = _channel2;
                    _channel2 = _peer2.Connect();
                    dead.Dispose();
                }
                _peer2Down = value;
            }
        }

        public int Sent => Volatile.Read(ref _sent);

        public int Batches => Volatile.Read(ref _batches);

        public string? LastTxId { get; private set; }

        public string? FirstCreated { get; private set; }

        public string? LastCreated { get; private set; }

        public void Stop() => _stopping = true;

        public async Task RunAsync()
        {
            try
            {
                await LoadAsync();
            }
            finally
            {
                _channel1.Dispose();
                _channel2.Dispose();
            }
        }

        private async Task LoadAsync()
        {
            using var guard = new CancellationTokenSource(Guard);
            var users = new[] { _network.Org1.User(), _network.Org2.User() };
            for (var batch = 0; !_stopping || Sent < MinimumTransactions; batch++)
            {
                Assert.False(guard.IsCancellationRequested, $"the load ran longer than {Guard.TotalSeconds} s");
                var ids = Enumerable.Range(0, BatchSize - 1).Select(_ => PeerNetwork.NewId()).ToArray();
                var work = ids.Select((id, i) => EndorseAsync(users[i % 2], "CreateAsset", id, "green", "3", $"owner{batch}", "30"))
                    .Append(EndorseOnPeer1Async(users[batch % 2], "TransferAsset", _hot[batch % _hot.Length], $"owner{batch}"));
                var envelopes = await Task.WhenAll(work);
                await _network.BroadcastAsync([.. envelopes.Select(e => e.Envelope)]);
                FirstCreated ??= ids[0];
                LastCreated = ids[^1];
                LastTxId = envelopes[^1].TxId;
                Interlocked.Add(ref _sent, envelopes.Length);
                Interlocked.Increment(ref _batches);
            }
        }

        private static async Task<ProposalResponse> ProcessAsync(Grpc.Net.Client.GrpcChannel channel, SignedProposal proposal)
        {
            using var timeout = new CancellationTokenSource(Guard);
            using var call = channel.CreateCallInvoker().AsyncUnaryCall(Rpc.Services.EndorserService.ProcessProposal, null, new Grpc.Core.CallOptions(cancellationToken: timeout.Token), proposal);
            return await call.ResponseAsync;
        }

        private static (Envelope Envelope, string TxId) Transaction(SigningIdentity user, SignedProposal proposal, string txId, string function, ProposalResponse[] responses)
        {
            foreach (var response in responses)
            {
                Assert.True(response.Response.Status == 200, $"{function}: {response.Response.Status} {response.Response.Message}");
            }
            return (Endorsements.Sign(Endorsements.CreateTransaction(Proposals.Unpack(proposal), responses), user), txId);
        }

        private async Task<(Envelope Envelope, string TxId)> EndorseOnPeer1Async(SigningIdentity user, string function, params string[] args)
        {
            var (proposal, txId) = PeerNetwork.Proposal(user, function, args);
            return Transaction(user, proposal, txId, function, [await ProcessAsync(_channel1, proposal)]);
        }

        /// <summary>Endorses on both peers, or on peer 1 alone while peer 2 is down (or is killed during the call).</summary>
        private async Task<(Envelope Envelope, string TxId)> EndorseAsync(SigningIdentity user, string function, params string[] args)
        {
            if (Peer2Down)
            {
                return await EndorseOnPeer1Async(user, function, args);
            }
            var (proposal, txId) = PeerNetwork.Proposal(user, function, args);
            var first = ProcessAsync(_channel1, proposal);
            ProposalResponse? second = null;
            try
            {
                second = await ProcessAsync(_channel2, proposal);
            }
            catch (Exception) when (Peer2Down)
            {
            }
            return Transaction(user, proposal, txId, function, second is null ? [await first] : [await first, second]);
        }
    }
}

/// <summary>Both peers on SQLite: the kill lands between a block's append and its state update (or in the append).</summary>
[Collection(PeerCrashCollectionDefinition.Name)]
public sealed class SqlitePeerCrashTests(PeerCrashNetwork network, Xunit.Abstractions.ITestOutputHelper output) : PeerCrashTests(network, output)
{
    /// <summary>Watches the block files and kills the peer the moment they grow.</summary>
    private protected override Task KillWhileCommittingAsync(PeerNode peer, string channelId)
    {
        KillWhenBlockFilesGrow(peer, channelId);
        return Task.CompletedTask;
    }
}

/// <summary>
/// Peer 2 on PostgreSQL: the kill lands inside a block's PostgreSQL transaction, after its state and history rows
/// were written and before its savepoint (the test-only pause trigger holds the peer there). The server must drop
/// the whole block; the restarted peer re-applies it from its block store.
/// </summary>
[Collection(PostgresPeerCrashCollectionDefinition.Name)]
public sealed class PostgresPeerCrashTests(PostgresPeerCrashNetwork network, Xunit.Abstractions.ITestOutputHelper output) : PeerCrashTests(network, output)
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    private protected override async Task KillWhileCommittingAsync(PeerNode peer, string channelId)
    {
        var paused = network.PauseTrigger + ".paused";
        File.Delete(paused);
        await File.WriteAllTextAsync(network.PauseTrigger, "");
        await UntilAsync(() => Task.FromResult(File.Exists(paused) || peer.HasExited), null, "peer 2 pausing before a savepoint");
        Assert.False(peer.HasExited, $"peer 2 exited before pausing:\n{peer.Output}");
        var block = ulong.Parse(await File.ReadAllTextAsync(paused), CultureInfo.InvariantCulture);

        // The paused block's rows are written in a transaction that is still open on the server.
        await using (var connection = new NpgsqlConnection(network.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction';", connection);
            Assert.True((long)(await command.ExecuteScalarAsync())! >= 1, "peer 2's block transaction is not open");
        }
        peer.Kill();

        // Once the server has ended the dead session (releasing the writer lock), the savepoint is the block before.
        using var guard = new CancellationTokenSource(Guard);
        while (true)
        {
            try
            {
                using var state = network.OpenState(peer, channelId);
                Assert.Equal(block - 1, state.Savepoint!.Value.BlockNumber);
                break;
            }
            catch (StateDatabaseException ex) when (ex.Message.Contains("already open", StringComparison.Ordinal) && !guard.IsCancellationRequested)
            {
                await Task.Delay(50);
            }
        }
    }

    private protected override void AssertRecovery(string peer2Output) =>
        Assert.Contains("re-applied", peer2Output, StringComparison.Ordinal);
}
