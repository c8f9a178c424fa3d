using Grpc.Core;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Orderer;
using ZonCoin.Rpc.Deliver;
using Status = ZonCoin.Protos.Common.Status;

namespace ZonCoin.Orderer.Deliver;

/// <summary>
/// <c>/orderer.AtomicBroadcast/Deliver</c>: the shared <see cref="DeliverHandler"/> over this orderer's chains
/// (readers policy <c>/Channel/Readers</c>), with the open streams counted in the orderer's metrics.
/// </summary>
internal sealed class OrdererDeliverServer
{
    public const string ReadersPolicy = "/Channel/Readers";

    private readonly DeliverHandler _handler;
    private readonly OrdererMetrics _metrics;

    public OrdererDeliverServer(DeliverHandler handler, OrdererMetrics metrics)
    {
        _handler = handler;
        _metrics = metrics;
    }

    public async Task DeliverAsync(IAsyncStreamReader<Envelope> requests, IServerStreamWriter<DeliverResponse> responses, ServerCallContext context)
    {
        _metrics.DeliverStream(+1);
        try
        {
            await _handler.HandleAsync(requests, new Sender(responses), context).ConfigureAwait(false);
        }
        finally
        {
            _metrics.DeliverStream(-1);
        }
    }

    private sealed class Sender(IServerStreamWriter<DeliverResponse> responses) : IDeliverResponseSender
    {
        public Task SendBlockAsync(string channelId, Block block) => responses.WriteAsync(new DeliverResponse { Block = block });

        public Task SendStatusAsync(Status status) => responses.WriteAsync(new DeliverResponse { Status = status });
    }
}
