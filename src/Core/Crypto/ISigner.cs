namespace ZonCoin.Core.Crypto;

/// <summary>
/// Produces Fabric signatures: ECDSA over SHA-256 of the message, DER encoded, low S.
/// Implementations hold the key (a file today, a KMS or HSM later); callers never see it.
/// </summary>
public interface ISigner
{
    /// <summary>Signs SHA-256(<paramref name="message"/>).</summary>
    byte[] Sign(ReadOnlySpan<byte> message);
}
