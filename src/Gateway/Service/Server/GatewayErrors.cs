using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using ZonCoin.Gateway.Nodes;
using ZonCoin.Protos.Gateway;
using ZonCoin.Rpc;

namespace ZonCoin.Gateway.Server;

/// <summary>
/// The one place gateway failures become gRPC errors: a status code, a message, and Fabric's
/// <c>gateway.ErrorDetail</c> entries (which peer or orderer failed, of which MSP, and why) in
/// <c>grpc-status-details-bin</c>, as the official clients read them.
/// </summary>
internal static class GatewayErrors
{
    public static RpcException Create(StatusCode code, string message, IEnumerable<ErrorDetail>? details = null) =>
        RpcStatusDetails.Create(code, message, (details ?? []).Select(Any.Pack));

    public static ErrorDetail Detail(PeerAddress peer, string message) => new() { Address = peer.Endpoint, MspId = peer.MspId, Message = message };

    public static ErrorDetail Detail(string address, string mspId, string message) => new() { Address = address, MspId = mspId, Message = message };
}
