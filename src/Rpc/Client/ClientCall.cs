using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using ZonCoin.Rpc.Protocol;

namespace ZonCoin.Rpc.Client;

/// <summary>
/// One client call of any kind over an HTTP/2 request: sends headers and request frames, reads response frames,
/// then the status from the trailers (or from the headers of a trailers-only response).
/// </summary>
internal sealed class ClientCall<TRequest, TResponse> : IAsyncStreamReader<TResponse>, IClientStreamWriter<TRequest>, IDisposable
    where TRequest : class, IMessage<TRequest>, new()
    where TResponse : class, IMessage<TResponse>, new()
{
    private readonly RpcChannel _channel;
    private readonly Method<TRequest, TResponse> _method;
    private readonly CallOptions _options;
    private readonly CancellationTokenSource _callSource;
    private readonly CancellationTokenRegistration _userCancellation;
    private readonly CancellationTokenRegistration _abortOnCancel;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private RequestContent? _streamingContent;
    private Task<HttpResponseMessage>? _send;
    private Stream? _responseBody;
    private Status? _status;
    private Metadata _trailers = new();
    private TResponse? _current;
    private IReadOnlyList<Google.Protobuf.WellKnownTypes.Any> _details = [];
    private bool _deadlineExceeded;
    private bool _requestCompleted;

    public ClientCall(RpcChannel channel, Method<TRequest, TResponse> method, CallOptions options)
    {
        _channel = channel;
        _method = method;
        _options = options;
        _callSource = new CancellationTokenSource();
        _userCancellation = options.CancellationToken.Register(() => _callSource.Cancel());
        // However the call is cancelled (caller's token, deadline, Dispose), reset its HTTP/2 stream at once, so the
        // server sees the cancellation even when no read or write of ours is pending.
        _abortOnCancel = _callSource.Token.Register(static call => ((ClientCall<TRequest, TResponse>)call!).AbortTransport(), this);
        if (options.Deadline is { } deadline && deadline != DateTime.MaxValue)
        {
            var remaining = deadline.ToUniversalTime() - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                _deadlineExceeded = true;
                _callSource.Cancel();
            }
            else
            {
                _ = ArmDeadlineAsync(remaining);
            }
        }
    }

    public TResponse Current => _current ?? throw new InvalidOperationException("no current message: call MoveNext first");

    public Task<Metadata> ResponseHeadersAsync => ReadResponseHeadersAsync();

    /// <summary>Starts a call whose only request message is known now (unary, server streaming).</summary>
    public void Start(TRequest request)
    {
        var content = new ByteArrayContent(Framing.Frame(request, _channel.Options.MaxSendMessageSize));
        content.Headers.ContentType = new MediaTypeHeaderValue(GrpcProtocol.ContentType);
        _requestCompleted = true;
        Send(content);
    }

    /// <summary>Starts a call whose request messages are written later (client streaming, duplex).</summary>
    public void StartStreaming()
    {
        _streamingContent = new RequestContent();
        Send(_streamingContent);
    }

    public async Task<TResponse> ReadSingleResponseAsync()
    {
        if (!await MoveNext().ConfigureAwait(false))
        {
            throw new RpcException(new Status(StatusCode.Internal, "server ended a unary call without a response message"), _trailers, []);
        }
        var response = _current!;
        if (await MoveNext().ConfigureAwait(false))
        {
            throw new RpcException(StatusCode.Internal, "server sent more than one response message for a unary call");
        }
        return response;
    }

    public async Task<bool> MoveNext(CancellationToken cancellationToken = default)
    {
        if (_status is { } done)
        {
            return done.StatusCode == StatusCode.OK ? false : throw ErrorFor(done);
        }
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_callSource.Token, cancellationToken);
        try
        {
            var response = await GetResponseAsync().ConfigureAwait(false);
            if (_status is not null)
            {
                return await MoveNext(cancellationToken).ConfigureAwait(false);
            }
            _responseBody ??= await response.Content.ReadAsStreamAsync(linked.Token).ConfigureAwait(false);
            _current = await Framing.ReadAsync(_responseBody, _method.ResponseParser, _channel.Options.MaxReceiveMessageSize, linked.Token).ConfigureAwait(false);
            if (_current is not null)
            {
                return true;
            }
            FinishFromTrailers(response);
            return await MoveNext(cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex) when (_status is null)
        {
            Fail(ex.Status);
            Cancel();
            throw;
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or HttpRequestException or ObjectDisposedException)
        {
            throw Failure(ex, cancellationToken);
        }
    }

    public async Task WriteAsync(TRequest message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var content = _streamingContent ?? throw new InvalidOperationException("this call has no request stream");
        var frame = Framing.Frame(message, _channel.Options.MaxSendMessageSize);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_requestCompleted)
            {
                throw new InvalidOperationException("the request stream is already complete");
            }
            if (_status is { } status)
            {
                throw ErrorFor(status);
            }
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(_callSource.Token, cancellationToken);
            var stream = await content.StreamAsync.WaitAsync(linked.Token).ConfigureAwait(false);
            await stream.WriteAsync(frame, linked.Token).ConfigureAwait(false);
            await stream.FlushAsync(linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or HttpRequestException or ObjectDisposedException)
        {
            throw Failure(ex, cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task CompleteAsync()
    {
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            _requestCompleted = true;
            _streamingContent?.Complete();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public Status GetStatus() => _status ?? throw new InvalidOperationException("the call has not finished yet");

    public Metadata GetTrailers() => _status is null ? throw new InvalidOperationException("the call has not finished yet") : _trailers;

    public void Cancel()
    {
        if (!_callSource.IsCancellationRequested)
        {
            _callSource.Cancel();
        }
        AbortTransport();
    }

    /// <summary>
    /// Resets the HTTP/2 stream: fails the request body (streaming calls) and disposes a response whose headers
    /// arrived (its body stream then sends RST_STREAM if the server has not finished). Before the response
    /// headers, cancelling <see cref="_callSource"/> cancels the send itself.
    /// </summary>
    private void AbortTransport()
    {
        _streamingContent?.Abort(new OperationCanceledException("call cancelled"));
        // Disposing the body stream we read from is what resets the stream; the response may not own it.
        _responseBody?.Dispose();
        if (_send is { IsCompletedSuccessfully: true } send)
        {
            send.Result.Dispose();
        }
    }

    public void Dispose()
    {
        if (_status is null)
        {
            Fail(Status.DefaultCancelled);
        }
        Cancel();
        _userCancellation.Dispose();
        _abortOnCancel.Dispose();
        _responseBody?.Dispose();
        if (_send is { IsCompletedSuccessfully: true })
        {
            _send.Result.Dispose();
        }
        _callSource.Dispose();
    }

    private void Send(HttpContent content)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_channel.Address, _method.FullName))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        if (_channel.Authority is { } authority)
        {
            request.Headers.Host = authority;
        }
        request.Headers.TryAddWithoutValidation(GrpcProtocol.TeHeader, "trailers");
        request.Headers.TryAddWithoutValidation("user-agent", GrpcProtocol.UserAgent);
        request.Headers.TryAddWithoutValidation(GrpcProtocol.AcceptEncodingHeader, "identity");
        if (_options.Deadline is { } deadline && deadline != DateTime.MaxValue)
        {
            request.Headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcProtocol.FormatTimeout(deadline.ToUniversalTime() - DateTime.UtcNow));
        }
        foreach (var (name, value) in GrpcProtocol.ToHeaders(_options.Headers ?? []))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        _send = _channel.Invoker.SendAsync(request, _callSource.Token);
    }

    private async Task<HttpResponseMessage> GetResponseAsync()
    {
        var response = await (_send ?? throw new InvalidOperationException("call not started")).ConfigureAwait(false);
        if (_status is null)
        {
            if (response.StatusCode != HttpStatusCode.OK || TryGetStatus(response.Headers, out _))
            {
                FinishFromHeaders(response);
            }
            else if (!GrpcProtocol.IsGrpcContentType(response.Content.Headers.ContentType?.MediaType))
            {
                Fail(new Status(StatusCode.Internal, $"response Content-Type '{response.Content.Headers.ContentType}' is not application/grpc"));
            }
        }
        return response;
    }

    private async Task<Metadata> ReadResponseHeadersAsync()
    {
        try
        {
            var response = await GetResponseAsync().ConfigureAwait(false);
            return ReadMetadata(response.Headers);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or HttpRequestException or ObjectDisposedException)
        {
            throw Failure(ex, CancellationToken.None);
        }
    }

    private void FinishFromHeaders(HttpResponseMessage response)
    {
        if (TryGetStatus(response.Headers, out var status))
        {
            _trailers = ReadMetadata(response.Headers);
            Fail(status, DetailsFrom(response.Headers));
            return;
        }
        var code = response.StatusCode switch
        {
            HttpStatusCode.BadRequest => StatusCode.Internal,
            HttpStatusCode.Unauthorized => StatusCode.Unauthenticated,
            HttpStatusCode.Forbidden => StatusCode.PermissionDenied,
            HttpStatusCode.NotFound => StatusCode.Unimplemented,
            HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout => StatusCode.Unavailable,
            _ => StatusCode.Unknown,
        };
        Fail(new Status(code, $"Bad gRPC response. HTTP status code: {(int)response.StatusCode}"));
    }

    private void FinishFromTrailers(HttpResponseMessage response)
    {
        _trailers = ReadMetadata(response.TrailingHeaders);
        if (TryGetStatus(response.TrailingHeaders, out var status))
        {
            Fail(status, DetailsFrom(response.TrailingHeaders));
        }
        else
        {
            Fail(new Status(StatusCode.Internal, "No grpc-status found on response."));
        }
    }

    private void Fail(Status status, IReadOnlyList<Google.Protobuf.WellKnownTypes.Any>? details = null)
    {
        _status ??= status;
        if (details is not null)
        {
            _details = details;
        }
    }

    private RpcException Failure(Exception error, CancellationToken callerToken)
    {
        if (_status is { StatusCode: not StatusCode.OK } known)
        {
            return ErrorFor(known);
        }
        Status status;
        if (_deadlineExceeded)
        {
            status = new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded");
        }
        else if (error is OperationCanceledException || _callSource.IsCancellationRequested || callerToken.IsCancellationRequested)
        {
            status = new Status(StatusCode.Cancelled, "Call canceled by the client.");
        }
        else
        {
            status = new Status(StatusCode.Unavailable, $"Error connecting to {_channel.Address}: {Innermost(error).Message}");
        }
        Fail(status);
        Cancel();
        return new RpcException(status, _trailers, [], status.Detail);
    }

    private RpcException ErrorFor(Status status) => new(status, _trailers, _details);

    private async Task ArmDeadlineAsync(TimeSpan remaining)
    {
        try
        {
            await Task.Delay(remaining, _callSource.Token).ConfigureAwait(false);
            _deadlineExceeded = true;
            _callSource.Cancel();
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private static bool TryGetStatus(HttpHeaders headers, out Status status)
    {
        status = default;
        if (!headers.TryGetValues(GrpcProtocol.StatusHeader, out var values))
        {
            return false;
        }
        var text = values.FirstOrDefault();
        var code = int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? (StatusCode)value
            : StatusCode.Unknown;
        var message = headers.TryGetValues(GrpcProtocol.MessageHeader, out var messages) ? GrpcProtocol.DecodeMessage(messages.FirstOrDefault()) : "";
        status = new Status(code, message);
        return true;
    }

    private static IReadOnlyList<Google.Protobuf.WellKnownTypes.Any> DetailsFrom(HttpHeaders headers)
    {
        if (!headers.TryGetValues(GrpcProtocol.StatusDetailsHeader, out var values))
        {
            return [];
        }
        try
        {
            return GrpcProtocol.DecodeStatusDetails(GrpcProtocol.DecodeBinaryHeader(values.First()));
        }
        catch (FormatException)
        {
            return [];
        }
    }

    private static Metadata ReadMetadata(HttpHeaders headers) =>
        GrpcProtocol.FromHeaders(headers.Select(h => KeyValuePair.Create(h.Key, (IEnumerable<string?>)h.Value)));

    private static Exception Innermost(Exception error)
    {
        while (error.InnerException is not null)
        {
            error = error.InnerException;
        }
        return error;
    }
}
