using Grpc.Core;
using Microsoft.Extensions.Logging;
using ZonCoin.Core.Policies;
using ZonCoin.Core.Protocol;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Orderer;
using Status = ZonCoin.Protos.Common.Status;

namespace ZonCoin.Rpc.Deliver;

/// <summary>
/// Fabric's deliver service, shared by the orderer's <c>AtomicBroadcast/Deliver</c> and the peer's
/// <c>Deliver</c>, <c>DeliverFiltered</c> and <c>DeliverWithPrivateData</c> (as Fabric's <c>common/deliver</c>): each
/// signed DELIVER_SEEK_INFO request on the stream is answered with the blocks it asks for and then one status.
/// SUCCESS ends that request and the stream waits for the next; any other status ends the stream. The creator must
/// satisfy the readers policy, checked again whenever the channel's config changes while blocks stream.
/// </summary>
public sealed partial class DeliverHandler
{
    /// <summary>How often a request waiting for a block looks for a chain fault.</summary>
    public static readonly TimeSpan FaultPollInterval = TimeSpan.FromSeconds(1);

    private readonly IDeliverChains _chains;
    private readonly string _readersPolicy;
    private readonly TimeProvider _time;
    private readonly bool _mutualTls;
    private readonly ILogger _logger;

    /// <param name="chains">The channels served.</param>
    /// <param name="readersPolicy">The policy a requester must satisfy: <c>/Channel/Readers</c> on an orderer, <c>/Channel/Application/Readers</c> on a peer.</param>
    /// <param name="time">The clock requests' timestamps are checked against; it also paces fault polling.</param>
    /// <param name="mutualTls">Whether requests must carry the hash of the client's TLS certificate.</param>
    /// <param name="logger">Where refused requests are logged.</param>
    public DeliverHandler(IDeliverChains chains, string readersPolicy, TimeProvider time, bool mutualTls, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(chains);
        ArgumentException.ThrowIfNullOrEmpty(readersPolicy);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _chains = chains;
        _readersPolicy = readersPolicy;
        _time = time;
        _mutualTls = mutualTls;
        _logger = logger;
    }

    /// <summary>Serves one Deliver stream until the client ends it or a request fails.</summary>
    public async Task HandleAsync(IAsyncStreamReader<Envelope> requests, IDeliverResponseSender responses, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(responses);
        ArgumentNullException.ThrowIfNull(context);
        var clientCertificate = _mutualTls ? context.GetHttpContext().Connection.ClientCertificate?.RawData : null;
        // Headers at once, before any block: a client learns that the stream is open even on an idle channel.
        await context.WriteResponseHeadersAsync(new Grpc.Core.Metadata()).ConfigureAwait(false);
        while (await requests.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            var status = await DeliverAsync(requests.Current, clientCertificate, responses, context.CancellationToken).ConfigureAwait(false);
            await responses.SendStatusAsync(status).ConfigureAwait(false);
            if (status != Status.Success)
            {
                return;
            }
        }
    }

    private async Task<Status> DeliverAsync(Envelope envelope, byte[]? clientCertificate, IDeliverResponseSender responses, CancellationToken cancellationToken)
    {
        SeekRequest request;
        try
        {
            request = SeekRequests.Read(envelope, _time.GetUtcNow(), clientCertificate);
        }
        catch (SeekRejectedException ex)
        {
            return Fail(ex.Status, "", ex.Message);
        }
        var channelId = request.ChannelId;
        var chain = _chains.Find(channelId);
        if (chain is null)
        {
            return Fail(Status.NotFound, channelId, $"channel '{channelId}' not found");
        }
        try
        {
            return await DeliverBlocksAsync(chain, request, envelope, responses, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // Fabric answers SERVICE_UNAVAILABLE when a chain stops under a reader ("background error").
            return Fail(Status.ServiceUnavailable, channelId, "the channel was closed (removed from this node, or the node is stopping)");
        }
    }

    private async Task<Status> DeliverBlocksAsync(IDeliverChain chain, SeekRequest request, Envelope envelope, IDeliverResponseSender responses, CancellationToken cancellationToken)
    {
        var channelId = request.ChannelId;
        var seek = request.Seek;
        if (chain.Fault is { } fault)
        {
            return Fail(Status.ServiceUnavailable, channelId, fault);
        }
        var signed = new SignedData(envelope.Payload.ToByteArray(), request.Envelope.SignatureHeader.Creator.ToByteArray(), envelope.Signature.ToByteArray());
        var access = chain.Access;
        if (Authorize(access, signed) is { } denied)
        {
            return Fail(Status.Forbidden, channelId, denied);
        }
        ulong start, stop;
        try
        {
            (start, stop) = SeekRequests.Range(seek, chain.Height);
        }
        catch (SeekRejectedException ex)
        {
            return Fail(ex.Status, channelId, ex.Message);
        }
        for (var number = start; number <= stop; number++)
        {
            if (number >= chain.Height)
            {
                if (seek.Behavior == SeekInfo.Types.SeekBehavior.FailIfNotReady)
                {
                    return Fail(Status.NotFound, channelId, $"block {number} is not ready");
                }
                if (await WaitForBlockAsync(chain, number, cancellationToken).ConfigureAwait(false) is { } unavailable)
                {
                    return Fail(Status.ServiceUnavailable, channelId, unavailable);
                }
            }
            var current = chain.Access;
            if (current.Sequence != access.Sequence)
            {
                access = current;
                if (Authorize(access, signed) is { } revoked)
                {
                    return Fail(Status.Forbidden, channelId, revoked);
                }
            }
            var block = chain.GetBlock(number);
            if (seek.ContentType == SeekInfo.Types.SeekContentType.HeaderWithSig)
            {
                block.Data = new BlockData();
            }
            await responses.SendBlockAsync(channelId, block).ConfigureAwait(false);
            if (number == ulong.MaxValue)
            {
                break;
            }
        }
        return Status.Success;
    }

    /// <summary>Waits for block <paramref name="number"/>; returns why the chain stopped serving, or null once it is there.</summary>
    private async Task<string?> WaitForBlockAsync(IDeliverChain chain, ulong number, CancellationToken cancellationToken)
    {
        while (chain.Height <= number)
        {
            if (chain.Fault is { } fault)
            {
                return fault;
            }
            using var poll = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var timer = _time.CreateTimer(static state => ((CancellationTokenSource)state!).Cancel(), poll, FaultPollInterval, Timeout.InfiniteTimeSpan);
            try
            {
                await chain.WaitForBlockAsync(number, poll.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Wake up to notice a fault.
            }
        }
        return null;
    }

    private string? Authorize(DeliverAccess access, SignedData signed)
    {
        var signers = SignerSet.From([signed], access.Msps, _time.GetUtcNow());
        if (signers.Identities.Count == 0)
        {
            return $"deliver request signature does not verify: {signers.Describe()}";
        }
        var result = access.Policies.Evaluate(_readersPolicy, signers);
        return result.IsSatisfied ? null : $"{_readersPolicy}: {result.Reason}";
    }

    private Status Fail(Status status, string channelId, string reason)
    {
        LogDeliverFailed(_logger, channelId, (int)status, reason);
        return status;
    }

    [LoggerMessage(EventId = 9001, Level = LogLevel.Warning, Message = "Deliver on channel '{ChannelId}' ended with {Status}: {Reason}")]
    private static partial void LogDeliverFailed(ILogger logger, string channelId, int status, string reason);
}
