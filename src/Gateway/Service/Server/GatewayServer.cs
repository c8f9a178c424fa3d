using Grpc.Core;
using Microsoft.Extensions.Logging;
using ZonCoin.Core.Config;
using ZonCoin.Core.Policies;
using ZonCoin.Core.Protocol;
using ZonCoin.Gateway.Channels;
using ZonCoin.Gateway.Hosting;
using ZonCoin.Gateway.Nodes;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Gateway.Server;

/// <summary>
/// The <c>gateway.Gateway</c> service and the Deliver service passed through to the gateway's peer; one partial
/// file per RPC. Every failure leaves as a gRPC status with <c>gateway.ErrorDetail</c>s (see <see cref="GatewayErrors"/>).
/// </summary>
internal sealed partial class GatewayServer
{
    private const string ReadersPolicy = "/Channel/Application/Readers";

    private readonly GatewayChannels _channels;
    private readonly GatewayTopology _topology;
    private readonly PeerClient _peers;
    private readonly OrdererClient _orderers;
    private readonly GatewayOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<GatewayServer> _logger;

    public GatewayServer(
        GatewayChannels channels, GatewayTopology topology, PeerClient peers, OrdererClient orderers, GatewayOptions options, TimeProvider time, ILogger<GatewayServer> logger)
    {
        _channels = channels;
        _topology = topology;
        _peers = peers;
        _orderers = orderers;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>The channel, or NOT_FOUND / UNAVAILABLE.</summary>
    private async Task<GatewayChannel> ChannelAsync(string channelId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(channelId))
        {
            throw GatewayErrors.Create(StatusCode.InvalidArgument, "no channel id provided");
        }
        try
        {
            return await _channels.GetAsync(channelId, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelNotFoundException ex)
        {
            throw GatewayErrors.Create(StatusCode.NotFound, ex.Message);
        }
        catch (PeersUnavailableException ex)
        {
            throw GatewayErrors.Create(StatusCode.Unavailable, ex.Message);
        }
    }

    /// <summary>Unpacks a client's signed proposal, or INVALID_ARGUMENT naming what is wrong.</summary>
    private static UnpackedProposal UnpackProposal(SignedProposal? signed)
    {
        if (signed is null || signed.ProposalBytes.IsEmpty)
        {
            throw GatewayErrors.Create(StatusCode.InvalidArgument, "the proposed transaction must contain a signed proposal");
        }
        try
        {
            return Proposals.Unpack(signed);
        }
        catch (MalformedMessageException ex)
        {
            throw GatewayErrors.Create(StatusCode.InvalidArgument, $"failed to unpack transaction proposal: {ex.Message}");
        }
    }

    /// <summary>Checks a signed request against the channel's Readers policy; PERMISSION_DENIED otherwise.</summary>
    private void CheckReaders(ChannelResources resources, byte[] data, byte[] identity, byte[] signature)
    {
        var signers = SignerSet.From([new SignedData(data, identity, signature)], resources.Msps, _time.GetUtcNow());
        var result = resources.Policies.Evaluate(ReadersPolicy, signers);
        if (!result.IsSatisfied)
        {
            var reason = signers.Identities.Count == 0 ? signers.Describe() : result.Reason;
            throw GatewayErrors.Create(StatusCode.PermissionDenied, $"access denied: channel [{resources.ChannelId}]: {ReadersPolicy} not satisfied: {reason}");
        }
    }
}
