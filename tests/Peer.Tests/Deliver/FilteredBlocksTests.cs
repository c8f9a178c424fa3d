using Google.Protobuf;
using ZonCoin.Core.Policies;
using ZonCoin.Core.Protocol;
using ZonCoin.Peer.Deliver;
using ZonCoin.Peer.Tests.Support;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Peer.Tests.Deliver;

public sealed class FilteredBlocksTests : IDisposable
{
    private readonly TestNetwork _network = new();

    [Fact]
    public void Filtered_block_carries_txids_types_codes_and_events_without_payload()
    {
        using var ledger = new TestLedger(_network);
        var committer = ledger.Committer(new Definitions(new Dictionary<string, IPolicy> { ["cc"] = _network.Policy("OR('Org1MSP.peer')") }));
        var withEvent = Tx.Endorsed(_network.Org1.Client, Tx.RwSet(Tx.Writes(("a", "1"))), [_network.Org1.Peer],
            chaincodeEvent: new ChaincodeEvent { ChaincodeId = "cc", TxId = "t", EventName = "created", Payload = ByteString.CopyFromUtf8("secret") });
        var unendorsed = Tx.Endorsed(_network.Org1.Client, Tx.RwSet(Tx.Writes(("b", "1"))), [_network.Org2.Peer]);
        var committed = committer.Commit(ledger.NextBlock(withEvent, unendorsed, _network.ConfigEnvelope));

        var filtered = FilteredBlocks.From(TestNetwork.ChannelId, ledger.Blocks.GetBlock(committed.Number));

        Assert.Equal(TestNetwork.ChannelId, filtered.ChannelId);
        Assert.Equal(1UL, filtered.Number);
        Assert.Equal(3, filtered.FilteredTransactions.Count);
        var first = filtered.FilteredTransactions[0];
        Assert.Equal(Envelopes.Unpack(withEvent).ChannelHeader.TxId, first.Txid);
        Assert.Equal(HeaderType.EndorserTransaction, first.Type);
        Assert.Equal(TxValidationCode.Valid, first.TxValidationCode);
        var chaincodeEvent = Assert.Single(first.TransactionActions.ChaincodeActions).ChaincodeEvent;
        Assert.Equal("created", chaincodeEvent.EventName);
        Assert.Equal("cc", chaincodeEvent.ChaincodeId);
        Assert.Equal("t", chaincodeEvent.TxId);
        Assert.True(chaincodeEvent.Payload.IsEmpty);

        var second = filtered.FilteredTransactions[1];
        Assert.Equal(Envelopes.Unpack(unendorsed).ChannelHeader.TxId, second.Txid);
        Assert.Equal(TxValidationCode.EndorsementPolicyFailure, second.TxValidationCode);
        Assert.Empty(second.TransactionActions.ChaincodeActions);

        var third = filtered.FilteredTransactions[2];
        Assert.Equal(HeaderType.Config, third.Type);
        Assert.Equal(TxValidationCode.Valid, third.TxValidationCode);
        Assert.Null(third.TransactionActions);
    }

    [Fact]
    public void Block_without_filter_reports_not_validated_and_garbage_is_tolerated()
    {
        var block = ZonCoin.Core.Protocol.Blocks.Create(4, new byte[32], [ByteString.CopyFrom(0x0A, 0x09), _network.ConfigEnvelope.ToByteString()]);
        block.Metadata.Metadata.Clear();

        var filtered = FilteredBlocks.From(TestNetwork.ChannelId, block);

        Assert.Equal([TxValidationCode.NotValidated, TxValidationCode.NotValidated], filtered.FilteredTransactions.Select(t => t.TxValidationCode));
        Assert.Equal("", filtered.FilteredTransactions[0].Txid);
    }

    public void Dispose() => _network.Dispose();
}
