using ZonCoin.Core.Protocol;
using ZonCoin.Integration.Tests.Support;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Integration.Tests;

/// <summary>
/// The peer's <c>qscc</c> system chaincode on a real network (<see cref="PeerNetwork"/>): a committed transaction
/// read back through <c>GetTransactionByID</c>, <c>GetBlockByTxID</c> and <c>GetChainInfo</c> matches what Deliver
/// reported.
/// </summary>
[Collection(PeerNetworkCollectionDefinition.Name)]
public sealed class PeerQsccTests
{
    private readonly PeerNetwork _network;

    public PeerQsccTests(PeerNetwork network)
    {
        _network = network;
    }

    private Task<ProposalResponse> QueryAsync(PeerNode peer, string function, params string[] args) =>
        QueryAsync(peer, function, [.. args.Select(System.Text.Encoding.UTF8.GetBytes)]);

    private async Task<ProposalResponse> QueryAsync(PeerNode peer, string function, byte[][] args)
    {
        byte[][] all = [System.Text.Encoding.UTF8.GetBytes(function), System.Text.Encoding.UTF8.GetBytes(PeerNetwork.ChannelId), .. args];
        var invocation = new ChaincodeInvocation(PeerNetwork.ChannelId, "qscc", all);
        var (proposal, _) = Proposals.Create(invocation, _network.Org2.User());
        var response = await PeerNetwork.ProcessAsync(peer, proposal);
        Assert.True(response.Response.Status == 200, $"qscc {function} on {peer}: {response.Response.Status} {response.Response.Message}");
        return response;
    }

    [Fact]
    public async Task A_committed_transaction_reads_back_through_qscc()
    {
        var id = PeerNetwork.NewId();
        var (envelope, txId) = await PeerNetwork.EndorseAsync(_network.Org1.User(), [_network.Peer1, _network.Peer2], "CreateAsset", id, "teal", "3", "frank", "30");
        await _network.BroadcastAsync(envelope);
        var (blockNumber, code) = await _network.WaitForTransactionAsync(_network.Peer1, txId);
        Assert.Equal(TxValidationCode.Valid, code);

        var byId = await QueryAsync(_network.Peer1, "GetTransactionByID", txId);
        var processed = ProcessedTransaction.Parser.ParseFrom(byId.Response.Payload);
        Assert.Equal((int)code, processed.ValidationCode);
        Assert.Equal(envelope, processed.TransactionEnvelope);
        // Like any proposal on a channel, a qscc answer is signed by the peer (clients only evaluate it).
        Assert.NotNull(byId.Endorsement);
        var action = ChaincodeAction.Parser.ParseFrom(ProposalResponsePayload.Parser.ParseFrom(byId.Payload).Extension);
        Assert.Equal("qscc", action.ChaincodeId.Name);
        Assert.Equal("syscc", action.ChaincodeId.Version);

        var block = Block.Parser.ParseFrom((await QueryAsync(_network.Peer1, "GetBlockByTxID", txId)).Response.Payload);
        Assert.Equal(blockNumber, block.Header.Number);
        var index = block.Data.Data.Select(data => Envelopes.Unpack(data).ChannelHeader.TxId).ToList().IndexOf(txId);
        Assert.Equal((byte)code, block.Metadata.Metadata[(int)BlockMetadataIndex.TransactionsFilter][index]);

        var byNumber = Block.Parser.ParseFrom((await QueryAsync(_network.Peer1, "GetBlockByNumber", blockNumber.ToString(System.Globalization.CultureInfo.InvariantCulture))).Response.Payload);
        Assert.Equal(block, byNumber);

        var info = BlockchainInfo.Parser.ParseFrom((await QueryAsync(_network.Peer1, "GetChainInfo")).Response.Payload);
        Assert.True(info.Height > blockNumber, $"height {info.Height}, transaction in block {blockNumber}");
        var last = Block.Parser.ParseFrom((await QueryAsync(_network.Peer1, "GetBlockByHash", [info.CurrentBlockHash.ToByteArray()])).Response.Payload);
        Assert.Equal(info.Height - 1, last.Header.Number);
        Assert.Equal(info.PreviousBlockHash, last.Header.PreviousHash);
    }
}
