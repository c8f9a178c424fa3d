using Grpc.Core;
using ZonCoin.Protos.Common;
using PeerDeliverResponse = ZonCoin.Protos.Peer.DeliverResponse;

namespace ZonCoin.Gateway.Server;

/// <summary>
/// The Deliver services of a standalone gateway's endpoint, served by <see cref="GatewayServer.DeliverAsync"/>; a
/// gateway inside a peer leaves Deliver to the peer, whose address serves both.
/// </summary>
internal sealed class DeliverRelay(GatewayServer gateway)
{
    public Task DeliverAsync(
        Method<Envelope, PeerDeliverResponse> method, IAsyncStreamReader<Envelope> requests, IServerStreamWriter<PeerDeliverResponse> responses, ServerCallContext context) =>
        gateway.DeliverAsync(method, requests, responses, context);
}
