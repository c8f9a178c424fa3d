using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using ZonCoin.Protos.Gateway;
using ZonCoin.Protos.Peer;
using ZonCoin.Rpc;

namespace ZonCoin.Gateway.Client.Tests;

public sealed class ErrorTests
{
    [Fact]
    public void Error_details_are_unpacked_whatever_their_type_url_and_garbage_is_skipped()
    {
        var packed = Any.Pack(new ErrorDetail { Address = "peer0:7051", MspId = "Org1MSP", Message = "chaincode response 500, boom" });
        var otherUrl = new Any { TypeUrl = "example.com/whatever", Value = new ErrorDetail { Address = "peer1:7051", MspId = "Org2MSP", Message = "second" }.ToByteString() };
        var garbage = new Any { TypeUrl = "x", Value = ByteString.CopyFrom(0xff, 0xff) };
        var exception = RpcStatusDetails.Create(StatusCode.Aborted, "failed to endorse transaction, see attached details for more info", packed, otherUrl, garbage);

        var details = GatewayException.DetailsOf(exception);

        Assert.Equal(2, details.Count);
        Assert.Equal(("peer0:7051", "Org1MSP", "chaincode response 500, boom"), (details[0].Address, details[0].MspId, details[0].Message));
        Assert.Equal("Org2MSP", details[1].MspId);
    }

    [Fact]
    public void The_message_includes_the_status_and_every_detail()
    {
        var error = new EndorseException(StatusCode.Aborted, "failed to endorse transaction",
            [new ErrorDetail { Address = "peer0:7051", MspId = "Org1MSP", Message = "chaincode response 500, boom" }], "tx1");

        Assert.Contains("Aborted", error.Message, StringComparison.Ordinal);
        Assert.Contains("failed to endorse transaction", error.Message, StringComparison.Ordinal);
        Assert.Contains("peer0:7051", error.Message, StringComparison.Ordinal);
        Assert.Contains("chaincode response 500, boom", error.Message, StringComparison.Ordinal);
        Assert.Equal("tx1", error.TransactionId);
        Assert.Equal("failed to endorse transaction", error.StatusMessage);
    }

    [Fact]
    public void A_commit_exception_carries_the_code_block_and_transaction()
    {
        var error = new CommitException(new CommitStatus("tx9", TxValidationCode.MvccReadConflict, 12));

        Assert.Equal("tx9", error.TransactionId);
        Assert.Equal(TxValidationCode.MvccReadConflict, error.Code);
        Assert.Equal(12UL, error.BlockNumber);
        Assert.Contains("tx9", error.Message, StringComparison.Ordinal);
        Assert.Contains("MvccReadConflict", error.Message, StringComparison.Ordinal);
    }
}
