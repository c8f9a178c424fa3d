using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using ZonCoin.Protos.Common;

namespace ZonCoin.Core.Protocol;

/// <summary>An envelope unpacked into its layers, keeping the received bytes of each header.</summary>
public sealed record UnpackedEnvelope(
    Envelope Envelope,
    Payload Payload,
    ChannelHeader ChannelHeader,
    SignatureHeader SignatureHeader)
{
    public HeaderType Type => (HeaderType)ChannelHeader.Type;
}

/// <summary>Builds and unpacks <c>common.Envelope</c>s.</summary>
public static class Envelopes
{
    /// <summary>Unpacks an envelope's payload and headers; throws <see cref="MalformedMessageException"/>.</summary>
    public static UnpackedEnvelope Unpack(Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (envelope.Payload.IsEmpty)
        {
            throw new MalformedMessageException("Envelope", "payload is empty");
        }
        var payload = Messages.Parse(Payload.Parser, envelope.Payload, "Envelope.payload");
        if (payload.Header is null)
        {
            throw new MalformedMessageException("Payload", "header is missing");
        }
        var channelHeader = Messages.Parse(ChannelHeader.Parser, payload.Header.ChannelHeader, "Payload.header.channel_header");
        var signatureHeader = Messages.Parse(SignatureHeader.Parser, payload.Header.SignatureHeader, "Payload.header.signature_header");
        return new UnpackedEnvelope(envelope, payload, channelHeader, signatureHeader);
    }

    /// <summary>Unpacks an envelope from bytes; throws <see cref="MalformedMessageException"/>.</summary>
    public static UnpackedEnvelope Unpack(ByteString envelopeBytes) =>
        Unpack(Messages.Parse(Envelope.Parser, envelopeBytes, "Envelope"));

    public static ChannelHeader NewChannelHeader(HeaderType type, string channelId, string txId, DateTimeOffset? timestamp = null, ByteString? extension = null) => new()
    {
        Type = (int)type,
        Version = 0,
        ChannelId = channelId,
        TxId = txId,
        Epoch = 0,
        Timestamp = Timestamp.FromDateTimeOffset(timestamp ?? DateTimeOffset.UtcNow),
        Extension = extension ?? ByteString.Empty,
    };

    /// <summary>
    /// Builds a signed envelope of the given type carrying <paramref name="data"/>, with a fresh nonce and the
    /// txid derived from it.
    /// </summary>
    public static Envelope CreateSigned(HeaderType type, string channelId, IMessage data, SigningIdentity signer, DateTimeOffset? timestamp = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(signer);
        var nonce = TransactionIds.NewNonce();
        var txId = TransactionIds.Compute(nonce, signer.Creator);
        var payload = new Payload
        {
            Header = new Header
            {
                ChannelHeader = NewChannelHeader(type, channelId, txId, timestamp).ToByteString(),
                SignatureHeader = new SignatureHeader { Creator = ByteString.CopyFrom(signer.Creator), Nonce = ByteString.CopyFrom(nonce) }.ToByteString(),
            },
            Data = data.ToByteString(),
        };
        var payloadBytes = payload.ToByteString();
        return new Envelope { Payload = payloadBytes, Signature = ByteString.CopyFrom(signer.Sign(payloadBytes.Span)) };
    }
}
