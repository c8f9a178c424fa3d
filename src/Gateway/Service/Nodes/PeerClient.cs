using System.Runtime.CompilerServices;
using Google.Protobuf;
using Grpc.Core;
using ZonCoin.Core.Protocol;
using ZonCoin.Gateway.Hosting;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Lifecycle;
using ZonCoin.Protos.Orderer;
using ZonCoin.Protos.Peer;
using ZonCoin.Rpc.Client;
using ZonCoin.Rpc.Deliver;
using ZonCoin.Rpc.Services;
using PeerDeliverResponse = ZonCoin.Protos.Peer.DeliverResponse;

namespace ZonCoin.Gateway.Nodes;

/// <summary>
/// The gateway's calls to peers: proposals (the client's, passed on; or the gateway's own system-chaincode
/// queries) and Deliver streams signed by the gateway's identity. A gateway inside a peer passes proposals for that
/// peer to its endorser in-process.
/// </summary>
internal sealed class PeerClient
{
    private readonly NodeConnections _connections;
    private readonly SigningIdentity _identity;
    private readonly TimeSpan _endorsementTimeout;
    private readonly TimeProvider _time;
    private readonly LocalPeer? _local;

    public PeerClient(NodeConnections connections, SigningIdentity identity, TimeSpan endorsementTimeout, TimeProvider time, LocalPeer? local = null)
    {
        _local = local;
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
        if (_local is not null && peer.Endpoint == _local.Endpoint)
        {
            return await ProcessLocallyAsync(_local, peer, proposal, cancellationToken).ConfigureAwait(false);
        }
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
    /// A chaincode's definition read from the peer the gateway runs in (no proposal, so no ACL on the gateway's own
    /// identity): false when <paramref name="peer"/> is another peer, or the local peer has not joined the channel.
    /// </summary>
    public bool TryFindDefinitionLocally(PeerAddress peer, string channelId, string chaincode, out ChaincodeDefinition? definition)
    {
        definition = null;
        if (_local is null || peer.Endpoint != _local.Endpoint)
        {
            return false;
        }
        (var found, definition) = _local.FindDefinition(channelId, chaincode);
        return found;
    }

    /// <summary>The in-process call: the same answers, and the same endorsement timeout, as over gRPC.</summary>
    private async Task<EndorserAnswer> ProcessLocallyAsync(LocalPeer local, PeerAddress peer, SignedProposal proposal, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_endorsementTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return EndorserAnswer.FromResponse(peer, await local.ProcessProposal(proposal, linked.Token).ConfigureAwait(false));
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return EndorserAnswer.FromError(peer, ex);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return EndorserAnswer.FromError(peer, new RpcException(new Grpc.Core.Status(StatusCode.DeadlineExceeded,
                $"the peer did not answer within the endorsement timeout ({_endorsementTimeout.TotalSeconds:0.###} s)")));
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
    /// The blocks of a channel from <paramref name="from"/> on, as <paramref name="peer"/> commits them, without end:
    /// read in-process when it is the peer the gateway runs in, else over its Deliver service. Throws
    /// <see cref="PeerRefusedException"/> when the peer refuses (NOT_FOUND for a channel it has not joined) and
    /// <see cref="ObjectDisposedException"/> when the local peer closes the channel.
    /// </summary>
    public IAsyncEnumerable<Block> FollowAsync(PeerAddress peer, string channelId, ulong from, CancellationToken cancellationToken)
    {
        if (_local is not null && peer.Endpoint == _local.Endpoint)
        {
            return FollowLocallyAsync(_local.CommittedBlocks, peer, channelId, from, cancellationToken);
        }
        return FollowOverDeliverAsync(peer, channelId, from, cancellationToken);
    }

    /// <summary>
    /// One committed block of a channel: the newest when <paramref name="number"/> is null. Read in-process when
    /// <paramref name="peer"/> is the peer the gateway runs in, else over its Deliver service. Throws
    /// <see cref="PeerRefusedException"/> when the peer refuses (NOT_FOUND for a channel it has not joined).
    /// </summary>
    public async Task<Block> ReadBlockAsync(PeerAddress peer, string channelId, ulong? number, CancellationToken cancellationToken)
    {
        if (_local is not null && peer.Endpoint == _local.Endpoint)
        {
            // As the peer's Deliver answers a seek that fails if not ready: NOT_FOUND for a channel it has not joined
            // and for a block it does not have yet.
            var chain = _local.CommittedBlocks.Find(channelId);
            var height = chain?.Height ?? 0;
            if (chain is null || height == 0 || number >= height)
            {
                throw new PeerRefusedException(peer, Protos.Common.Status.NotFound);
            }
            return chain.GetBlock(number ?? height - 1);
        }
        var position = number is { } n ? DeliverRequests.Specified(n) : DeliverRequests.Newest();
        var seek = DeliverRequests.Range(position, position, SeekInfo.Types.SeekBehavior.FailIfNotReady);
        await foreach (var response in DeliverAsync(peer, PeerDeliverService.Deliver, channelId, seek, cancellationToken).ConfigureAwait(false))
        {
            if (response.TypeCase == PeerDeliverResponse.TypeOneofCase.Block)
            {
                return response.Block;
            }
            throw new PeerRefusedException(peer, response.Status);
        }
        throw new InvalidOperationException($"peer {peer} ended the deliver stream without a block");
    }

    private static async IAsyncEnumerable<Block> FollowLocallyAsync(IDeliverChains chains, PeerAddress peer, string channelId, ulong from,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var number = from; ; number++)
        {
            var chain = chains.Find(channelId) ?? throw new PeerRefusedException(peer, Protos.Common.Status.NotFound);
            await chain.WaitForBlockAsync(number, cancellationToken).ConfigureAwait(false);
            yield return chain.GetBlock(number);
        }
    }

    private async IAsyncEnumerable<Block> FollowOverDeliverAsync(PeerAddress peer, string channelId, ulong from, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var seek = DeliverRequests.Range(DeliverRequests.Specified(from), DeliverRequests.Specified(DeliverRequests.Forever));
        await foreach (var response in DeliverAsync(peer, PeerDeliverService.Deliver, channelId, seek, cancellationToken).ConfigureAwait(false))
        {
            if (response.TypeCase == PeerDeliverResponse.TypeOneofCase.Status)
            {
                throw new PeerRefusedException(peer, response.Status);
            }
            yield return response.Block;
        }
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
