using Grpc.Core;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Peer;
using ZonCoin.Rpc.Deliver;
using Status = ZonCoin.Protos.Common.Status;

namespace ZonCoin.Peer.Deliver;

/// <summary>
/// The peer's <c>/protos.Deliver/Deliver</c>, <c>DeliverFiltered</c> and <c>DeliverWithPrivateData</c>: the shared
/// <see cref="DeliverHandler"/> over the joined channels (readers policy <c>/Channel/Application/Readers</c>), each
/// committed block sent whole (with its TRANSACTIONS_FILTER), filtered, or with an empty private data map.
/// </summary>
internal sealed class PeerDeliverServer
{
    public const string ReadersPolicy = "/Channel/Application/Readers";

    private readonly DeliverHandler _handler;

    public PeerDeliverServer(DeliverHandler handler)
    {
        _handler = handler;
    }

    public Task DeliverAsync(IAsyncStreamReader<Envelope> requests, IServerStreamWriter<DeliverResponse> responses, ServerCallContext context) =>
        _handler.HandleAsync(requests, new Sender(responses, block => new DeliverResponse { Block = block }), context);

    public Task DeliverFilteredAsync(IAsyncStreamReader<Envelope> requests, IServerStreamWriter<DeliverResponse> responses, ServerCallContext context) =>
        _handler.HandleAsync(requests, new Sender(responses, (channelId, block) => new DeliverResponse { FilteredBlock = FilteredBlocks.From(channelId, block) }), context);

    public Task DeliverWithPrivateDataAsync(IAsyncStreamReader<Envelope> requests, IServerStreamWriter<DeliverResponse> responses, ServerCallContext context) =>
        _handler.HandleAsync(requests, new Sender(responses, block => new DeliverResponse { BlockAndPrivateData = new BlockAndPrivateData { Block = block } }), context);

    private sealed class Sender(IServerStreamWriter<DeliverResponse> responses, Func<string, Block, DeliverResponse> toResponse) : IDeliverResponseSender
    {
        public Sender(IServerStreamWriter<DeliverResponse> responses, Func<Block, DeliverResponse> toResponse)
            : this(responses, (_, block) => toResponse(block))
        {
        }

        public Task SendBlockAsync(string channelId, Block block) => responses.WriteAsync(toResponse(channelId, block));

        public Task SendStatusAsync(Status status) => responses.WriteAsync(new DeliverResponse { Status = status });
    }
}
