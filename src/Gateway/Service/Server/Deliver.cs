using Grpc.Core;
using ZonCoin.Core.Protocol;
using ZonCoin.Gateway.Channels;
using ZonCoin.Protos.Common;
using ZonCoin.Rpc.Server;
using PeerDeliverResponse = ZonCoin.Protos.Peer.DeliverResponse;
using Status = ZonCoin.Protos.Common.Status;

namespace ZonCoin.Gateway.Server;

internal sealed partial class GatewayServer
{
    /// <summary>
    /// <c>/protos.Deliver/Deliver</c>, <c>DeliverFiltered</c> and <c>DeliverWithPrivateData</c> on the gateway's
    /// endpoint (the official client asks the gateway for block events): each signed seek request is checked as the
    /// peer would (time window, TLS binding when the client sent one, the channel's Readers policy) and then served
    /// by the gateway's peer, its blocks and final status relayed as they come.
    /// </summary>
    public async Task DeliverAsync(
        Method<Envelope, PeerDeliverResponse> method, IAsyncStreamReader<Envelope> requests, IServerStreamWriter<PeerDeliverResponse> responses, ServerCallContext context)
    {
        while (await requests.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            var (status, relayed) = await RelayAsync(method, requests.Current, responses, context).ConfigureAwait(false);
            if (!relayed)
            {
                await responses.WriteAsync(new PeerDeliverResponse { Status = status }, context.CancellationToken).ConfigureAwait(false);
            }
            if (status != Status.Success)
            {
                return;
            }
        }
    }

    /// <summary>Serves one request: its final status, and whether the peer's own status response was already relayed.</summary>
    private async Task<(Status Status, bool Relayed)> RelayAsync(Method<Envelope, PeerDeliverResponse> method, Envelope envelope, IServerStreamWriter<PeerDeliverResponse> responses, ServerCallContext context)
    {
        SeekRequest request;
        try
        {
            var bound = !Envelopes.Unpack(envelope).ChannelHeader.TlsCertHash.IsEmpty ? context.GetHttpContext().Connection.ClientCertificate?.RawData : null;
            request = SeekRequests.Read(envelope, _time.GetUtcNow(), bound);
        }
        catch (SeekRejectedException ex)
        {
            return (ex.Status, false);
        }
        catch (MalformedMessageException)
        {
            return (Status.BadRequest, false);
        }
        GatewayChannel channel;
        try
        {
            channel = await _channels.GetAsync(request.ChannelId, context.CancellationToken).ConfigureAwait(false);
        }
        catch (ChannelNotFoundException)
        {
            return (Status.NotFound, false);
        }
        catch (PeersUnavailableException)
        {
            return (Status.ServiceUnavailable, false);
        }
        try
        {
            CheckReaders(channel.Resources, envelope.Payload.ToByteArray(), request.Envelope.SignatureHeader.Creator.ToByteArray(), envelope.Signature.ToByteArray());
        }
        catch (RpcException)
        {
            return (Status.Forbidden, false);
        }
        var peer = _topology.OwnPeer;
        if (peer is null)
        {
            return (Status.ServiceUnavailable, false);
        }
        try
        {
            await foreach (var response in _peers.DeliverAsync(peer, method, channel.ChannelId, request.Seek, context.CancellationToken).ConfigureAwait(false))
            {
                await responses.WriteAsync(response, context.CancellationToken).ConfigureAwait(false);
                if (response.TypeCase == PeerDeliverResponse.TypeOneofCase.Status)
                {
                    return (response.Status, true);
                }
            }
        }
        catch (RpcException) when (!context.CancellationToken.IsCancellationRequested)
        {
            _topology.Failed(peer);
        }
        return (Status.ServiceUnavailable, false);
    }
}
