using Google.Protobuf;
using ZonCoin.Core.Policies;
using ZonCoin.Core.Protocol;
using ZonCoin.Ledger.History;
using ZonCoin.Ledger.State;
using ZonCoin.Peer.Channels;
using ZonCoin.Peer.Committer;
using ZonCoin.Ledger.Tests.Support;
using ZonCoin.Peer.Tests.Support;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Ledger.Rwset.Kvrwset;
using ZonCoin.Protos.Peer;
using StateVersion = ZonCoin.Ledger.State.Version;

namespace ZonCoin.Peer.Tests.Committer;

public abstract class BlockCommitterTests : IDisposable
{
    private readonly TestNetwork _network = new();
    private readonly TestStates _states;
    private readonly TestLedger _ledger;
    private readonly Definitions _definitions;
    private readonly BlockCommitter _committer;

    protected BlockCommitterTests(TestStates states)
    {
        _states = states;
        _ledger = new TestLedger(_network, states);
        _definitions = new Definitions(new Dictionary<string, IPolicy> { ["cc"] = _network.Policy("OR('Org1MSP.peer')") });
        _committer = _ledger.Committer(_definitions);
    }

    private Envelope Transaction(KVRWSet set) => Tx.Endorsed(_network.Org1.Client, Tx.RwSet(set), [_network.Org1.Peer]);

    private static KVRWSet WithReads(KVRWSet set, params KVRead[] reads)
    {
        set.Reads.Add(reads);
        return set;
    }

    private static KVRWSet WithRange(KVRWSet set, string start, string end, bool exhausted, params KVRead[] reads)
    {
        var info = new RangeQueryInfo { StartKey = start, EndKey = end, ItrExhausted = exhausted, RawReads = new QueryReads() };
        info.RawReads.KvReads.Add(reads);
        set.RangeQueriesInfo.Add(info);
        return set;
    }

    private TxValidationCode[] Commit(params Envelope[] envelopes) =>
        [.. _committer.Commit(_ledger.NextBlock(envelopes)).Verdicts.Select(v => v.Code)];

    private string? Value(string key) => _ledger.State.Get("cc", key) is { } value ? System.Text.Encoding.UTF8.GetString(value.Value.Span) : null;

    /// <summary>Block 1: a=1, b=1, d=1 at versions (1,0), (1,1), (1,2).</summary>
    private void Seed() =>
        Assert.All(Commit(Transaction(Tx.Writes(("a", "1")))!, Transaction(Tx.Writes(("b", "1"))), Transaction(Tx.Writes(("d", "1")))), code => Assert.Equal(TxValidationCode.Valid, code));

    [Fact]
    public void The_ledger_uses_the_state_database_under_test()
    {
        Assert.Equal(_states.Kind, _ledger.State.Name);
    }

    [Fact]
    public void Read_of_a_key_written_earlier_in_the_block_conflicts()
    {
        Seed();
        var codes = Commit(
            Transaction(Tx.Writes(("a", "2"))),
            Transaction(WithReads(Tx.Writes(("x", "1")), Tx.Read("a", new StateVersion(1, 0)))));

        Assert.Equal([TxValidationCode.Valid, TxValidationCode.MvccReadConflict], codes);
        Assert.Null(Value("x"));
        Assert.Equal("2", Value("a"));
    }

    [Fact]
    public void Stale_version_conflicts_and_current_version_is_valid()
    {
        Seed();
        Commit(Transaction(Tx.Writes(("a", "2")))); // a is now (2,0)
        var codes = Commit(
            Transaction(WithReads(Tx.Writes(("x", "1")), Tx.Read("a", new StateVersion(1, 0)))),
            Transaction(WithReads(Tx.Writes(("y", "1")), Tx.Read("a", new StateVersion(2, 0)))));

        Assert.Equal([TxValidationCode.MvccReadConflict, TxValidationCode.Valid], codes);
    }

    [Fact]
    public void Read_of_a_missing_key_conflicts_once_it_exists()
    {
        Seed();
        var codes = Commit(
            Transaction(WithReads(Tx.Writes(("x", "1")), Tx.Read("new", null))),
            Transaction(Tx.Writes(("new", "1"))),
            Transaction(WithReads(Tx.Writes(("y", "1")), Tx.Read("new", null))));
        Assert.Equal([TxValidationCode.Valid, TxValidationCode.Valid, TxValidationCode.MvccReadConflict], codes);

        var later = Commit(Transaction(WithReads(Tx.Writes(("z", "1")), Tx.Read("new", null))));
        Assert.Equal([TxValidationCode.MvccReadConflict], later);
    }

    [Fact]
    public void Insert_into_an_exhausted_range_is_a_phantom()
    {
        Seed();
        var rangeReads = new[] { Tx.Read("a", new StateVersion(1, 0)), Tx.Read("b", new StateVersion(1, 1)), Tx.Read("d", new StateVersion(1, 2)) };
        var codes = Commit(
            Transaction(WithRange(Tx.Writes(("x", "1")), "a", "e", true, rangeReads)),
            Transaction(Tx.Writes(("c", "1"))),
            Transaction(WithRange(Tx.Writes(("y", "1")), "a", "e", true, rangeReads)));

        Assert.Equal([TxValidationCode.Valid, TxValidationCode.Valid, TxValidationCode.PhantomReadConflict], codes);
    }

    [Fact]
    public void Delete_and_update_in_a_range_are_phantoms()
    {
        Seed();
        var rangeReads = new[] { Tx.Read("a", new StateVersion(1, 0)), Tx.Read("b", new StateVersion(1, 1)), Tx.Read("d", new StateVersion(1, 2)) };
        Assert.Equal([TxValidationCode.Valid, TxValidationCode.PhantomReadConflict],
            Commit(Transaction(Tx.Writes(("b", null))), Transaction(WithRange(Tx.Writes(("y", "1")), "a", "", true, rangeReads))));
    }

    [Fact]
    public void Range_not_exhausted_covers_only_up_to_its_last_read_key()
    {
        Seed();
        var firstTwo = new[] { Tx.Read("a", new StateVersion(1, 0)), Tx.Read("b", new StateVersion(1, 1)) };
        var codes = Commit(
            Transaction(Tx.Writes(("c", "1"))), // beyond b: not observed
            Transaction(WithRange(Tx.Writes(("y", "1")), "a", "z", false, firstTwo)),
            Transaction(Tx.Writes(("ab", "1"))), // between a and b: observed
            Transaction(WithRange(Tx.Writes(("w", "1")), "a", "z", false, firstTwo)));

        Assert.Equal([TxValidationCode.Valid, TxValidationCode.Valid, TxValidationCode.Valid, TxValidationCode.PhantomReadConflict], codes);
    }

    [Fact]
    public void Range_against_committed_state_detects_a_phantom_from_an_earlier_block()
    {
        Seed();
        Commit(Transaction(Tx.Writes(("c", "1"))));
        var reads = new[] { Tx.Read("a", new StateVersion(1, 0)), Tx.Read("b", new StateVersion(1, 1)), Tx.Read("d", new StateVersion(1, 2)) };
        Assert.Equal([TxValidationCode.PhantomReadConflict], Commit(Transaction(WithRange(Tx.Writes(("y", "1")), "a", "", true, reads))));
    }

    [Fact]
    public void Duplicate_txid_in_the_block_and_against_the_ledger()
    {
        var first = Transaction(Tx.Writes(("a", "1")));
        Assert.Equal([TxValidationCode.Valid, TxValidationCode.DuplicateTxid], Commit(first, first));
        Assert.Equal([TxValidationCode.DuplicateTxid], Commit(first));
    }

    [Fact]
    public void Filter_is_stored_with_the_block()
    {
        var bad = Transaction(Tx.Writes(("b", "1")));
        bad = new Envelope { Payload = bad.Payload, Signature = ByteString.CopyFrom(1, 2, 3) };
        var committed = _committer.Commit(_ledger.NextBlock(Transaction(Tx.Writes(("a", "1"))), bad));

        var stored = _ledger.Blocks.GetBlock(committed.Number);
        Assert.Equal(5, stored.Metadata.Metadata.Count);
        Assert.Equal(new byte[] { (byte)TxValidationCode.Valid, (byte)TxValidationCode.BadCreatorSignature },
            stored.Metadata.Metadata[(int)BlockMetadataIndex.TransactionsFilter].ToByteArray());
        Assert.Equal(stored.Metadata, committed.Block.Metadata);
    }

    [Fact]
    public void Writes_are_applied_with_block_and_tx_index_versions()
    {
        var invalid = Transaction(Tx.Writes(("ignored", "1")));
        invalid = new Envelope { Payload = invalid.Payload, Signature = ByteString.CopyFrom(1) };
        Commit(invalid, Transaction(Tx.Writes(("a", "1"), ("b", "1"))));

        Assert.Null(_ledger.State.Get("cc", "ignored"));
        Assert.Equal(new StateVersion(1, 1), _ledger.State.Get("cc", "a")!.Version);
        Assert.Equal(new StateVersion(1, 1), _ledger.State.Get("cc", "b")!.Version);
        Assert.Equal(new StateVersion(1, 1), _ledger.State.Savepoint);
    }

    [Fact]
    public void Last_write_wins_deletes_remove_and_history_is_newest_first()
    {
        var t1 = Transaction(Tx.Writes(("k", "v1"), ("gone", "x")));
        Commit(t1);
        var t2 = Transaction(Tx.Writes(("k", "v2"), ("gone", null)));
        var t3 = Transaction(Tx.Writes(("k", "v3")));
        Commit(t2, t3);

        Assert.Equal("v3", Value("k"));
        Assert.Equal(new StateVersion(2, 1), _ledger.State.Get("cc", "k")!.Version);
        Assert.Null(_ledger.State.Get("cc", "gone"));

        var history = _ledger.State.History.GetHistory("cc", "k").ToList();
        Assert.Equal([TxId(t3), TxId(t2), TxId(t1)], history.Select(h => h.TxId));
        Assert.Equal(["v3", "v2", "v1"], history.Select(h => System.Text.Encoding.UTF8.GetString(h.Value.Span)));
        var gone = _ledger.State.History.GetHistory("cc", "gone").ToList();
        Assert.True(gone[0].IsDelete);
        Assert.True(gone[0].Value.IsEmpty);
        Assert.False(gone[1].IsDelete);
        Assert.Equal(Envelopes.Unpack(t2).ChannelHeader.Timestamp.ToDateTimeOffset(), gone[0].Timestamp);
    }

    [Fact]
    public void Savepoint_names_the_last_transaction_of_the_block()
    {
        Commit(Transaction(Tx.Writes(("a", "1"))), Transaction(new KVRWSet()), Transaction(new KVRWSet()));
        Assert.Equal(new StateVersion(1, 2), _ledger.State.Savepoint);
    }

    [Fact]
    public void Metadata_write_earlier_in_the_block_conflicts_with_a_read()
    {
        Seed();
        var metadataWrite = new KVRWSet();
        metadataWrite.MetadataWrites.Add(new KVMetadataWrite { Key = "a", Entries = { new KVMetadataEntry { Name = "VALIDATION_PARAMETER", Value = ByteString.CopyFromUtf8("p") } } });
        var codes = Commit(
            Transaction(metadataWrite),
            Transaction(WithReads(Tx.Writes(("x", "1")), Tx.Read("a", new StateVersion(1, 0)))),
            Transaction(WithRange(Tx.Writes(("y", "1")), "a", "c", true, Tx.Read("a", new StateVersion(1, 0)), Tx.Read("b", new StateVersion(1, 1)))));

        Assert.Equal([TxValidationCode.Valid, TxValidationCode.MvccReadConflict, TxValidationCode.PhantomReadConflict], codes);
        var a = _ledger.State.Get("cc", "a")!;
        Assert.Equal(new StateVersion(2, 0), a.Version);
        Assert.Equal("1", Value("a"));
        Assert.False(a.Metadata.IsEmpty);
    }

    private Envelope EndorsedBy(KVRWSet set, params SigningIdentity[] endorsers) => Tx.Endorsed(_network.Org1.Client, Tx.RwSet(set), endorsers);

    /// <summary>A metadata write setting the key-level endorsement policy of <paramref name="key"/>, plus <paramref name="set"/>'s writes.</summary>
    private static KVRWSet WithKeyPolicy(KVRWSet set, string key, string policy)
    {
        set.MetadataWrites.Add(new KVMetadataWrite
        {
            Key = key,
            Entries = { new KVMetadataEntry { Name = "VALIDATION_PARAMETER", Value = PolicyDsl.Parse(policy).ToByteString() } },
        });
        return set;
    }

    /// <summary>Block 1 seeds a, b, d; block 2 gives "a" the key-level policy OR('Org2MSP.peer') (the chaincode's is OR('Org1MSP.peer')).</summary>
    private void SeedWithKeyPolicyOnA()
    {
        Seed();
        Assert.Equal([TxValidationCode.Valid], Commit(EndorsedBy(WithKeyPolicy(new KVRWSet(), "a", "OR('Org2MSP.peer')"), _network.Org1.Peer)));
    }

    [Fact]
    public void Key_level_policy_replaces_the_chaincode_policy_for_its_key()
    {
        SeedWithKeyPolicyOnA();

        var codes = Commit(
            EndorsedBy(Tx.Writes(("a", "by-org1")), _network.Org1.Peer),
            EndorsedBy(Tx.Writes(("a", "by-org2")), _network.Org2.Peer),
            EndorsedBy(Tx.Writes(("b", "by-org2")), _network.Org2.Peer));

        // The chaincode policy alone no longer protects "a"; the key's own policy does, and only for "a".
        Assert.Equal([TxValidationCode.EndorsementPolicyFailure, TxValidationCode.Valid, TxValidationCode.EndorsementPolicyFailure], codes);
        Assert.Equal("by-org2", Value("a"));
        Assert.Equal("1", Value("b"));
    }

    [Fact]
    public void Transaction_writing_keys_with_and_without_a_key_level_policy_needs_both_policies()
    {
        SeedWithKeyPolicyOnA();

        var codes = Commit(
            EndorsedBy(Tx.Writes(("a", "2"), ("b", "2")), _network.Org2.Peer),
            EndorsedBy(Tx.Writes(("a", "3"), ("b", "3")), _network.Org1.Peer),
            EndorsedBy(Tx.Writes(("a", "4"), ("b", "4")), _network.Org1.Peer, _network.Org2.Peer));

        Assert.Equal([TxValidationCode.EndorsementPolicyFailure, TxValidationCode.EndorsementPolicyFailure, TxValidationCode.Valid], codes);
        Assert.Equal("4", Value("a"));
    }

    [Fact]
    public void Changing_or_deleting_a_key_level_policy_needs_the_policy_in_force()
    {
        SeedWithKeyPolicyOnA();

        Assert.Equal([TxValidationCode.EndorsementPolicyFailure], Commit(EndorsedBy(WithKeyPolicy(new KVRWSet(), "a", "OR('Org1MSP.peer')"), _network.Org1.Peer)));
        Assert.Equal([TxValidationCode.EndorsementPolicyFailure], Commit(EndorsedBy(Tx.Writes(("a", null)), _network.Org1.Peer)));
        Assert.Equal([TxValidationCode.Valid], Commit(EndorsedBy(WithKeyPolicy(new KVRWSet(), "a", "OR('Org1MSP.peer')"), _network.Org2.Peer)));
        Assert.Equal([TxValidationCode.Valid], Commit(EndorsedBy(Tx.Writes(("a", "back-to-org1")), _network.Org1.Peer)));
    }

    [Fact]
    public void Key_whose_policy_an_earlier_transaction_of_the_block_changed_is_an_endorsement_policy_failure()
    {
        SeedWithKeyPolicyOnA();

        var codes = Commit(
            EndorsedBy(WithKeyPolicy(new KVRWSet(), "a", "OR('Org1MSP.peer')"), _network.Org1.Peer), // fails the policy in force: no effect
            EndorsedBy(WithKeyPolicy(new KVRWSet(), "a", "OR('Org3MSP.peer')"), _network.Org2.Peer), // valid: changes the policy
            EndorsedBy(Tx.Writes(("a", "x")), _network.Org2.Peer, _network.Org3.Peer), // "a" changed policy earlier in this block
            EndorsedBy(Tx.Writes(("b", "x")), _network.Org1.Peer)); // another key is unaffected

        Assert.Equal([TxValidationCode.EndorsementPolicyFailure, TxValidationCode.Valid, TxValidationCode.EndorsementPolicyFailure, TxValidationCode.Valid], codes);
        // In the next block the new policy is in force.
        Assert.Equal([TxValidationCode.EndorsementPolicyFailure, TxValidationCode.Valid], Commit(
            EndorsedBy(Tx.Writes(("a", "y")), _network.Org2.Peer),
            EndorsedBy(Tx.Writes(("a", "z")), _network.Org3.Peer)));
        Assert.Equal("z", Value("a"));
    }

    [Fact]
    public void Key_level_policy_that_is_not_a_signature_policy_fails_every_write_of_the_key()
    {
        Seed();
        var garbage = new KVRWSet();
        garbage.MetadataWrites.Add(new KVMetadataWrite { Key = "a", Entries = { new KVMetadataEntry { Name = "VALIDATION_PARAMETER", Value = ByteString.CopyFrom(0xFF, 0x01) } } });
        Assert.Equal([TxValidationCode.Valid], Commit(EndorsedBy(garbage, _network.Org1.Peer)));

        Assert.Equal([TxValidationCode.EndorsementPolicyFailure, TxValidationCode.Valid], Commit(
            EndorsedBy(Tx.Writes(("a", "2")), _network.Org1.Peer, _network.Org2.Peer),
            EndorsedBy(Tx.Writes(("b", "2")), _network.Org1.Peer)));
    }

    [Fact]
    public void Block_not_next_is_refused()
    {
        var block = ZonCoin.Core.Protocol.Blocks.Create(5, _ledger.Blocks.LastHeaderHash, []);
        Assert.Throws<InvalidOperationException>(() => _committer.Commit(block));
    }

    [Fact]
    public void Config_block_commits_as_valid()
    {
        var committed = _committer.Commit(_ledger.NextBlock(_network.ConfigEnvelope));
        Assert.Equal(TxValidationCode.Valid, Assert.Single(committed.Verdicts).Code);
    }

    [Fact]
    public void Recover_reapplies_blocks_stored_after_the_savepoint()
    {
        using var reference = new TestLedger(_network, _states, "reference");
        var referenceCommitter = reference.Committer(_definitions);
        var t1 = Transaction(Tx.Writes(("a", "1"), ("b", "1")));
        var t2 = Transaction(WithReads(Tx.Writes(("a", "2"), ("b", null)), Tx.Read("a", new StateVersion(1, 0))));
        var t3 = Transaction(WithReads(Tx.Writes(("c", "3")), Tx.Read("a", new StateVersion(1, 0)))); // conflicts with t2
        var block1 = _ledger.NextBlock(t1);
        var block2 = ZonCoin.Core.Protocol.Blocks.Create(2, BlockHashing.HeaderHash(block1.Header), [t2.ToByteString(), t3.ToByteString()]);

        referenceCommitter.Commit(block1.Clone());
        referenceCommitter.Commit(block2.Clone());

        _committer.Commit(block1.Clone());
        var crashing = _ledger.Committer(_definitions, new CrashingState(_ledger.State));
        Assert.Throws<IOException>(() => crashing.Commit(block2.Clone()));
        Assert.Equal(3UL, _ledger.Blocks.Height);
        Assert.Equal(new StateVersion(1, 0), _ledger.State.Savepoint);

        _ledger.Reopen();
        var recovered = _ledger.Committer(_definitions).Recover();

        Assert.Equal(1, recovered);
        Assert.Equal(Snapshot(reference.State), Snapshot(_ledger.State));
        Assert.Equal(reference.State.Savepoint, _ledger.State.Savepoint);
        Assert.Equal("2", Value("a"));
        Assert.Null(Value("c"));
        Assert.Equal(0, _ledger.Committer(_definitions).Recover());
    }

    [Fact]
    public void Peer_channel_recovers_on_open()
    {
        var t1 = Transaction(Tx.Writes(("a", "1")));
        var block = _ledger.NextBlock(t1);
        var crashing = _ledger.Committer(_definitions, new CrashingState(_ledger.State));
        Assert.Throws<IOException>(() => crashing.Commit(block));
        _ledger.Reopen();

        // PeerChannel takes ownership of the stores.
        var channel = new PeerChannel(TestNetwork.ChannelId, _ledger.Blocks, _ledger.State);
        Assert.Equal(1, channel.RecoveredBlocks);
        Assert.Equal("1", Value("a"));
    }

    private static string TxId(Envelope envelope) => Envelopes.Unpack(envelope).ChannelHeader.TxId;

    private static List<string> Snapshot(IStateDatabase state)
    {
        var rows = state.GetRange("cc", "", "").Select(e => $"{e.Key}={Convert.ToHexString(e.Value.Value.Span)}@{e.Value.Version}").ToList();
        foreach (var key in new[] { "a", "b", "c" })
        {
            rows.AddRange(state.History.GetHistory("cc", key).Select(h => $"h:{key}:{h.TxId}:{h.BlockNumber}:{h.TxNumber}:{h.IsDelete}:{Convert.ToHexString(h.Value.Span)}:{h.Timestamp:O}"));
        }
        return rows;
    }

    public void Dispose()
    {
        _ledger.Dispose();
        _states.Dispose();
        _network.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>A state database that fails to apply blocks: the peer crashed after storing the block.</summary>
    private sealed class CrashingState(IStateDatabase inner) : IStateDatabase
    {
        public string Name => inner.Name;

        public Ledger.State.Version? Savepoint => inner.Savepoint;

        public IHistoryIndex History => inner.History;

        public bool SupportsRichQueries => inner.SupportsRichQueries;

        public IEnumerable<StateEntry> ExecuteQuery(string ns, string query) => inner.ExecuteQuery(ns, query);

        public QueryPage ExecuteQueryPage(string ns, string query, int pageSize, string bookmark) => inner.ExecuteQueryPage(ns, query, pageSize, bookmark);

        public void CreateIndexes(string ns, IReadOnlyList<StateIndexDefinition> indexes) => inner.CreateIndexes(ns, indexes);

        public VersionedValue? Get(string ns, string key) => inner.Get(ns, key);

        public IReadOnlyDictionary<string, VersionedValue> GetMany(string ns, IReadOnlyCollection<string> keys) => inner.GetMany(ns, keys);

        public IEnumerable<StateEntry> GetRange(string ns, string startKey, string endKey) => inner.GetRange(ns, startKey, endKey);

        public void ApplyBlock(ulong blockNumber, UpdateBatch batch) => throw new IOException("crash before the state write");

        public void Dispose()
        {
        }
    }
}

public sealed class SqliteBlockCommitterTests() : BlockCommitterTests(TestStates.Sqlite());

[Collection(SharedPostgresServer.Name)]
public sealed class PostgresBlockCommitterTests(PostgresServer server) : BlockCommitterTests(TestStates.Postgres(server));
