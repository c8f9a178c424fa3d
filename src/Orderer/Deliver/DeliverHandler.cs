using Google.Protobuf;
using Microsoft.Extensions.Logging;
using ZonCoin.Core.Policies;
using ZonCoin.Core.Protocol;
using ZonCoin.Orderer.Channels;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Orderer;
using Grpc.Core;
using ZonCoin.Rpc;
using Status = ZonCoin.Protos.Common.Status;
using ZonCoin.Rpc.Server;

namespace ZonCoin.Orderer.Deliver;

/// <summary>
/// <c>/orderer.AtomicBroadcast/Deliver</c>, as Fabric's deliver service: each signed DELIVER_SEEK_INFO request
/// on the stream is answered with the blocks it asks for and then one status. SUCCESS ends that request and the
/// stream waits for the next one; any other status ends the stream. The creator must satisfy
/// <c>/Channel/Readers</c>, re-checked whenever the channel's config changes while blocks stream.
/// </summary>
internal sealed partial class DeliverHandler
{
    private const string ReadersPath = "/Channel/Readers";
    private static readonly TimeSpan ChainPollInterval = TimeSpan.FromSeconds(1);

    private readonly ChannelRegistry _channels;
    private readonly OrdererMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly bool _mutualTls;
    private readonly ILogger<DeliverHandler> _logger;

    public DeliverHandler(ChannelRegistry channels, OrdererMetrics metrics, TimeProvider time, bool mutualTls, ILogger<DeliverHandler> logger)
    {
        _channels = channels;
        _metrics = metrics;
        _time = time;
        _mutualTls = mutualTls;
        _logger = logger;
    }

    public async Task HandleAsync(IAsyncStreamReader<Envelope> requests, IServerStreamWriter<DeliverResponse> responses, ServerCallContext context)
    {
        _metrics.DeliverStream(+1);
        try
        {
            while (await requests.MoveNext(context.CancellationToken).ConfigureAwait(false))
            {
                Status status;
                try
                {
                    status = await DeliverAsync(requests.Current, responses, context).ConfigureAwait(false);
                }
                catch (ObjectDisposedException)
                {
                    // The channel was removed (its block store closed) while this reader was streaming it.
                    status = Fail(Status.NotFound, "", "the channel was removed from this orderer");
                }
                await responses.WriteAsync(new DeliverResponse { Status = status }).ConfigureAwait(false);
                if (status != Status.Success)
                {
                    return;
                }
            }
        }
        finally
        {
            _metrics.DeliverStream(-1);
        }
    }

    private async Task<Status> DeliverAsync(Envelope envelope, IServerStreamWriter<DeliverResponse> responses, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        SeekRequest request;
        try
        {
            request = SeekRequests.Read(envelope, _time.GetUtcNow(), _mutualTls ? context.GetHttpContext().Connection.ClientCertificate?.RawData : null);
        }
        catch (SeekRejectedException ex)
        {
            return Fail(ex.Status, "", ex.Message);
        }
        var channelId = request.ChannelId;
        var seek = request.Seek;
        var support = _channels.Find(channelId);
        if (support is null)
        {
            return Fail(Status.NotFound, channelId, $"channel '{channelId}' does not exist on this orderer");
        }
        if (support.Chain.Fault is { } fault)
        {
            return Fail(Status.ServiceUnavailable, channelId, fault);
        }
        var signed = new SignedData(envelope.Payload.ToByteArray(), request.Envelope.SignatureHeader.Creator.ToByteArray(), envelope.Signature.ToByteArray());
        var checkedSequence = support.State.Sequence;
        if (Authorize(support, signed) is { } denied)
        {
            return Fail(Status.Forbidden, channelId, denied);
        }
        var store = support.Store;
        ulong start, stop;
        try
        {
            (start, stop) = SeekRequests.Range(seek, store.Height);
        }
        catch (SeekRejectedException ex)
        {
            return Fail(ex.Status, channelId, ex.Message);
        }
        for (var number = start; number <= stop; number++)
        {
            if (number >= store.Height)
            {
                if (seek.Behavior == SeekInfo.Types.SeekBehavior.FailIfNotReady)
                {
                    return Fail(Status.NotFound, channelId, $"block {number} is not ready");
                }
                if (await WaitForBlockAsync(support, number, cancellationToken).ConfigureAwait(false) is { } unavailable)
                {
                    return Fail(Status.ServiceUnavailable, channelId, unavailable);
                }
            }
            var sequence = support.State.Sequence;
            if (sequence != checkedSequence)
            {
                checkedSequence = sequence;
                if (Authorize(support, signed) is { } revoked)
                {
                    return Fail(Status.Forbidden, channelId, revoked);
                }
            }
            var block = store.GetBlock(number);
            if (seek.ContentType == SeekInfo.Types.SeekContentType.HeaderWithSig)
            {
                block.Data = new BlockData();
            }
            await responses.WriteAsync(new DeliverResponse { Block = block }).ConfigureAwait(false);
            if (number == ulong.MaxValue)
            {
                break;
            }
        }
        return Status.Success;
    }

    /// <summary>Waits for block <paramref name="number"/>; returns why the channel stopped serving, or null.</summary>
    private static async Task<string?> WaitForBlockAsync(ChainSupport support, ulong number, CancellationToken cancellationToken)
    {
        while (support.Store.Height <= number)
        {
            if (support.Chain.Fault is { } fault)
            {
                return fault;
            }
            using var poll = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            poll.CancelAfter(ChainPollInterval);
            try
            {
                await support.Store.WaitForHeightAsync(number + 1, poll.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Wake up to notice a fault or a removed channel.
            }
            catch (ObjectDisposedException)
            {
                return "the channel was removed from this orderer";
            }
        }
        return null;
    }

    private string? Authorize(ChainSupport support, SignedData signed)
    {
        var state = support.State;
        var signers = SignerSet.From([signed], state.Msps, _time.GetUtcNow());
        if (signers.Identities.Count == 0)
        {
            return $"deliver request signature does not verify: {signers.Describe()}";
        }
        var result = state.Policies.Evaluate(ReadersPath, signers);
        return result.IsSatisfied ? null : $"{ReadersPath}: {result.Reason}";
    }

    private Status Fail(Status status, string channelId, string reason)
    {
        LogDeliverFailed(_logger, channelId, (int)status, reason);
        return status;
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Deliver on channel '{ChannelId}' ended with {Status}: {Reason}")]
    private static partial void LogDeliverFailed(ILogger logger, string channelId, int status, string reason);
}
