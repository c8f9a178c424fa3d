using Google.Protobuf;
using ZonCoin.Core.Protocol;
using ZonCoin.Ledger.State;
using ZonCoin.Peer.Lifecycle;
using ZonCoin.Peer.Simulation;
using ZonCoin.Peer.Tests.Support;
using ZonCoin.Protos.Lifecycle;
using ZonCoin.Protos.Ledger.Rwset;
using ZonCoin.Protos.Ledger.Rwset.Kvrwset;
using ZonCoin.Protos.Peer;
using StateVersion = ZonCoin.Ledger.State.Version;

namespace ZonCoin.Peer.Tests.Lifecycle;

public sealed class LifecycleChaincodeTests : IDisposable
{
    private readonly TestNetwork _network = new();
    private readonly TestLedger _ledger;
    private readonly LifecycleChaincode _lifecycle = new("Org1MSP");
    private ulong _block;

    public LifecycleChaincodeTests()
    {
        _ledger = new TestLedger(_network);
    }

    private static ChaincodeDefinition Definition(long sequence = 1, string version = "1.0")
    {
        const string address = "cc.example:9999";
        return new ChaincodeDefinition
        {
            Name = "cc",
            Version = version,
            Sequence = sequence,
            Address = address,
            PackageId = ChaincodePackageIds.Compute("cc", version, address),
        };
    }

    private Response Execute(string function, IMessage? argument, SigningIdentity creator, TxSimulator? simulator = null) =>
        _lifecycle.Execute(
            argument is null ? [ByteString.CopyFromUtf8(function)] : [ByteString.CopyFromUtf8(function), argument.ToByteString()],
            _network.Identity(creator), _network.Resources, simulator ?? new TxSimulator(_ledger.State));

    private void Approved(ChaincodeDefinition definition, params string[] mspIds)
    {
        var batch = new UpdateBatch();
        foreach (var mspId in mspIds)
        {
            batch.Put(LifecycleKeys.Namespace, LifecycleKeys.Approval(definition.Name, definition.Sequence, mspId), LifecycleKeys.DefinitionHash(definition), new StateVersion(++_block, 0));
            _ledger.State.ApplyBlock(_block, batch);
            batch = new UpdateBatch();
        }
    }

    private void Committed(ChaincodeDefinition definition)
    {
        var batch = new UpdateBatch();
        batch.Put(LifecycleKeys.Namespace, LifecycleKeys.Definition(definition.Name), definition.ToByteArray(), new StateVersion(++_block, 0));
        _ledger.State.ApplyBlock(_block, batch);
    }

    private static List<KVWrite> Writes(TxSimulator simulator) =>
        [.. TxReadWriteSet.Parser.ParseFrom(simulator.Results()).NsRwset.SelectMany(ns => KVRWSet.Parser.ParseFrom(ns.Rwset).Writes)];

    [Fact]
    public void Admin_of_the_peers_org_approves()
    {
        var simulator = new TxSimulator(_ledger.State);
        var response = Execute(LifecycleChaincode.Approve, Definition(), _network.Org1.Admin, simulator);

        Assert.Equal(200, response.Status);
        var write = Assert.Single(Writes(simulator));
        Assert.Equal(LifecycleKeys.Approval("cc", 1, "Org1MSP"), write.Key);
        Assert.Equal(LifecycleKeys.DefinitionHash(Definition()), write.Value.ToByteArray());
    }

    [Fact]
    public void Approval_by_a_non_admin_or_another_orgs_admin_is_refused()
    {
        var client = new TxSimulator(_ledger.State);
        var response = Execute(LifecycleChaincode.Approve, Definition(), _network.Org1.Client, client);
        Assert.Equal(400, response.Status);
        Assert.Contains("admin of Org1MSP", response.Message, StringComparison.Ordinal);
        Assert.Empty(Writes(client));

        Assert.Equal(400, Execute(LifecycleChaincode.Approve, Definition(), _network.Org2.Admin).Status);
    }

    [Fact]
    public void Wrong_sequence_is_refused()
    {
        var response = Execute(LifecycleChaincode.Approve, Definition(sequence: 2), _network.Org1.Admin);
        Assert.Equal(400, response.Status);
        Assert.Contains("must be sequence 1", response.Message, StringComparison.Ordinal);

        Committed(Definition());
        Assert.Equal(400, Execute(LifecycleChaincode.Approve, Definition(sequence: 1, version: "2.0"), _network.Org1.Admin).Status);
        Assert.Equal(200, Execute(LifecycleChaincode.Approve, Definition(sequence: 1), _network.Org1.Admin).Status); // re-approving what is committed
        Assert.Equal(200, Execute(LifecycleChaincode.Approve, Definition(sequence: 2, version: "2.0"), _network.Org1.Admin).Status);
        Assert.Equal(400, Execute(LifecycleChaincode.Commit, Definition(sequence: 1), _network.Org1.Admin).Status);
    }

    [Fact]
    public void Package_id_mismatch_is_refused()
    {
        var definition = Definition();
        definition.PackageId = "cc_1.0:0000";
        var response = Execute(LifecycleChaincode.Approve, definition, _network.Org1.Admin);
        Assert.Equal(400, response.Status);
        Assert.Contains("package id", response.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Commit_with_one_of_three_approvals_is_refused_naming_the_missing_orgs()
    {
        Approved(Definition(), "Org1MSP");
        var simulator = new TxSimulator(_ledger.State);
        var response = Execute(LifecycleChaincode.Commit, Definition(), _network.Org1.Admin, simulator);

        Assert.Equal(400, response.Status);
        Assert.Contains("Org2MSP", response.Message, StringComparison.Ordinal);
        Assert.Contains("Org3MSP", response.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Org1MSP", response.Message, StringComparison.Ordinal);
        Assert.Empty(Writes(simulator));
    }

    [Fact]
    public void Approval_of_a_different_definition_does_not_count()
    {
        Approved(Definition(), "Org1MSP");
        Approved(Definition(version: "other"), "Org2MSP");
        Assert.Equal(400, Execute(LifecycleChaincode.Commit, Definition(), _network.Org1.Admin).Status);

        var readiness = CommitReadiness.Parser.ParseFrom(Execute(LifecycleChaincode.CheckCommitReadiness, Definition(), _network.Org1.Admin).Payload);
        Assert.Equal(new Dictionary<string, bool> { ["Org1MSP"] = true, ["Org2MSP"] = false, ["Org3MSP"] = false }, readiness.Approvals);
    }

    [Fact]
    public void Commit_with_two_of_three_approvals_writes_the_definition()
    {
        Approved(Definition(), "Org1MSP", "Org3MSP");
        var simulator = new TxSimulator(_ledger.State);
        var response = Execute(LifecycleChaincode.Commit, Definition(), _network.Org1.Client, simulator);

        Assert.Equal(200, response.Status);
        var write = Assert.Single(Writes(simulator));
        Assert.Equal(LifecycleKeys.Definition("cc"), write.Key);
        Assert.Equal(Definition(), ChaincodeDefinition.Parser.ParseFrom(write.Value));
    }

    [Fact]
    public void Queries_return_committed_definitions()
    {
        var missing = _lifecycle.Execute([ByteString.CopyFromUtf8(LifecycleChaincode.QueryDefinition), ByteString.CopyFromUtf8("cc")], _network.Identity(_network.Org1.Client), _network.Resources, new TxSimulator(_ledger.State));
        Assert.Equal(404, missing.Status);

        Committed(Definition());
        var other = Definition();
        other.Name = "abc";
        other.PackageId = ChaincodePackageIds.Compute("abc", "1.0", other.Address);
        Committed(other);

        var found = _lifecycle.Execute([ByteString.CopyFromUtf8(LifecycleChaincode.QueryDefinition), ByteString.CopyFromUtf8("cc")], _network.Identity(_network.Org1.Client), _network.Resources, new TxSimulator(_ledger.State));
        Assert.Equal(200, found.Status);
        Assert.Equal(Definition(), ChaincodeDefinition.Parser.ParseFrom(found.Payload));

        var all = ChaincodeDefinitions.Parser.ParseFrom(Execute(LifecycleChaincode.QueryDefinitions, null, _network.Org2.Client).Payload);
        Assert.Equal(["abc", "cc"], all.Definitions.Select(d => d.Name));

        var cache = new ChaincodeDefinitionCache(_ledger.State, () => _network.Resources);
        Assert.Equal(["abc", "cc"], cache.All.Select(d => d.Name));
        Assert.NotNull(cache.Find("cc"));
    }

    [Fact]
    public void Unknown_function_and_bad_argument_are_400()
    {
        Assert.Equal(400, Execute("Nope", null, _network.Org1.Admin).Status);
        Assert.Equal(400, Execute(LifecycleChaincode.Approve, null, _network.Org1.Admin).Status);
        var badName = Definition();
        badName.Name = "_system";
        Assert.Equal(400, Execute(LifecycleChaincode.Approve, badName, _network.Org1.Admin).Status);
    }

    public void Dispose()
    {
        _ledger.Dispose();
        _network.Dispose();
    }
}
