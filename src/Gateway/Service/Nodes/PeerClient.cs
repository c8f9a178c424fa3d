using Google.Protobuf;
using Grpc.Core;
using ZonCoin.Core.Protocol;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Orderer;
using ZonCoin.Protos.Peer;
using ZonCoin.Rpc.Client;
using ZonCoin.Rpc.Services;
using PeerDeliverResponse = ZonCoin.Protos.Peer.DeliverResponse;

namespace ZonCoin.Gateway.Nodes;

/// <summary>
/// The gateway's calls to peers: proposals (the client's, passed on; or the gateway's own system-chaincode
/// queries) and Deliver streams signed by the gateway's identity.
/// </summary>
internal sealed class PeerClient
{
    private readonly NodeConnections _connections;
    private readonly SigningIdentity _identity;
    private readonly TimeSpan _endorsementTimeout;
    private readonly TimeProvider _time;

    public PeerClient(NodeConnections connections, SigningIdentity identity, TimeSpan endorsementTimeout, TimeProvider time)
    {
        _connections = connections;
        _identity = identity;
        _endorsementTimeout = endorsementTimeout;
        _time = time;
    }

    /// <summary>The gateway's own identity (it signs its Deliver requests and system-chaincode queries).</summary>
    public SigningIdentity Identity => _identity;

    /// <summary>Sends a proposal to one peer, within the endorsement timeout, and classifies the answer.</summary>
    public async Task<EndorserAnswer> ProcessProposalAsync(PeerAddress peer, SignedProposal proposal, CancellationToken cancellationToken)
    {
        try
        {
            var channel = _connections.Get(peer.Endpoint);
            var deadline = _time.GetUtcNow().UtcDateTime + _endorsementTimeout;
            using var call = channel.CreateCallInvoker().AsyncUnaryCall(EndorserService.ProcessProposal, null, new CallOptions(deadline: deadline, cancellationToken: cancellationToken), proposal);
            var response = await call.ResponseAsync.ConfigureAwait(false);
            return EndorserAnswer.FromResponse(peer, response);
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return EndorserAnswer.FromError(peer, ex);
        }
    }

    /// <summary>
    /// Runs a query on a system chaincode (<c>qscc</c>, <c>_lifecycle</c>) of one peer as the gateway itself and
    /// returns the chaincode's response (any status), or the peer's refusal as an <see cref="EndorserAnswer"/>.
    /// </summary>
    public async Task<EndorserAnswer> QueryAsync(PeerAddress peer, string channelId, string chaincode, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var (proposal, _) = Proposals.Create(new ChaincodeInvocation(channelId, chaincode, [.. args.Select(System.Text.Encoding.UTF8.GetBytes)]), _identity, _time.GetUtcNow());
        return await ProcessProposalAsync(peer, proposal, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads from a peer's Deliver service with a seek request signed by the gateway: blocks (or filtered blocks)
    /// and then the peer's final status, which ends the enumeration; the call is cancelled when enumeration stops.
    /// </summary>
    public IAsyncEnumerable<PeerDeliverResponse> DeliverAsync(
        PeerAddress peer, Method<Envelope, PeerDeliverResponse> method, string channelId, SeekInfo seek, CancellationToken cancellationToken)
    {
        var request = DeliverRequests.Create(channelId, seek, _identity, _connections.TlsCertificateHash, _time.GetUtcNow());
        return PeerDeliverClient.ReadAsync(_connections.Get(peer.Endpoint).CreateCallInvoker(), method, request, cancellationToken);
    }
}

/// <summary>A peer ended a Deliver stream with a non-SUCCESS status.</summary>
internal sealed class PeerRefusedException : Exception
{
    public PeerRefusedException(PeerAddress peer, Protos.Common.Status status)
        : base($"peer {peer} answered the deliver request with {status}")
    {
        Peer = peer;
        Status = status;
    }

    public PeerAddress Peer { get; }

    public Protos.Common.Status Status { get; }
}
