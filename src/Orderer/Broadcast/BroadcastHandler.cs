using Grpc.Core;
using Microsoft.Extensions.Logging;
using ZonCoin.Orderer.Channels;
using ZonCoin.Orderer.MsgProcessor;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Orderer;
using ZonCoin.Rpc.Server;
using Status = ZonCoin.Protos.Common.Status;

namespace ZonCoin.Orderer.Broadcast;

/// <summary>
/// <c>/orderer.AtomicBroadcast/Broadcast</c>: answers every envelope of the stream, in order, with one
/// <c>BroadcastResponse</c>. SUCCESS means consensus accepted it; otherwise Fabric's status with the reason
/// (400 malformed or unsupported, 403 identity/signature/policy, 404 unknown channel, 413 too large,
/// 503 consensus unavailable). A bad envelope never ends the stream.
/// </summary>
internal sealed partial class BroadcastHandler
{
    private readonly ChannelRegistry _channels;
    private readonly OrdererMetrics _metrics;
    private readonly ILogger<BroadcastHandler> _logger;

    public BroadcastHandler(ChannelRegistry channels, OrdererMetrics metrics, ILogger<BroadcastHandler> logger)
    {
        _channels = channels;
        _metrics = metrics;
        _logger = logger;
    }

    public async Task HandleAsync(IAsyncStreamReader<Envelope> requests, IServerStreamWriter<BroadcastResponse> responses, ServerCallContext context)
    {
        _metrics.BroadcastStream(+1);
        try
        {
            while (await requests.MoveNext(context.CancellationToken).ConfigureAwait(false))
            {
                var response = await ProcessAsync(requests.Current, context.CancellationToken).ConfigureAwait(false);
                await responses.WriteAsync(response).ConfigureAwait(false);
            }
        }
        finally
        {
            _metrics.BroadcastStream(-1);
        }
    }

    /// <summary>Validates one envelope and hands it to its channel's consensus.</summary>
    public async ValueTask<BroadcastResponse> ProcessAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        var channelLabel = "";
        try
        {
            var (unpacked, messageClass) = MessageProcessor.Classify(envelope);
            var channelId = unpacked.ChannelHeader.ChannelId;
            var support = _channels.Find(channelId)
                ?? throw new MessageRejectedException(Status.NotFound, $"channel '{channelId}' does not exist on this orderer");
            channelLabel = channelId;
            if (support.Chain.Fault is { } fault)
            {
                throw new MessageRejectedException(Status.ServiceUnavailable, $"channel '{channelId}' is not serving: {fault}");
            }
            var state = support.State;
            if (messageClass == MessageClass.ConfigUpdate)
            {
                var config = support.Processor.ProcessConfigUpdate(unpacked, state);
                await support.Chain.ConfigureAsync(config, state.Sequence, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var sequence = support.Processor.ProcessNormal(unpacked, state);
                await support.Chain.OrderAsync(envelope, sequence, cancellationToken).ConfigureAwait(false);
            }
            _metrics.EnvelopeAnswered(channelLabel, Status.Success);
            return new BroadcastResponse { Status = Status.Success };
        }
        catch (MessageRejectedException ex)
        {
            LogRejected(_logger, channelLabel, (int)ex.Status, ex.Message);
            _metrics.EnvelopeAnswered(channelLabel, ex.Status);
            return new BroadcastResponse { Status = ex.Status, Info = ex.Message };
        }
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "Broadcast on channel '{ChannelId}' rejected with {Status}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string channelId, int status, string reason);
}
