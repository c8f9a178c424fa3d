using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZonCoin.Core.Crypto;
using ZonCoin.Core.Identity;

namespace ZonCoin.Interop.Tests.Support;

/// <summary>Checks a signature the Node client made, with ZonCoin's MSP code.</summary>
internal static class Signatures
{
    /// <summary>
    /// Asserts that <paramref name="signature"/> by <paramref name="signer"/> covers exactly
    /// <paramref name="message"/>: it verifies (low S included), is low S, and fails for the message with one
    /// bit flipped.
    /// </summary>
    public static void AssertSigned(MspIdentity signer, byte[] message, byte[] signature)
    {
        Assert.True(signer.Verify(message, signature), "the Node client's signature does not verify with ZonCoin's MSP identity");
        using (var key = signer.Certificate.GetECDsaPublicKey() ?? throw new InvalidOperationException("no ECDSA key"))
        {
            Assert.True(EcdsaSignatures.TryReadRs(signature, out _, out _), "signature is not DER SEQUENCE{r, s}");
            Assert.False(EcdsaSignatures.IsHighS(key, signature), "the Node client emitted a high-S signature");
        }
        var tampered = (byte[])message.Clone();
        tampered[^1] ^= 0x01;
        Assert.False(signer.Verify(tampered, signature));
    }

    /// <summary>Asserts that the client's digest is SHA-256 of the bytes it signs.</summary>
    public static void AssertDigestOf(byte[] message, byte[] digest) => Assert.Equal(SHA256.HashData(message), digest);
}
