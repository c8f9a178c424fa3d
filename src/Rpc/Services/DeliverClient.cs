using System.Runtime.CompilerServices;
using Grpc.Core;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Orderer;
using Status = Grpc.Core.Status;

namespace ZonCoin.Rpc.Services;

/// <summary>Reads blocks from an orderer's <c>/orderer.AtomicBroadcast/Deliver</c>.</summary>
public static class DeliverClient
{
    /// <summary>
    /// Sends one signed seek request and yields the orderer's responses (blocks, then one status) until the
    /// status arrives or the caller stops reading; the call is cancelled when enumeration ends.
    /// </summary>
    public static IAsyncEnumerable<DeliverResponse> ReadAsync(CallInvoker invoker, Envelope seekRequest, CancellationToken cancellationToken = default) =>
        ReadAsync(invoker, seekRequest, opened: null, cancellationToken);

    /// <summary>As <see cref="ReadAsync(CallInvoker, Envelope, CancellationToken)"/>, telling when the stream is open.</summary>
    /// <param name="invoker">Makes the call.</param>
    /// <param name="seekRequest">The signed DELIVER_SEEK_INFO envelope.</param>
    /// <param name="opened">Called once the orderer has answered with response headers (it accepted the stream), or null.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    public static async IAsyncEnumerable<DeliverResponse> ReadAsync(
        CallInvoker invoker, Envelope seekRequest, Action? opened, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(invoker);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var call = invoker.AsyncDuplexStreamingCall(AtomicBroadcastService.Deliver, null, new CallOptions(cancellationToken: stop.Token));
        await call.RequestStream.WriteAsync(seekRequest, cancellationToken).ConfigureAwait(false);
        try
        {
            if (opened is not null)
            {
                await call.ResponseHeadersAsync.ConfigureAwait(false);
                opened();
            }
            while (await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                var response = call.ResponseStream.Current;
                yield return response;
                if (response.TypeCase == DeliverResponse.TypeOneofCase.Status)
                {
                    yield break;
                }
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The blocks of a finite seek, in order; throws <see cref="RpcException"/> for a status other than SUCCESS.</summary>
    public static async Task<IReadOnlyList<Block>> ReadBlocksAsync(CallInvoker invoker, Envelope seekRequest, CancellationToken cancellationToken = default)
    {
        var blocks = new List<Block>();
        await foreach (var response in ReadAsync(invoker, seekRequest, cancellationToken).ConfigureAwait(false))
        {
            if (response.TypeCase == DeliverResponse.TypeOneofCase.Block)
            {
                blocks.Add(response.Block);
            }
            else if (response.Status != Protos.Common.Status.Success)
            {
                throw new RpcException(new Status(StatusCode.Unknown, $"deliver ended with status {(int)response.Status} {response.Status}"));
            }
        }
        return blocks;
    }
}
