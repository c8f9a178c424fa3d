using ZonCoin.Core.Crypto;

namespace ZonCoin.Core.Protocol;

/// <summary>Who signs: the serialized <c>SerializedIdentity</c> (the creator bytes) and the signer holding its key.</summary>
public sealed record SigningIdentity(string MspId, byte[] Creator, ISigner Signer)
{
    public byte[] Sign(ReadOnlySpan<byte> message) => Signer.Sign(message);
}
