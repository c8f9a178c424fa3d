using Google.Protobuf;
using Grpc.Core;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Gateway;
using ZonCoin.Protos.Peer;
using BroadcastResponse = ZonCoin.Protos.Orderer.BroadcastResponse;
using OrdererDeliverResponse = ZonCoin.Protos.Orderer.DeliverResponse;
using PeerDeliverResponse = ZonCoin.Protos.Peer.DeliverResponse;

namespace ZonCoin.Rpc.Services;

/// <summary><c>gateway.Gateway</c>: what applications call (PROTOCOL.md §1).</summary>
public static class GatewayService
{
    public const string Name = "gateway.Gateway";

    public static readonly Method<EndorseRequest, EndorseResponse> Endorse = RpcMethods.Create<EndorseRequest, EndorseResponse>(MethodType.Unary, Name, "Endorse");
    public static readonly Method<SubmitRequest, SubmitResponse> Submit = RpcMethods.Create<SubmitRequest, SubmitResponse>(MethodType.Unary, Name, "Submit");
    public static readonly Method<SignedCommitStatusRequest, CommitStatusResponse> CommitStatus = RpcMethods.Create<SignedCommitStatusRequest, CommitStatusResponse>(MethodType.Unary, Name, "CommitStatus");
    public static readonly Method<EvaluateRequest, EvaluateResponse> Evaluate = RpcMethods.Create<EvaluateRequest, EvaluateResponse>(MethodType.Unary, Name, "Evaluate");
    public static readonly Method<SignedChaincodeEventsRequest, ChaincodeEventsResponse> ChaincodeEvents = RpcMethods.Create<SignedChaincodeEventsRequest, ChaincodeEventsResponse>(MethodType.ServerStreaming, Name, "ChaincodeEvents");
}

/// <summary><c>protos.Deliver</c>: blocks and filtered blocks from a peer (or a gateway passing them through).</summary>
public static class PeerDeliverService
{
    public const string Name = "protos.Deliver";

    public static readonly Method<Envelope, PeerDeliverResponse> Deliver = RpcMethods.Create<Envelope, PeerDeliverResponse>(MethodType.DuplexStreaming, Name, "Deliver");
    public static readonly Method<Envelope, PeerDeliverResponse> DeliverFiltered = RpcMethods.Create<Envelope, PeerDeliverResponse>(MethodType.DuplexStreaming, Name, "DeliverFiltered");
    public static readonly Method<Envelope, PeerDeliverResponse> DeliverWithPrivateData = RpcMethods.Create<Envelope, PeerDeliverResponse>(MethodType.DuplexStreaming, Name, "DeliverWithPrivateData");
}

/// <summary><c>protos.Endorser</c>: proposals to a peer.</summary>
public static class EndorserService
{
    public const string Name = "protos.Endorser";

    public static readonly Method<SignedProposal, ProposalResponse> ProcessProposal = RpcMethods.Create<SignedProposal, ProposalResponse>(MethodType.Unary, Name, "ProcessProposal");
}

/// <summary><c>orderer.AtomicBroadcast</c>: envelopes in, blocks out.</summary>
public static class AtomicBroadcastService
{
    public const string Name = "orderer.AtomicBroadcast";

    public static readonly Method<Envelope, BroadcastResponse> Broadcast = RpcMethods.Create<Envelope, BroadcastResponse>(MethodType.DuplexStreaming, Name, "Broadcast");
    public static readonly Method<Envelope, OrdererDeliverResponse> Deliver = RpcMethods.Create<Envelope, OrdererDeliverResponse>(MethodType.DuplexStreaming, Name, "Deliver");
}

/// <summary><c>protos.ChaincodeSupport</c>: a chaincode dials the peer and registers.</summary>
public static class ChaincodeSupportService
{
    public const string Name = "protos.ChaincodeSupport";

    public static readonly Method<ChaincodeMessage, ChaincodeMessage> Register = RpcMethods.Create<ChaincodeMessage, ChaincodeMessage>(MethodType.DuplexStreaming, Name, "Register");
}

/// <summary><c>protos.Chaincode</c>: the peer dials a chaincode served as a service (CCaaS).</summary>
public static class ChaincodeService
{
    public const string Name = "protos.Chaincode";

    public static readonly Method<ChaincodeMessage, ChaincodeMessage> Connect = RpcMethods.Create<ChaincodeMessage, ChaincodeMessage>(MethodType.DuplexStreaming, Name, "Connect");
}

/// <summary>Builds a method descriptor with protobuf marshallers that answer as grpc-go does.</summary>
public static class RpcMethods
{
    public static Method<TRequest, TResponse> Create<TRequest, TResponse>(MethodType type, string serviceName, string name)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new() =>
        new(type, serviceName, name, ProtobufMarshallers.Request<TRequest>(), ProtobufMarshallers.Response<TResponse>());
}
