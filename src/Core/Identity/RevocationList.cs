using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ZonCoin.Core.Crypto;

namespace ZonCoin.Core.Identity;

/// <summary>
/// An X.509 CRL (RFC 5280) as an MSP holds it: PEM or DER bytes, the issuer it names, the serial numbers it
/// revokes, and whether a given CA really signed it.
/// </summary>
internal sealed class RevocationList
{
    private readonly byte[] _tbs;
    private readonly byte[] _signature;
    private readonly string _signatureAlgorithm;
    private readonly HashSet<BigInteger> _revoked;

    private RevocationList(byte[] issuer, byte[]? authorityKeyId, byte[] tbs, string signatureAlgorithm, byte[] signature, HashSet<BigInteger> revoked)
    {
        Issuer = issuer;
        AuthorityKeyId = authorityKeyId;
        _tbs = tbs;
        _signatureAlgorithm = signatureAlgorithm;
        _signature = signature;
        _revoked = revoked;
    }

    /// <summary>The DER of the issuer Name.</summary>
    public byte[] Issuer { get; }

    public byte[]? AuthorityKeyId { get; }

    public static RevocationList Parse(byte[] bytes)
    {
        var der = bytes;
        var text = Encoding.ASCII.GetString(bytes);
        if (text.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            var fields = PemEncoding.Find(text);
            der = Convert.FromBase64String(text[fields.Base64Data]);
        }
        try
        {
            var outer = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
            var tbsBytes = outer.PeekEncodedValue().ToArray();
            var tbs = outer.ReadSequence();
            var algorithm = outer.ReadSequence().ReadObjectIdentifier();
            var signature = outer.ReadBitString(out _);

            if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
            {
                tbs.ReadInteger();
            }
            tbs.ReadSequence(); // inner signature algorithm
            var issuer = tbs.ReadEncodedValue().ToArray();
            SkipTime(tbs); // thisUpdate
            if (tbs.HasData && IsTime(tbs.PeekTag()))
            {
                SkipTime(tbs); // nextUpdate
            }
            var revoked = new HashSet<BigInteger>();
            if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
            {
                var entries = tbs.ReadSequence();
                while (entries.HasData)
                {
                    var entry = entries.ReadSequence();
                    revoked.Add(entry.ReadInteger());
                }
            }
            byte[]? aki = null;
            if (tbs.HasData)
            {
                var extensions = tbs.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0)).ReadSequence();
                while (extensions.HasData)
                {
                    var extension = extensions.ReadSequence();
                    var oid = extension.ReadObjectIdentifier();
                    if (extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean))
                    {
                        extension.ReadBoolean();
                    }
                    var value = extension.ReadOctetString();
                    if (oid == "2.5.29.35")
                    {
                        var akiSequence = new AsnReader(value, AsnEncodingRules.DER).ReadSequence();
                        if (akiSequence.HasData && akiSequence.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
                        {
                            aki = akiSequence.ReadOctetString(new Asn1Tag(TagClass.ContextSpecific, 0));
                        }
                    }
                }
            }
            return new RevocationList(issuer, aki, tbsBytes, algorithm, signature, revoked);
        }
        catch (Exception ex) when (ex is AsnContentException or FormatException or CryptographicException)
        {
            throw new CryptoException($"revocation list is not a DER or PEM X.509 CRL: {ex.Message}", ex);
        }
    }

    public bool Revokes(X509Certificate2 certificate) =>
        _revoked.Contains(new BigInteger(certificate.SerialNumberBytes.Span, isUnsigned: true, isBigEndian: true));

    /// <summary>True when <paramref name="ca"/> is the CRL's issuer and its key signed the CRL.</summary>
    public bool IsIssuedBy(X509Certificate2 ca)
    {
        if (!ca.SubjectName.RawData.AsSpan().SequenceEqual(Issuer))
        {
            return false;
        }
        if (AuthorityKeyId is not null)
        {
            var ski = ca.Extensions.OfType<X509SubjectKeyIdentifierExtension>().FirstOrDefault();
            if (ski?.SubjectKeyIdentifierBytes.Span.SequenceEqual(AuthorityKeyId) == false)
            {
                return false;
            }
        }
        using var key = ca.GetECDsaPublicKey();
        if (key is null)
        {
            return false;
        }
        var hash = _signatureAlgorithm switch
        {
            "1.2.840.10045.4.3.2" => HashAlgorithmName.SHA256,
            "1.2.840.10045.4.3.3" => HashAlgorithmName.SHA384,
            _ => default,
        };
        return hash != default && key.VerifyData(_tbs, _signature, hash, DSASignatureFormat.Rfc3279DerSequence);
    }

    private static bool IsTime(Asn1Tag tag) =>
        tag.HasSameClassAndValue(Asn1Tag.UtcTime) || tag.HasSameClassAndValue(Asn1Tag.GeneralizedTime);

    private static void SkipTime(AsnReader reader) => reader.ReadEncodedValue();
}
