using System.Runtime.CompilerServices;
using Google.Protobuf;
using Grpc.Core;
using ZonCoin.Core.Crypto;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Gateway;
using ZonCoin.Protos.Msp;
using ZonCoin.Rpc.Client;
using ZonCoin.Rpc.Services;
using PeerDeliverResponse = ZonCoin.Protos.Peer.DeliverResponse;
using Status = ZonCoin.Protos.Common.Status;
using StatusCode = Grpc.Core.StatusCode;

namespace ZonCoin.Gateway.Client;

/// <summary>
/// What every object of one <see cref="Gateway"/> shares: the channel, the identity and signer, the deadlines, and
/// the calls themselves with their errors mapped to the SDK's exceptions.
/// </summary>
internal sealed class GatewayClient
{
    private readonly ISigner? _signer;

    public GatewayClient(CallInvoker invoker, IIdentity identity, ISigner? signer, GatewayOptions options)
    {
        Invoker = invoker;
        Identity = identity;
        _signer = signer;
        Options = options;
        Creator = new SerializedIdentity { Mspid = identity.MspId, IdBytes = ByteString.CopyFrom(identity.Credentials) }.ToByteArray();
    }

    /// <summary>Makes the calls: the application's own (with its interceptors) or one over a channel the SDK opened.</summary>
    public CallInvoker Invoker { get; }

    public IIdentity Identity { get; }

    public GatewayOptions Options { get; }

    /// <summary>The serialized <c>msp.SerializedIdentity</c> of <see cref="Identity"/>.</summary>
    public byte[] Creator { get; }

    /// <summary>SHA-256 of the client's TLS certificate under mutual TLS (<see cref="GatewayOptions.TlsClientCertificateHash"/>), else null.</summary>
    public byte[]? TlsCertificateHash => Options.TlsClientCertificateHash;

    /// <summary>Signs <paramref name="message"/> (the signer hashes it), or explains which offline method to use.</summary>
    public byte[] Sign(ReadOnlySpan<byte> message, string offlineMethod)
    {
        if (_signer is null)
        {
            throw new InvalidOperationException(
                $"this gateway has no signer: sign the Digest elsewhere and use Gateway.{offlineMethod}(bytes, signature) to attach the signature");
        }
        return _signer.Sign(message);
    }

    public Task<EvaluateResponse> EvaluateAsync(EvaluateRequest request, CancellationToken cancellationToken) =>
        UnaryAsync(GatewayService.Evaluate, request, Options.EvaluateTimeout,
            (code, message, details, inner) => new GatewayException(code, message, details, inner), cancellationToken);

    public Task<EndorseResponse> EndorseAsync(EndorseRequest request, CancellationToken cancellationToken) =>
        UnaryAsync(GatewayService.Endorse, request, Options.EndorseTimeout,
            (code, message, details, inner) => new EndorseException(code, message, details, request.TransactionId, inner), cancellationToken);

    public Task<SubmitResponse> SubmitAsync(SubmitRequest request, CancellationToken cancellationToken) =>
        UnaryAsync(GatewayService.Submit, request, Options.SubmitTimeout,
            (code, message, details, inner) => new SubmitException(code, message, details, request.TransactionId, inner), cancellationToken);

    public Task<CommitStatusResponse> CommitStatusAsync(SignedCommitStatusRequest request, string transactionId, CancellationToken cancellationToken) =>
        UnaryAsync(GatewayService.CommitStatus, request, Options.CommitStatusTimeout,
            (code, message, details, inner) => new CommitStatusException(code, message, details, transactionId, inner), cancellationToken);

    /// <summary>Reads a chaincode-events stream until the caller stops; the call is cancelled when enumeration ends.</summary>
    public async IAsyncEnumerable<ChaincodeEventsResponse> ChaincodeEventsAsync(
        SignedChaincodeEventsRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var call = Invoker.AsyncServerStreamingCall(GatewayService.ChaincodeEvents, null, new CallOptions(cancellationToken: cancellationToken), request);
        while (true)
        {
            ChaincodeEventsResponse response;
            try
            {
                if (!await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
                {
                    yield break;
                }
                response = call.ResponseStream.Current;
            }
            catch (RpcException ex)
            {
                throw Map(ex, (code, message, details, inner) => new GatewayException(code, message, details, inner), cancellationToken);
            }
            yield return response;
        }
    }

    /// <summary>
    /// Reads a deliver stream: writes the one seek envelope, never half-closes, and yields responses until the caller
    /// stops. A <c>status</c> response ends the stream with a <see cref="GatewayException"/>.
    /// </summary>
    public async IAsyncEnumerable<PeerDeliverResponse> DeliverAsync(
        Method<Envelope, PeerDeliverResponse> method, Envelope seekRequest, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var responses = PeerDeliverClient.ReadAsync(Invoker, method, seekRequest, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (responses.ConfigureAwait(false))
        {
            while (true)
            {
                PeerDeliverResponse response;
                try
                {
                    if (!await responses.MoveNextAsync().ConfigureAwait(false))
                    {
                        yield break;
                    }
                    response = responses.Current;
                }
                catch (RpcException ex)
                {
                    throw Map(ex, (code, message, details, inner) => new GatewayException(code, message, details, inner), cancellationToken);
                }
                if (response.TypeCase == PeerDeliverResponse.TypeOneofCase.Status)
                {
                    throw new GatewayException(CodeOf(response.Status), $"deliver ended with status {(int)response.Status} ({response.Status})", []);
                }
                yield return response;
            }
        }
    }

    private async Task<TResponse> UnaryAsync<TRequest, TResponse>(
        Method<TRequest, TResponse> method, TRequest request, TimeSpan timeout,
        Func<StatusCode, string, IReadOnlyList<ErrorDetail>, Exception?, GatewayException> error, CancellationToken cancellationToken)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            using var call = Invoker.AsyncUnaryCall(method, null, new CallOptions(deadline: DateTime.UtcNow + timeout, cancellationToken: cancellationToken), request);
            return await call.ResponseAsync.ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            throw Map(ex, error, cancellationToken);
        }
    }

    /// <summary>The gRPC code closest to a deliver status (any status ends a block-events stream).</summary>
    private static StatusCode CodeOf(Status status) => status switch
    {
        Status.BadRequest => StatusCode.InvalidArgument,
        Status.Forbidden => StatusCode.PermissionDenied,
        Status.NotFound => StatusCode.NotFound,
        Status.ServiceUnavailable => StatusCode.Unavailable,
        _ => StatusCode.Unknown,
    };

    private static Exception Map(
        RpcException exception, Func<StatusCode, string, IReadOnlyList<ErrorDetail>, Exception?, GatewayException> error, CancellationToken cancellationToken)
    {
        if (exception.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            return new OperationCanceledException("the call was cancelled", exception, cancellationToken);
        }
        return error(exception.StatusCode, exception.Status.Detail, GatewayException.DetailsOf(exception), exception);
    }
}
