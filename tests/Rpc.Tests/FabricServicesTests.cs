using ZonCoin.Rpc.Services;

namespace ZonCoin.Rpc.Tests;

public sealed class FabricServicesTests
{
    public static TheoryData<string, MethodType, string, MethodType> Paths => new()
    {
        { GatewayService.Endorse.FullName, GatewayService.Endorse.Type, "/gateway.Gateway/Endorse", MethodType.Unary },
        { GatewayService.Submit.FullName, GatewayService.Submit.Type, "/gateway.Gateway/Submit", MethodType.Unary },
        { GatewayService.CommitStatus.FullName, GatewayService.CommitStatus.Type, "/gateway.Gateway/CommitStatus", MethodType.Unary },
        { GatewayService.Evaluate.FullName, GatewayService.Evaluate.Type, "/gateway.Gateway/Evaluate", MethodType.Unary },
        { GatewayService.ChaincodeEvents.FullName, GatewayService.ChaincodeEvents.Type, "/gateway.Gateway/ChaincodeEvents", MethodType.ServerStreaming },
        { PeerDeliverService.Deliver.FullName, PeerDeliverService.Deliver.Type, "/protos.Deliver/Deliver", MethodType.DuplexStreaming },
        { PeerDeliverService.DeliverFiltered.FullName, PeerDeliverService.DeliverFiltered.Type, "/protos.Deliver/DeliverFiltered", MethodType.DuplexStreaming },
        { PeerDeliverService.DeliverWithPrivateData.FullName, PeerDeliverService.DeliverWithPrivateData.Type, "/protos.Deliver/DeliverWithPrivateData", MethodType.DuplexStreaming },
        { EndorserService.ProcessProposal.FullName, EndorserService.ProcessProposal.Type, "/protos.Endorser/ProcessProposal", MethodType.Unary },
        { AtomicBroadcastService.Broadcast.FullName, AtomicBroadcastService.Broadcast.Type, "/orderer.AtomicBroadcast/Broadcast", MethodType.DuplexStreaming },
        { AtomicBroadcastService.Deliver.FullName, AtomicBroadcastService.Deliver.Type, "/orderer.AtomicBroadcast/Deliver", MethodType.DuplexStreaming },
        { ChaincodeSupportService.Register.FullName, ChaincodeSupportService.Register.Type, "/protos.ChaincodeSupport/Register", MethodType.DuplexStreaming },
        { ChaincodeService.Connect.FullName, ChaincodeService.Connect.Type, "/protos.Chaincode/Connect", MethodType.DuplexStreaming },
    };

    [Theory]
    [MemberData(nameof(Paths))]
    public void Fabric_method_paths_and_kinds_match_the_protocol(string path, MethodType type, string expectedPath, MethodType expectedType)
    {
        Assert.Equal(expectedPath, path);
        Assert.Equal(expectedType, type);
    }
}
