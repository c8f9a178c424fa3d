using Google.Protobuf;
using ZonCoin.Core.Protocol;
using ZonCoin.Peer.Channels;
using ZonCoin.Peer.Lifecycle;
using ZonCoin.Peer.Tests.Support;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Lifecycle;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Peer.Tests.Channels;

public sealed class PeerChannelTests : IDisposable
{
    private readonly TestNetwork _network = new();
    private readonly TestLedger _ledger;
    private readonly PeerChannel _channel;

    public PeerChannelTests()
    {
        _ledger = new TestLedger(_network);
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

        var definition = new ChaincodeDefinition { Name = "cc", Version = "1.0", Sequence = 1, Address = "cc:1" };
        definition.PackageId = ChaincodePackageIds.Compute("cc", "1.0", "cc:1");
        var commitDefinition = Tx.Endorsed(_network.Org1.Admin,
            Tx.RwSet((LifecycleKeys.Namespace, DefinitionWrite(definition))), peers, chaincode: LifecycleKeys.Namespace);
        Assert.Equal(TxValidationCode.Valid, Assert.Single(_channel.Commit(Signed(commitDefinition)).Verdicts).Code);
        Assert.NotNull(_channel.Definitions.Find("cc"));

        var afterDefinition = Tx.Endorsed(_network.Org1.Client, Tx.RwSet(Tx.Writes(("a", "1"))), peers);
        Assert.Equal(TxValidationCode.Valid, Assert.Single(_channel.Commit(Signed(afterDefinition)).Verdicts).Code);
        Assert.Equal(4UL, _channel.Height);
    }

    private static Protos.Ledger.Rwset.Kvrwset.KVRWSet DefinitionWrite(ChaincodeDefinition definition)
    {
        var set = new Protos.Ledger.Rwset.Kvrwset.KVRWSet();
        set.Writes.Add(new Protos.Ledger.Rwset.Kvrwset.KVWrite { Key = LifecycleKeys.Definition(definition.Name), Value = definition.ToByteString() });
        return set;
    }

    public void Dispose()
    {
        _channel.Dispose();
        _ledger.Dispose();
        _network.Dispose();
    }
}
