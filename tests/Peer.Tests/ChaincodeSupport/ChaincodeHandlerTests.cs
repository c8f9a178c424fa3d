using ZonCoin.Peer.ChaincodeSupport;
using ZonCoin.Protos.Peer;
using MessageType = ZonCoin.Protos.Peer.ChaincodeMessage.Types.Type;

namespace ZonCoin.Peer.Tests.ChaincodeSupport;

public sealed class ChaincodeHandlerTests
{
    [Theory]
    [InlineData(MessageType.GetState, "GET_STATE")]
    [InlineData(MessageType.GetStateByRange, "GET_STATE_BY_RANGE")]
    [InlineData(MessageType.InvokeChaincode, "INVOKE_CHAINCODE")]
    [InlineData(MessageType.PutStateMetadata, "PUT_STATE_METADATA")]
    public void A_refused_request_is_worded_as_Fabrics_handler_words_it(MessageType type, string protoName)
    {
        var request = new ChaincodeMessage { Type = type, Txid = "0a1b2c", ChannelId = "ch" };

        Assert.Equal($"{protoName} failed: transaction ID: 0a1b2c: the reason", ChaincodeHandler.RequestFailed(request, "the reason"));
    }
}
