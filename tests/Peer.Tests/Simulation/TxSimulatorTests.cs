using Google.Protobuf;
using ZonCoin.Core.Policies;
using ZonCoin.Ledger.State;
using ZonCoin.Peer.Simulation;
using ZonCoin.Ledger.Tests.Support;
using ZonCoin.Peer.Tests.Support;
using ZonCoin.Peer.Validation;
using ZonCoin.Protos.Ledger.Rwset;
using ZonCoin.Protos.Ledger.Rwset.Kvrwset;
using StateVersion = ZonCoin.Ledger.State.Version;

namespace ZonCoin.Peer.Tests.Simulation;

public abstract class TxSimulatorTests : IDisposable
{
    private const string PrivateUse = "\uE000";
    private const string Emoji = "\U0001F600";

    private readonly TestStates _states;
    private readonly IStateDatabase _state;

    protected TxSimulatorTests(TestStates states)
    {
        _states = states;
        _state = states.Open("state");
        var batch = new UpdateBatch();
        batch.Put("cc", "a", "A"u8.ToArray(), new StateVersion(1, 0));
        batch.Put("cc", "b", "B"u8.ToArray(), new StateVersion(1, 1));
        batch.Put("cc", "c", "C"u8.ToArray(), new StateVersion(1, 2));
        batch.Put("cc", PrivateUse, "P"u8.ToArray(), new StateVersion(1, 3));
        batch.Put("cc", Emoji, "E"u8.ToArray(), new StateVersion(1, 4));
        _state.ApplyBlock(1, batch);
    }

    private static Dictionary<string, KVRWSet> Parse(ByteString results) =>
        TxReadWriteSet.Parser.ParseFrom(results).NsRwset.ToDictionary(ns => ns.Namespace, ns => KVRWSet.Parser.ParseFrom(ns.Rwset));

    [Fact]
    public void A_paginated_query_is_refused_in_a_transaction_that_writes()
    {
        var readOnly = new TxSimulator(_state);
        readOnly.MarkPaginated();
        _ = readOnly.GetState("cc", "a");
        Assert.False(readOnly.Results().IsEmpty);

        var paged = new TxSimulator(_state);
        paged.MarkPaginated();
        foreach (var write in new Action[]
        {
            () => paged.PutState("cc", "z", "Z"u8.ToArray()),
            () => paged.DeleteState("cc", "a"),
            () => paged.SetStateMetadata("cc", "a", new Dictionary<string, ByteString>()),
        })
        {
            var refused = Assert.Throws<UnsupportedTransactionException>(write);
            Assert.Equal("Transaction has already performed a paginated query. Writes are not allowed", refused.Message);
        }
        Assert.False(paged.HasWrites);

        var updating = new TxSimulator(_state);
        updating.PutState("cc", "z", "Z"u8.ToArray());
        var error = Assert.Throws<UnsupportedTransactionException>(updating.MarkPaginated);
        Assert.Contains("read-only", error.Message, StringComparison.Ordinal);
        Assert.False(updating.UsedPagination);
    }

    [Fact]
    public void Interest_names_key_level_policies_of_written_keys_and_whether_the_chaincode_policy_is_still_needed()
    {
        var org2 = PolicyDsl.Parse("OR('Org2MSP.peer')");
        var org3 = PolicyDsl.Parse("OR('Org3MSP.peer')");
        var batch = new UpdateBatch();
        batch.PutMetadata("cc", "a", KeyPolicyMetadata(org2), new StateVersion(2, 0));
        batch.PutMetadata("cc", "b", KeyPolicyMetadata(org3), new StateVersion(2, 1));
        _state.ApplyBlock(2, batch);

        var guardedOnly = new TxSimulator(_state);
        _ = guardedOnly.GetState("cc", "a"); // read first: its metadata comes from the read
        guardedOnly.PutState("cc", "a", "x"u8.ToArray());
        guardedOnly.SetStateMetadata("cc", "b", new Dictionary<string, ByteString>());
        var call = Assert.Single(guardedOnly.Interest().Chaincodes);
        Assert.Equal("cc", call.Name);
        Assert.True(call.DisregardNamespacePolicy);
        Assert.Equal([org2, org3], call.KeyPolicies);

        var mixed = new TxSimulator(_state);
        mixed.PutState("cc", "a", "x"u8.ToArray());
        mixed.PutState("cc", "c", "x"u8.ToArray());
        _ = mixed.GetState("other", "k"); // read only: that chaincode's policy is needed
        _ = mixed.GetState("_lifecycle", "k"); // system namespaces are left out
        var calls = mixed.Interest().Chaincodes.ToDictionary(c => c.Name);
        Assert.Equal(["cc", "other"], calls.Keys.Order(StringComparer.Ordinal));
        Assert.False(calls["cc"].DisregardNamespacePolicy);
        Assert.Equal([org2], calls["cc"].KeyPolicies);
        Assert.False(calls["other"].DisregardNamespacePolicy);
        Assert.Empty(calls["other"].KeyPolicies);
    }

    private static byte[] KeyPolicyMetadata(Protos.Common.SignaturePolicyEnvelope policy)
    {
        var metadata = new Protos.Peer.StateMetadataResult();
        metadata.Entries.Add(new Protos.Peer.StateMetadata { Metakey = "VALIDATION_PARAMETER", Value = policy.ToByteString() });
        return metadata.ToByteArray();
    }

    [Fact]
    public void Reads_see_committed_state_not_own_writes()
    {
        var simulator = new TxSimulator(_state);
        simulator.PutState("cc", "a", "new"u8.ToArray());
        simulator.PutState("cc", "fresh", "x"u8.ToArray());
        simulator.DeleteState("cc", "b");

        Assert.Equal("A"u8.ToArray(), simulator.GetState("cc", "a")!.Value.ToArray());
        Assert.Null(simulator.GetState("cc", "fresh"));
        Assert.Equal("B"u8.ToArray(), simulator.GetState("cc", "b")!.Value.ToArray());
        Assert.True(simulator.HasWrites);
    }

    [Fact]
    public void Reads_are_recorded_with_versions_and_missing_keys_without()
    {
        var simulator = new TxSimulator(_state);
        simulator.GetState("cc", "b");
        simulator.GetState("cc", "missing");
        simulator.PutState("cc", "w", "1"u8.ToArray());
        simulator.DeleteState("cc", "a");

        var set = Parse(simulator.Results())["cc"];
        Assert.Equal(["b", "missing"], set.Reads.Select(r => r.Key));
        Assert.Equal(new Protos.Ledger.Rwset.Kvrwset.Version { BlockNum = 1, TxNum = 1 }, set.Reads[0].Version);
        Assert.Null(set.Reads[1].Version);
        Assert.Equal(["a", "w"], set.Writes.Select(w => w.Key));
        Assert.True(set.Writes[0].IsDelete);
        Assert.True(set.Writes[0].Value.IsEmpty);
        Assert.Equal("1", set.Writes[1].Value.ToStringUtf8());
        Assert.False(set.Writes[1].IsDelete);
    }

    [Fact]
    public void Keys_and_namespaces_are_sorted_by_utf8_bytes()
    {
        Assert.True(string.CompareOrdinal(Emoji, PrivateUse) < 0); // .NET ordinal order differs from UTF-8 order
        var simulator = new TxSimulator(_state);
        simulator.PutState("cc", Emoji, "1"u8.ToArray());
        simulator.PutState("cc", PrivateUse, "1"u8.ToArray());
        simulator.PutState("cc", "z", "1"u8.ToArray());
        simulator.GetState("cc", Emoji);
        simulator.GetState("cc", PrivateUse);
        simulator.GetState("cc", "a");
        simulator.PutState("ns" + Emoji, "k", "1"u8.ToArray());
        simulator.PutState("ns" + PrivateUse, "k", "1"u8.ToArray());
        simulator.PutState("aa", "k", "1"u8.ToArray());

        var txRwSet = TxReadWriteSet.Parser.ParseFrom(simulator.Results());
        Assert.Equal(["aa", "cc", "ns" + PrivateUse, "ns" + Emoji], txRwSet.NsRwset.Select(ns => ns.Namespace));
        var cc = KVRWSet.Parser.ParseFrom(txRwSet.NsRwset[1].Rwset);
        Assert.Equal(["a", PrivateUse, Emoji], cc.Reads.Select(r => r.Key));
        Assert.Equal(["z", PrivateUse, Emoji], cc.Writes.Select(w => w.Key));
        Assert.Equal(new StateVersion(1, 4), ToVersion(cc.Reads[2]));
    }

    [Fact]
    public void Utf8_order_compares_code_points()
    {
        string[] keys = [Emoji, "b", PrivateUse, "\u00e9", "a\0b", "a"];
        var sorted = keys.Order(Utf8Order.Instance).ToArray();
        var byBytes = keys.OrderBy(k => Convert.ToHexString(System.Text.Encoding.UTF8.GetBytes(k)), StringComparer.Ordinal).ToArray();
        Assert.Equal(byBytes, sorted);
        Assert.True(Utf8Order.InRange(PrivateUse, "a", Emoji));
        Assert.False(Utf8Order.InRange(Emoji, "a", PrivateUse));
        Assert.True(Utf8Order.InRange(Emoji, "a", ""));
    }

    [Fact]
    public void Exhausted_range_is_recorded_with_all_keys_and_versions()
    {
        var simulator = new TxSimulator(_state);
        using (var range = simulator.GetStateRange("cc", "b", ""))
        {
            var keys = new List<string>();
            while (range.Next() is { } entry)
            {
                keys.Add(entry.Key);
            }
            Assert.Equal(["b", "c", PrivateUse, Emoji], keys);
        }

        var info = Assert.Single(Parse(simulator.Results())["cc"].RangeQueriesInfo);
        Assert.Equal("b", info.StartKey);
        Assert.Equal("", info.EndKey);
        Assert.True(info.ItrExhausted);
        Assert.Equal(["b", "c", PrivateUse, Emoji], info.RawReads.KvReads.Select(r => r.Key));
        Assert.Equal(new StateVersion(1, 3), ToVersion(info.RawReads.KvReads[2]));
    }

    [Fact]
    public void Range_closed_early_is_not_exhausted_and_holds_only_what_was_read()
    {
        var simulator = new TxSimulator(_state);
        var range = simulator.GetStateRange("cc", "a", "z");
        Assert.Equal("a", range.Next()!.Key);
        Assert.Equal("b", range.Next()!.Key);
        range.Close();
        Assert.Null(range.Next());

        var info = Assert.Single(Parse(simulator.Results())["cc"].RangeQueriesInfo);
        Assert.False(info.ItrExhausted);
        Assert.Equal(["a", "b"], info.RawReads.KvReads.Select(r => r.Key));
        Assert.Equal("z", info.EndKey);
    }

    [Fact]
    public void Identical_inputs_give_identical_bytes()
    {
        ByteString Run(bool reversed)
        {
            var simulator = new TxSimulator(_state);
            string[] keys = ["c", Emoji, "a", PrivateUse, "missing"];
            foreach (var key in reversed ? keys.Reverse() : keys)
            {
                simulator.GetState("cc", key);
                simulator.PutState("cc", key + "!", "v"u8.ToArray());
                simulator.PutState("other", key, "v"u8.ToArray());
            }
            simulator.SetStateMetadata("cc", "a", new Dictionary<string, ByteString> { ["z"] = ByteString.CopyFromUtf8("1"), ["VALIDATION_PARAMETER"] = ByteString.CopyFromUtf8("2") });
            using var range = simulator.GetStateRange("cc", "a", "c");
            while (range.Next() is not null)
            {
            }
            return simulator.Results();
        }

        var first = Run(false);
        Assert.Equal(first, Run(false));
        Assert.Equal(first, Run(true));
        var metadata = Assert.Single(Parse(first)["cc"].MetadataWrites);
        Assert.Equal(["VALIDATION_PARAMETER", "z"], metadata.Entries.Select(e => e.Name));
    }

    private static StateVersion ToVersion(KVRead read) => new(read.Version.BlockNum, read.Version.TxNum);

    public void Dispose()
    {
        _state.Dispose();
        _states.Dispose();
        GC.SuppressFinalize(this);
    }
}

public sealed class SqliteTxSimulatorTests() : TxSimulatorTests(TestStates.Sqlite());

[Collection(SharedPostgresServer.Name)]
public sealed class PostgresTxSimulatorTests(PostgresServer server) : TxSimulatorTests(TestStates.Postgres(server));
