using Google.Protobuf;
using ZonCoin.Core.Protocol;
using ZonCoin.Ledger.Blocks;
using ZonCoin.Ledger.State;
using ZonCoin.Ledger.State.Sqlite;
using ZonCoin.Peer.LedgerTools;
using ZonCoin.Peer.Tests.Support;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Peer.Tests.LedgerTools;

/// <summary>
/// The peer's public offline ledger API (<see cref="OfflineLedger"/>, <see cref="LedgerVerifier"/>,
/// <see cref="LedgerRebuilder"/>) on a SQLite peer data folder of the test channel. The <c>zoncoin ledger</c> and
/// <c>bench commit</c> commands over them, on both state databases, are tested in tests/Cli.Tests.
/// </summary>
public sealed class OfflineLedgerTests : IDisposable
{
    private static readonly StateDatabaseSettings Sqlite = new();
    private readonly TestNetwork _network = new();
    private readonly TempDirectory _data = new();
    private Block _last;

    public OfflineLedgerTests() => _last = _network.Genesis;

    private SigningIdentity[] Peers => [_network.Org1.Peer, _network.Org2.Peer];

    [Fact]
    public void Join_commits_blocks_through_the_peer_commit_path()
    {
        using var ledger = OfflineLedger.Join(_data.Path, _network.Genesis, Sqlite);
        Assert.Equal(TestNetwork.ChannelId, ledger.ChannelId);
        Assert.Equal(1UL, ledger.Height);

        var undefined = Assert.Single(ledger.Commit(Next(Write("a", "1"))));
        Assert.Equal(TxValidationCode.InvalidChaincode, undefined.Code);
        Assert.False(undefined.IsValid);
        Assert.NotNull(undefined.Reason);

        Assert.True(Assert.Single(ledger.Commit(Next(Tx.CommitDefinition(_network.Org1.Admin, Peers)))).IsValid);
        var written = Assert.Single(ledger.Commit(Next(Write("a", "1"))));
        Assert.Equal(new TransactionOutcome(TxValidationCode.Valid, null), written);

        Assert.Equal(4UL, ledger.Height);
        Assert.Equal("1", Value(ledger.State, "a"));
        Assert.Equal(3UL, ledger.State.Savepoint!.Value.BlockNumber);
    }

    [Fact]
    public void A_block_the_orderer_did_not_sign_is_refused_and_not_stored()
    {
        using var ledger = OfflineLedger.Join(_data.Path, _network.Genesis, Sqlite);
        var block = Next(Write("a", "1"), _network.Org1.Client);

        Assert.Throws<InvalidDataException>(() => ledger.Commit(block));
        Assert.Equal(1UL, ledger.Height);
    }

    [Fact]
    public void Open_reopens_a_stopped_ledger_and_holds_it()
    {
        Assert.Equal(3UL, WriteLedger());

        using var ledger = OfflineLedger.Open(_data.Path, TestNetwork.ChannelId, Sqlite);

        Assert.Equal(3UL, ledger.Height);
        Assert.Equal("1", Value(ledger.State, "a"));
        Assert.True(Assert.Single(ledger.Commit(Next(Write("b", "2")))).IsValid);
        var inUse = Assert.Throws<InvalidOperationException>(() => OfflineLedger.Open(_data.Path, TestNetwork.ChannelId, Sqlite));
        Assert.Contains("is in use", inUse.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Join_and_open_refuse_what_is_not_there_to_join_or_open()
    {
        var notGenesis = _network.Genesis.Clone();
        notGenesis.Header.Number = 1;
        Assert.Throws<ArgumentException>(() => OfflineLedger.Join(_data.Path, notGenesis, Sqlite));
        Assert.Throws<ArgumentException>(() => OfflineLedger.Join(_data.Path, _network.Genesis, new StateDatabaseSettings("couchdb")));
        var missing = Assert.Throws<InvalidOperationException>(() => OfflineLedger.Open(_data.Path, "nosuch", Sqlite));
        Assert.Contains("there is no block store for channel 'nosuch'", missing.Message, StringComparison.Ordinal);

        WriteLedger();
        var joined = Assert.Throws<InvalidOperationException>(() => OfflineLedger.Join(_data.Path, _network.Genesis, Sqlite));
        Assert.Contains("already holds channel", joined.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_counts_a_sound_chain_and_names_a_block_the_orderer_did_not_sign()
    {
        WriteLedger();

        var sound = LedgerVerifier.Verify(_data.Path, TestNetwork.ChannelId);

        Assert.True(sound.IsValid, sound.Problem);
        Assert.Equal((3UL, 3UL, 3UL, 1), (sound.Blocks, sound.Transactions, sound.ValidTransactions, sound.ConfigBlocks));
        Assert.True(sound.Recovery.WasClean);

        using (var store = BlockStore.Open(Path.Combine(_data.Path, "chains", TestNetwork.ChannelId)))
        {
            var forged = Next(Write("b", "2"), _network.Org1.Client);
            forged.Metadata.Metadata[(int)BlockMetadataIndex.TransactionsFilter] = ByteString.CopyFrom([0]);
            store.Append(forged);
        }
        var bad = LedgerVerifier.Verify(_data.Path, TestNetwork.ChannelId);

        Assert.False(bad.IsValid);
        Assert.Equal(3UL, bad.BadBlock);
        Assert.Contains("/Channel/Orderer/BlockValidation", bad.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Rebuild_recreates_the_state_from_the_blocks_alone()
    {
        WriteLedger();
        using (var state = SqliteStateDatabase.Open(Path.Combine(_data.Path, "state", $"{TestNetwork.ChannelId}.db")))
        {
            // A key no block wrote: the rebuild must drop it with the old database.
            var batch = new UpdateBatch();
            batch.Put(Tx.Chaincode, "stray", "x"u8.ToArray(), new ZonCoin.Ledger.State.Version(3, 0));
            state.ApplyBlock(3, batch);
        }

        var rebuilt = LedgerRebuilder.Rebuild(_data.Path, TestNetwork.ChannelId, Sqlite);

        Assert.Equal((3UL, 3UL, 3UL, false), (rebuilt.Blocks, rebuilt.Transactions, rebuilt.ValidTransactions, rebuilt.StoreRepaired));
        Assert.EndsWith($"{TestNetwork.ChannelId}.db", rebuilt.State, StringComparison.Ordinal);
        using var ledger = OfflineLedger.Open(_data.Path, TestNetwork.ChannelId, Sqlite);
        Assert.Null(ledger.State.Get(Tx.Chaincode, "stray"));
        Assert.Equal("1", Value(ledger.State, "a"));
        Assert.Single(ledger.State.History.GetHistory(Tx.Chaincode, "a"));
        Assert.Equal(2UL, ledger.State.Savepoint!.Value.BlockNumber);
    }

    [Fact]
    public void Rebuild_refuses_postgres_without_a_connection_string()
    {
        WriteLedger();

        Assert.Throws<ArgumentException>(() => LedgerRebuilder.Rebuild(_data.Path, TestNetwork.ChannelId, new StateDatabaseSettings(StateDatabaseSettings.Postgres)));
        Assert.True(File.Exists(Path.Combine(_data.Path, "state", $"{TestNetwork.ChannelId}.db")));
    }

    public void Dispose()
    {
        _data.Dispose();
        _network.Dispose();
    }

    /// <summary>Joins and commits the definition of <c>cc</c> (block 1) and a write of a=1 (block 2); returns the height.</summary>
    private ulong WriteLedger()
    {
        using var ledger = OfflineLedger.Join(_data.Path, _network.Genesis, Sqlite);
        foreach (var envelope in new[] { Tx.CommitDefinition(_network.Org1.Admin, Peers), Write("a", "1") })
        {
            Assert.True(Assert.Single(ledger.Commit(Next(envelope))).IsValid);
        }
        return ledger.Height;
    }

    /// <summary>The value of <paramref name="key"/> of <c>cc</c> as text; null when absent.</summary>
    private static string? Value(IStateDatabase state, string key) =>
        state.Get(Tx.Chaincode, key) is { } value ? System.Text.Encoding.UTF8.GetString(value.Value.Span) : null;

    /// <summary>Org1's client writing <paramref name="key"/> to <c>cc</c>, endorsed by Org1's and Org2's peers.</summary>
    private Envelope Write(string key, string value) => Tx.Endorsed(_network.Org1.Client, Tx.RwSet(Tx.Writes((key, value))), Peers);

    /// <summary>The next block after the last one built, holding <paramref name="envelope"/>, signed by <paramref name="signer"/> (the orderer by default).</summary>
    private Block Next(Envelope envelope, SigningIdentity? signer = null)
    {
        var block = Blocks.Create(_last.Header.Number + 1, BlockHashing.HeaderHash(_last.Header), [envelope.ToByteString()]);
        TestNetwork.SignBlock(block, signer ?? _network.OrdererOrg.Orderer);
        _last = block;
        return block;
    }
}
