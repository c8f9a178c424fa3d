using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using ZonCoin.Rpc.Protocol;

namespace ZonCoin.Rpc.Server;

/// <summary>
/// Writes one call's response: headers, framed messages and, last, the status (as trailers, or trailers-only
/// when nothing was sent). Serialises writers so a deadline can end the call while a handler still runs.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The semaphore never allocates a wait handle; a handler may outlive the call, so there is no safe point to dispose it.")]
internal sealed class ResponseWriter
{
    private readonly HttpContext _context;
    private readonly int _maxSendMessageSize;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private bool _completed;

    public ResponseWriter(HttpContext context, int maxSendMessageSize)
    {
        _context = context;
        _maxSendMessageSize = maxSendMessageSize;
    }

    public async Task WriteHeadersAsync(Metadata headers)
    {
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            ThrowIfCompleted();
            if (_context.Response.HasStarted)
            {
                throw new InvalidOperationException("response headers can only be sent once, before the first message");
            }
            AddMetadata(_context.Response.Headers, headers);
            await _context.Response.StartAsync().ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Writes one framed message; false when the client is gone and nothing more can reach it.</summary>
    public async Task<bool> WriteMessageAsync(IMessage message, CancellationToken cancellationToken)
    {
        var frame = Framing.Frame(message, _maxSendMessageSize);
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfCompleted();
            var body = _context.Response.BodyWriter;
            await body.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
            var flushed = await body.FlushAsync(cancellationToken).ConfigureAwait(false);
            return !flushed.IsCompleted && !flushed.IsCanceled;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Ends the call with a status; later writes fail. Returns false if it had already ended.</summary>
    public async Task<bool> CompleteAsync(Status status, Metadata trailers, IReadOnlyList<Google.Protobuf.WellKnownTypes.Any> details)
    {
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_completed)
            {
                return false;
            }
            _completed = true;
            var response = _context.Response;
            // Trailers-only when nothing was sent yet: the status travels in the headers frame.
            var target = response.HasStarted ? null : response.Headers;
            void Set(string name, string value)
            {
                if (target is not null)
                {
                    target.Append(name, value);
                }
                else
                {
                    response.AppendTrailer(name, value);
                }
            }
            Set(GrpcProtocol.StatusHeader, ((int)status.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (!string.IsNullOrEmpty(status.Detail))
            {
                Set(GrpcProtocol.MessageHeader, GrpcProtocol.EncodeMessage(status.Detail));
            }
            if (details.Count > 0)
            {
                Set(GrpcProtocol.StatusDetailsHeader, GrpcProtocol.EncodeBinaryHeader(GrpcProtocol.EncodeStatusDetails(status, details)));
            }
            foreach (var (name, value) in GrpcProtocol.ToHeaders(trailers))
            {
                Set(name, value);
            }
            return true;
        }
        finally
        {
            _lock.Release();
        }
    }

    internal static void AddMetadata(IHeaderDictionary headers, Metadata metadata)
    {
        foreach (var (name, value) in GrpcProtocol.ToHeaders(metadata))
        {
            headers.Append(name, value);
        }
    }

    private void ThrowIfCompleted()
    {
        if (_completed)
        {
            throw new InvalidOperationException("the call has already ended (deadline passed, cancelled or completed)");
        }
    }
}
