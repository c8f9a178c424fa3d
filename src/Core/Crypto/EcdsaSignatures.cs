using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;

namespace ZonCoin.Core.Crypto;

/// <summary>
/// ECDSA-SHA256 signatures in Fabric's form: DER <c>SEQUENCE{r, s}</c> with a low S (S ≤ n/2).
/// Signing always emits low S; verification rejects high S, as Fabric's BCCSP does.
/// </summary>
public static class EcdsaSignatures
{
    private static readonly BigInteger P256Order = Parse("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");
    private static readonly BigInteger P384Order = Parse(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973");

    /// <summary>Signs SHA-256(<paramref name="message"/>) and returns a low-S DER signature.</summary>
    public static byte[] Sign(ECDsa key, ReadOnlySpan<byte> message)
    {
        ArgumentNullException.ThrowIfNull(key);
        var der = key.SignData(message, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        return ToLowS(der, OrderOf(key));
    }

    /// <summary>Signs a precomputed SHA-256 digest and returns a low-S DER signature.</summary>
    public static byte[] SignDigest(ECDsa key, ReadOnlySpan<byte> digest)
    {
        ArgumentNullException.ThrowIfNull(key);
        var der = key.SignHash(digest, DSASignatureFormat.Rfc3279DerSequence);
        return ToLowS(der, OrderOf(key));
    }

    /// <summary>
    /// Verifies a DER signature over SHA-256(<paramref name="message"/>). Returns false for a wrong,
    /// malformed or high-S signature; never throws for bad signature bytes.
    /// </summary>
    public static bool Verify(ECDsa publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        if (!TryReadRs(signature, out var r, out var s))
        {
            return false;
        }
        var order = OrderOf(publicKey);
        if (r.Sign <= 0 || s.Sign <= 0 || r >= order || s > order / 2)
        {
            return false;
        }
        return publicKey.VerifyData(message, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }

    /// <summary>True when the DER signature's S is greater than n/2 for the key's curve.</summary>
    public static bool IsHighS(ECDsa key, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(key);
        return TryReadRs(signature, out _, out var s) && s > OrderOf(key) / 2;
    }

    /// <summary>Rewrites a DER signature so that S ≤ n/2 (S becomes n − S when it is high).</summary>
    public static byte[] ToLowS(ReadOnlySpan<byte> derSignature, BigInteger order)
    {
        if (!TryReadRs(derSignature, out var r, out var s))
        {
            throw new CryptoException("signature is not a DER SEQUENCE of two INTEGERs");
        }
        if (s <= order / 2)
        {
            return derSignature.ToArray();
        }
        return WriteRs(r, order - s);
    }

    /// <summary>Encodes r and s as DER <c>SEQUENCE{INTEGER r, INTEGER s}</c>.</summary>
    public static byte[] WriteRs(BigInteger r, BigInteger s)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(r);
            writer.WriteInteger(s);
        }
        return writer.Encode();
    }

    /// <summary>Reads r and s from a DER signature; false for anything else, including trailing bytes.</summary>
    public static bool TryReadRs(ReadOnlySpan<byte> derSignature, out BigInteger r, out BigInteger s)
    {
        r = default;
        s = default;
        try
        {
            var reader = new AsnReader(derSignature.ToArray(), AsnEncodingRules.DER);
            var sequence = reader.ReadSequence();
            r = sequence.ReadInteger();
            s = sequence.ReadInteger();
            return !sequence.HasData && !reader.HasData;
        }
        catch (AsnContentException)
        {
            return false;
        }
    }

    /// <summary>The group order n of the key's curve (P-256 or P-384).</summary>
    public static BigInteger OrderOf(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.KeySize switch
        {
            256 => P256Order,
            384 => P384Order,
            _ => throw new CryptoException($"unsupported ECDSA key size {key.KeySize}; use P-256 or P-384"),
        };
    }

    private static BigInteger Parse(string hex) =>
        new(Convert.FromHexString(hex), isUnsigned: true, isBigEndian: true);
}
