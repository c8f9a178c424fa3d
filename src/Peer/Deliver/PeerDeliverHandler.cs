using Microsoft.Extensions.Logging;
using ZonCoin.Core.Policies;
using ZonCoin.Core.Protocol;
using ZonCoin.Peer.Channels;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Peer;
using Grpc.Core;
using ZonCoin.Rpc;
using ZonCoin.Rpc.Server;
using Status = ZonCoin.Protos.Common.Status;

namespace ZonCoin.Peer.Deliver;

/// <summary>What a peer Deliver stream sends for each block.</summary>
internal enum DeliverContent
{
    Blocks,
    Filtered,
    BlocksAndPrivateData,
}

/// <summary>
/// The peer's <c>/protos.Deliver/Deliver</c>, <c>DeliverFiltered</c> and <c>DeliverWithPrivateData</c>: committed
/// blocks (with their TRANSACTIONS_FILTER), filtered blocks, or blocks with an empty private data map, with the
/// orderer's seek semantics; the creator must satisfy <c>/Channel/Application/Readers</c>, re-checked when the
/// channel's config changes. SUCCESS ends a request (the stream waits for the next); other statuses end the stream.
/// </summary>
internal sealed partial class PeerDeliverHandler
{
    private const string ReadersPolicy = "/Channel/Application/Readers";

    private readonly PeerChannels _channels;
    private readonly TimeProvider _time;
    private readonly bool _mutualTls;
    private readonly ILogger<PeerDeliverHandler> _logger;

    public PeerDeliverHandler(PeerChannels channels, TimeProvider time, bool mutualTls, ILogger<PeerDeliverHandler> logger)
    {
        _channels = channels;
        _time = time;
        _mutualTls = mutualTls;
        _logger = logger;
    }

    public Task DeliverAsync(IAsyncStreamReader<Envelope> requests, IServerStreamWriter<DeliverResponse> responses, ServerCallContext context) =>
        HandleAsync(DeliverContent.Blocks, requests, responses, context);

    public Task DeliverFilteredAsync(IAsyncStreamReader<Envelope> requests, IServerStreamWriter<DeliverResponse> responses, ServerCallContext context) =>
        HandleAsync(DeliverContent.Filtered, requests, responses, context);

    public Task DeliverWithPrivateDataAsync(IAsyncStreamReader<Envelope> requests, IServerStreamWriter<DeliverResponse> responses, ServerCallContext context) =>
        HandleAsync(DeliverContent.BlocksAndPrivateData, requests, responses, context);

    private async Task HandleAsync(DeliverContent content, IAsyncStreamReader<Envelope> requests, IServerStreamWriter<DeliverResponse> responses, ServerCallContext context)
    {
        while (await requests.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            Status status;
            try
            {
                status = await ServeAsync(content, requests.Current, responses, context).ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                status = Fail(Status.ServiceUnavailable, "", "the peer is shutting down");
            }
            await responses.WriteAsync(new DeliverResponse { Status = status }).ConfigureAwait(false);
            if (status != Status.Success)
            {
                return;
            }
        }
    }

    private async Task<Status> ServeAsync(DeliverContent content, Envelope envelope, IServerStreamWriter<DeliverResponse> responses, ServerCallContext context)
    {
        SeekRequest request;
        try
        {
            request = SeekRequests.Read(envelope, _time.GetUtcNow(), _mutualTls ? context.GetHttpContext().Connection.ClientCertificate?.RawData : null);
        }
        catch (SeekRejectedException ex)
        {
            return Fail(ex.Status, "", ex.Message);
        }
        var channel = _channels.Find(request.ChannelId);
        if (channel is null)
        {
            return Fail(Status.NotFound, request.ChannelId, $"channel '{request.ChannelId}' not found");
        }
        var signed = new SignedData(envelope.Payload.ToByteArray(), request.Envelope.SignatureHeader.Creator.ToByteArray(), envelope.Signature.ToByteArray());
        var checkedSequence = channel.Resources.Sequence;
        if (Authorize(channel, signed) is { } denied)
        {
            return Fail(Status.Forbidden, request.ChannelId, denied);
        }
        ulong start, stop;
        try
        {
            (start, stop) = SeekRequests.Range(request.Seek, channel.Height);
        }
        catch (SeekRejectedException ex)
        {
            return Fail(ex.Status, request.ChannelId, ex.Message);
        }
        for (var number = start; number <= stop; number++)
        {
            if (number >= channel.Height)
            {
                if (request.Seek.Behavior == Protos.Orderer.SeekInfo.Types.SeekBehavior.FailIfNotReady)
                {
                    return Fail(Status.NotFound, request.ChannelId, $"block {number} is not ready");
                }
                await channel.WaitForBlockAsync(number, context.CancellationToken).ConfigureAwait(false);
            }
            if (channel.Resources.Sequence != checkedSequence)
            {
                checkedSequence = channel.Resources.Sequence;
                if (Authorize(channel, signed) is { } revoked)
                {
                    return Fail(Status.Forbidden, request.ChannelId, revoked);
                }
            }
            var block = channel.Blocks.GetBlock(number);
            var response = content switch
            {
                DeliverContent.Filtered => new DeliverResponse { FilteredBlock = FilteredBlocks.From(request.ChannelId, block) },
                DeliverContent.BlocksAndPrivateData => new DeliverResponse { BlockAndPrivateData = new BlockAndPrivateData { Block = block } },
                _ => new DeliverResponse { Block = block },
            };
            await responses.WriteAsync(response).ConfigureAwait(false);
            if (number == ulong.MaxValue)
            {
                break;
            }
        }
        return Status.Success;
    }

    private string? Authorize(PeerChannel channel, SignedData signed)
    {
        var resources = channel.Resources;
        var signers = SignerSet.From([signed], resources.Msps, _time.GetUtcNow());
        if (signers.Identities.Count == 0)
        {
            return $"deliver request signature does not verify: {signers.Describe()}";
        }
        var result = resources.Policies.Evaluate(ReadersPolicy, signers);
        return result.IsSatisfied ? null : $"{ReadersPolicy}: {result.Reason}";
    }

    private Status Fail(Status status, string channelId, string reason)
    {
        LogDeliverFailed(_logger, channelId, (int)status, reason);
        return status;
    }

    [LoggerMessage(EventId = 9001, Level = LogLevel.Warning, Message = "Deliver on channel '{ChannelId}' ended with {Status}: {Reason}")]
    private static partial void LogDeliverFailed(ILogger logger, string channelId, int status, string reason);
}
