using System.Runtime.CompilerServices;
using Grpc.Core;
using ZonCoin.Protos.Common;
using PeerDeliverResponse = ZonCoin.Protos.Peer.DeliverResponse;

namespace ZonCoin.Rpc.Services;

/// <summary>Reads a peer's <c>/protos.Deliver/Deliver</c>, <c>DeliverFiltered</c> or <c>DeliverWithPrivateData</c>.</summary>
public static class PeerDeliverClient
{
    /// <summary>
    /// Sends one signed seek request on <paramref name="method"/> (one of <see cref="PeerDeliverService"/>'s) and yields
    /// the peer's responses (blocks, then one status) until the status arrives or the caller stops reading; the call
    /// is cancelled when enumeration ends.
    /// </summary>
    public static async IAsyncEnumerable<PeerDeliverResponse> ReadAsync(
        CallInvoker invoker, Method<Envelope, PeerDeliverResponse> method, Envelope seekRequest, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(invoker);
        ArgumentNullException.ThrowIfNull(method);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var call = invoker.AsyncDuplexStreamingCall(method, null, new CallOptions(cancellationToken: stop.Token));
        await call.RequestStream.WriteAsync(seekRequest, cancellationToken).ConfigureAwait(false);
        try
        {
            while (await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                var response = call.ResponseStream.Current;
                yield return response;
                if (response.TypeCase == PeerDeliverResponse.TypeOneofCase.Status)
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
}
