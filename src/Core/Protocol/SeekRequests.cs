using System.Security.Cryptography;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Orderer;

namespace ZonCoin.Core.Protocol;

/// <summary>A deliver request refused with a Fabric status (400 malformed, 404 not ready).</summary>
public sealed class SeekRejectedException : Exception
{
    public SeekRejectedException()
    {
    }

    public SeekRejectedException(string message)
        : base(message)
    {
    }

    public SeekRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public SeekRejectedException(Status status, string message)
        : base(message)
    {
        Status = status;
    }

    public Status Status { get; } = Status.BadRequest;
}

/// <summary>A signed seek request, unpacked and checked.</summary>
public sealed record SeekRequest(UnpackedEnvelope Envelope, SeekInfo Seek)
{
    public string ChannelId => Envelope.ChannelHeader.ChannelId;
}

/// <summary>
/// The server side of Fabric's deliver requests, shared by the orderer's and the peer's Deliver: reading a signed
/// DELIVER_SEEK_INFO envelope (timestamp within 15 minutes, TLS certificate binding under mutual TLS) and turning
/// its seek positions into a block range for a channel of a given height.
/// </summary>
public static class SeekRequests
{
    /// <summary>How far a request's timestamp may be from the server's clock (Fabric's deliver time window).</summary>
    public static readonly TimeSpan TimeWindow = TimeSpan.FromMinutes(15);

    /// <summary>Unpacks and checks a seek request; throws <see cref="SeekRejectedException"/> (400).</summary>
    public static SeekRequest Read(Envelope envelope, DateTimeOffset now, byte[]? clientCertificate)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        try
        {
            var request = Envelopes.Unpack(envelope);
            if (request.ChannelHeader.Timestamp is null)
            {
                throw new SeekRejectedException(Status.BadRequest, "channel header in envelope must contain timestamp");
            }
            var timestamp = request.ChannelHeader.Timestamp.ToDateTimeOffset();
            if ((timestamp - now).Duration() > TimeWindow)
            {
                throw new SeekRejectedException(Status.BadRequest,
                    $"envelope timestamp {timestamp:O} is more than {TimeWindow.TotalMinutes} minutes apart from the server's time {now:O}");
            }
            if (clientCertificate is not null)
            {
                var actual = request.ChannelHeader.TlsCertHash;
                if (actual.IsEmpty)
                {
                    throw new SeekRejectedException(Status.BadRequest, "client didn't include its TLS cert hash");
                }
                if (!actual.Span.SequenceEqual(SHA256.HashData(clientCertificate)))
                {
                    throw new SeekRejectedException(Status.BadRequest, "claimed TLS cert hash doesn't match computed TLS cert hash from context");
                }
            }
            var seek = Messages.Parse(SeekInfo.Parser, request.Payload.Data, "Payload.data");
            if (seek.Start is null || seek.Stop is null)
            {
                throw new SeekRejectedException(Status.BadRequest, "seek info must have a start and a stop position");
            }
            return new SeekRequest(request, seek);
        }
        catch (MalformedMessageException ex)
        {
            throw new SeekRejectedException(Status.BadRequest, $"bad deliver request: {ex.Message}");
        }
    }

    /// <summary>
    /// The first and last block a seek asks for, on a channel of <paramref name="height"/> blocks: oldest = 0,
    /// newest = height − 1 (at request time), next_commit = height. Throws <see cref="SeekRejectedException"/>:
    /// 400 when stop &lt; start or a position is unknown, 404 for a start beyond the height with FAIL_IF_NOT_READY.
    /// </summary>
    public static (ulong Start, ulong Stop) Range(SeekInfo seek, ulong height)
    {
        ArgumentNullException.ThrowIfNull(seek);
        var start = seek.Start.TypeCase switch
        {
            SeekPosition.TypeOneofCase.Oldest => 0UL,
            SeekPosition.TypeOneofCase.Newest => height - 1,
            SeekPosition.TypeOneofCase.Specified => seek.Start.Specified.Number,
            SeekPosition.TypeOneofCase.NextCommit => height,
            _ => throw new SeekRejectedException(Status.BadRequest, "unknown seek start position type"),
        };
        if (start > height && seek.Behavior == SeekInfo.Types.SeekBehavior.FailIfNotReady)
        {
            throw new SeekRejectedException(Status.NotFound, $"start block {start} is beyond the channel's height {height}");
        }
        var stop = seek.Stop.TypeCase switch
        {
            SeekPosition.TypeOneofCase.Oldest => 0UL,
            SeekPosition.TypeOneofCase.Newest => seek.Start.TypeCase == SeekPosition.TypeOneofCase.Newest ? start : height - 1,
            SeekPosition.TypeOneofCase.Specified => seek.Stop.Specified.Number,
            SeekPosition.TypeOneofCase.NextCommit => height,
            _ => throw new SeekRejectedException(Status.BadRequest, "unknown seek stop position type"),
        };
        if (stop < start)
        {
            throw new SeekRejectedException(Status.BadRequest, $"stop block {stop} is before start block {start}");
        }
        return (start, stop);
    }
}
