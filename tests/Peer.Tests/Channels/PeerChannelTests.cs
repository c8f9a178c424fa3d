using ZonCoin.Peer.Channels;
using ZonCoin.Ledger.Tests.Support;
using ZonCoin.Peer.Tests.Support;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Peer.Tests.Channels;

public abstract class PeerChannelTests : IDisposable
{
    private readonly TestNetwork _network = new();
    private readonly TestStates _states;
    private readonly TestLedger _ledger;
    private readonly PeerChannel _channel;

    protected PeerChannelTests(TestStates states)
    {
        _states = states;
        _ledger = new TestLedger(_network, states);
        _channel = new PeerChannel(TestNetwork.ChannelId, _ledger.Blocks, _ledger.State);
    }

    private Block Signed(params Envelope[] envelopes)
    {
        var block = _ledger.NextBlock(envelopes);
        TestNetwork.SignBlock(block, _network.OrdererOrg.Orderer);
        return block;
    }

    [Fact]
    public void Unsigned_block_is_refused_and_not_stored()
    {
        var block = _ledger.NextBlock(Tx.Endorsed(_network.Org1.Client, Tx.RwSet(Tx.Writes(("a", "1"))), [_network.Org1.Peer, _network.Org2.Peer]));
        Assert.Throws<InvalidDataException>(() => _channel.Commit(block));
        Assert.Equal(1UL, _channel.Height);
    }

    [Fact]
    public void Committed_definition_takes_effect_for_the_next_block()
    {
        var peers = new[] { _network.Org1.Peer, _network.Org2.Peer };
        var beforeDefinition = Tx.Endorsed(_network.Org1.Client, Tx.RwSet(Tx.Writes(("a", "1"))), peers);
        Assert.Equal(TxValidationCode.InvalidChaincode, Assert.Single(_channel.Commit(Signed(beforeDefinition)).Verdicts).Code);

        var commitDefinition = Tx.CommitDefinition(_network.Org1.Admin, peers);
        Assert.Equal(TxValidationCode.Valid, Assert.Single(_channel.Commit(Signed(commitDefinition)).Verdicts).Code);
        Assert.NotNull(_channel.Definitions.Find("cc"));

        var afterDefinition = Tx.Endorsed(_network.Org1.Client, Tx.RwSet(Tx.Writes(("a", "1"))), peers);
        Assert.Equal(TxValidationCode.Valid, Assert.Single(_channel.Commit(Signed(afterDefinition)).Verdicts).Code);
        Assert.Equal(4UL, _channel.Height);
    }

    [Fact]
    public async Task A_waiter_for_a_block_wakes_only_when_its_writes_are_in_the_state_database()
    {
        using var network = new TestNetwork();
        using var ledger = new TestLedger(network, _states, "gated");
        using var gated = new GatedStateDatabase(ledger.State);
        using var channel = new PeerChannel(TestNetwork.ChannelId, ledger.Blocks, gated);
        var peers = new[] { network.Org1.Peer, network.Org2.Peer };
        Block Next(Envelope envelope)
        {
            var block = ledger.NextBlock(envelope);
            TestNetwork.SignBlock(block, network.OrdererOrg.Orderer);
            return block;
        }
        channel.Commit(Next(Tx.CommitDefinition(network.Org1.Admin, peers)));
        var next = channel.Height;

        // Deliver and commit status wait like this; what they read next must already be in the state database.
        var seen = Task.Run(async () =>
        {
            await channel.WaitForBlockAsync(next, CancellationToken.None);
            return gated.Get("cc", "seen");
        });
        gated.Close();
        var block = Next(Tx.Endorsed(network.Org1.Client, Tx.RwSet(Tx.Writes(("seen", "yes"))), peers));
        var commit = Task.Run(() => channel.Commit(block));
        await gated.Applying.WaitAsync(TimeSpan.FromSeconds(30));

        // The block is in the block store, its writes are not applied yet: the waiter must still be waiting.
        Assert.Equal(next + 1, ledger.Blocks.Height);
        await Task.WhenAny(seen, Task.Delay(300));
        Assert.False(seen.IsCompleted, "a block waiter woke before the block's writes reached the state database");

        gated.Open();
        Assert.Equal(TxValidationCode.Valid, Assert.Single((await commit.WaitAsync(TimeSpan.FromSeconds(30))).Verdicts).Code);
        Assert.NotNull(await seen.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(next + 1, channel.Height);
    }

    /// <summary>A state database whose <see cref="ApplyBlock"/> can be held at a gate, to look between append and apply.</summary>
    private sealed class GatedStateDatabase(Ledger.State.IStateDatabase inner) : Ledger.State.IStateDatabase
    {
        private readonly TaskCompletionSource _applying = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ManualResetEventSlim _gate = new(initialState: true);

        public Task Applying => _applying.Task;

        public string Name => inner.Name;

        public Ledger.State.Version? Savepoint => inner.Savepoint;

        public Ledger.History.IHistoryIndex History => inner.History;

        public bool SupportsRichQueries => inner.SupportsRichQueries;

        public IEnumerable<Ledger.State.StateEntry> ExecuteQuery(string ns, string query) => inner.ExecuteQuery(ns, query);

        public Ledger.State.QueryPage ExecuteQueryPage(string ns, string query, int pageSize, string bookmark) => inner.ExecuteQueryPage(ns, query, pageSize, bookmark);

        public void CreateIndexes(string ns, IReadOnlyList<Ledger.State.StateIndexDefinition> indexes) => inner.CreateIndexes(ns, indexes);

        public void Close() => _gate.Reset();

        public void Open() => _gate.Set();

        public Ledger.State.VersionedValue? Get(string ns, string key) => inner.Get(ns, key);

        public IReadOnlyDictionary<string, Ledger.State.VersionedValue> GetMany(string ns, IReadOnlyCollection<string> keys) => inner.GetMany(ns, keys);

        public IEnumerable<Ledger.State.StateEntry> GetRange(string ns, string startKey, string endKey) => inner.GetRange(ns, startKey, endKey);

        public void ApplyBlock(ulong blockNumber, Ledger.State.UpdateBatch batch)
        {
            if (!_gate.IsSet)
            {
                _applying.TrySetResult();
                _gate.Wait(TimeSpan.FromSeconds(60));
            }
            inner.ApplyBlock(blockNumber, batch);
        }

        public void Dispose() => _gate.Dispose();
    }

    [Fact]
    public async Task Closing_the_channel_fails_its_waiters()
    {
        var waiter = _channel.WaitForBlockAsync(_channel.Height + 5, CancellationToken.None);
        _channel.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiter.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    public void Dispose()
    {
        _channel.Dispose();
        _ledger.Dispose();
        _states.Dispose();
        _network.Dispose();
        GC.SuppressFinalize(this);
    }
}

public sealed class SqlitePeerChannelTests() : PeerChannelTests(TestStates.Sqlite());

[Collection(SharedPostgresServer.Name)]
public sealed class PostgresPeerChannelTests(PostgresServer server) : PeerChannelTests(TestStates.Postgres(server));
