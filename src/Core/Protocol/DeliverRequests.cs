using Google.Protobuf;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Orderer;

namespace ZonCoin.Core.Protocol;

/// <summary>Signed DELIVER_SEEK_INFO envelopes, as Fabric's deliver clients send them.</summary>
public static class DeliverRequests
{
    /// <summary>The largest block number Fabric's clients ask for to mean "for ever" (2^53 − 1).</summary>
    public const ulong Forever = (1UL << 53) - 1;

    /// <summary>A seek position at block <paramref name="number"/>.</summary>
    public static SeekPosition Specified(ulong number) => new() { Specified = new SeekSpecified { Number = number } };

    public static SeekPosition Oldest() => new() { Oldest = new SeekOldest() };

    public static SeekPosition Newest() => new() { Newest = new SeekNewest() };

    public static SeekPosition NextCommit() => new() { NextCommit = new SeekNextCommit() };

    /// <summary>
    /// A signed seek request for <paramref name="channelId"/>. Under mutual TLS pass the SHA-256 of the client's
    /// TLS certificate as <paramref name="tlsCertHash"/>.
    /// </summary>
    public static Envelope Create(string channelId, SeekInfo seek, SigningIdentity signer, byte[]? tlsCertHash = null, DateTimeOffset? timestamp = null)
    {
        ArgumentNullException.ThrowIfNull(signer);
        var payload = CreatePayload(channelId, seek, signer.Creator, tlsCertHash, timestamp);
        return new Envelope { Payload = payload, Signature = ByteString.CopyFrom(signer.Sign(payload.Span)) };
    }

    /// <summary>
    /// The unsigned payload of a seek request by <paramref name="creator"/> (a serialized <c>SerializedIdentity</c>):
    /// the bytes <see cref="Create"/> signs, for signers that sign elsewhere.
    /// </summary>
    public static ByteString CreatePayload(string channelId, SeekInfo seek, byte[] creator, byte[]? tlsCertHash = null, DateTimeOffset? timestamp = null)
    {
        ArgumentNullException.ThrowIfNull(seek);
        ArgumentNullException.ThrowIfNull(creator);
        var channelHeader = Envelopes.NewChannelHeader(HeaderType.DeliverSeekInfo, channelId, "", timestamp);
        if (tlsCertHash is not null)
        {
            channelHeader.TlsCertHash = ByteString.CopyFrom(tlsCertHash);
        }
        return new Payload
        {
            Header = new Header
            {
                ChannelHeader = channelHeader.ToByteString(),
                SignatureHeader = new SignatureHeader
                {
                    Creator = ByteString.CopyFrom(creator),
                    Nonce = ByteString.CopyFrom(TransactionIds.NewNonce()),
                }.ToByteString(),
            },
            Data = seek.ToByteString(),
        }.ToByteString();
    }

    /// <summary>Blocks <paramref name="start"/> to <paramref name="stop"/>, waiting for those not yet cut.</summary>
    public static SeekInfo Range(SeekPosition start, SeekPosition stop, SeekInfo.Types.SeekBehavior behavior = SeekInfo.Types.SeekBehavior.BlockUntilReady) =>
        new() { Start = start, Stop = stop, Behavior = behavior };
}
