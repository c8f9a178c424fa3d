using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Google.Protobuf;
using ZonCoin.Core.Crypto;
using ZonCoin.Protos.Msp;

namespace ZonCoin.Core.Identity;

/// <summary>
/// A parsed <c>msp.SerializedIdentity</c>: an MSP ID and an X.509 certificate with an ECDSA key.
/// Parsing does not validate; <see cref="Msp.Validate"/> does.
/// </summary>
public sealed class MspIdentity
{
    private MspIdentity(string mspId, X509Certificate2 certificate, ECDsa publicKey, byte[] serialized)
    {
        MspId = mspId;
        Certificate = certificate;
        PublicKey = publicKey;
        Serialized = serialized;
        Id = Hashing.Sha256Hex(certificate.RawData);
        OrganizationalUnits = ReadOrganizationalUnits(certificate);
    }

    public string MspId { get; }

    public X509Certificate2 Certificate { get; }

    /// <summary>The serialized <c>SerializedIdentity</c> bytes, exactly as received.</summary>
    public byte[] Serialized { get; }

    /// <summary>Hex SHA-256 of the certificate's DER, Fabric's identity id.</summary>
    public string Id { get; }

    /// <summary>The OU values of the certificate's subject, in order.</summary>
    public IReadOnlyList<string> OrganizationalUnits { get; }

    internal ECDsa PublicKey { get; }

    /// <summary>Serializes an MSP ID and certificate the way Fabric clients do (PEM <c>id_bytes</c>).</summary>
    public static byte[] Serialize(string mspId, X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return new SerializedIdentity
        {
            Mspid = mspId,
            IdBytes = ByteString.CopyFromUtf8(Pem.Certificate(certificate)),
        }.ToByteArray();
    }

    /// <summary>Parses serialized identity bytes; throws <see cref="IdentityException"/> for anything unusable.</summary>
    public static MspIdentity Parse(ReadOnlySpan<byte> serialized)
    {
        SerializedIdentity message;
        try
        {
            message = SerializedIdentity.Parser.ParseFrom(serialized);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new IdentityException(IdentityError.MalformedIdentity, null, $"identity is not a serialized msp.SerializedIdentity: {ex.Message}", ex);
        }
        if (string.IsNullOrEmpty(message.Mspid))
        {
            throw new IdentityException(IdentityError.MalformedIdentity, null, "identity has no MSP ID");
        }
        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPem(Encoding.UTF8.GetString(message.IdBytes.Span));
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            throw new IdentityException(IdentityError.MalformedCertificate, message.Mspid,
                $"identity of MSP '{message.Mspid}' does not hold a PEM X.509 certificate: {ex.Message}", ex);
        }
        var key = certificate.GetECDsaPublicKey()
            ?? throw new IdentityException(IdentityError.MalformedCertificate, message.Mspid,
                $"certificate '{certificate.Subject}' of MSP '{message.Mspid}' has no ECDSA public key");
        return new MspIdentity(message.Mspid, certificate, key, serialized.ToArray());
    }

    /// <summary>Verifies a Fabric signature (DER ECDSA over SHA-256, low S) by this identity.</summary>
    public bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
        EcdsaSignatures.Verify(PublicKey, message, signature);

    public override string ToString() => $"{MspId}:{Certificate.Subject}";

    private static string[] ReadOrganizationalUnits(X509Certificate2 certificate)
    {
        var units = new List<string>();
        foreach (var rdn in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            if (!rdn.HasMultipleElements && rdn.GetSingleElementType().Value == "2.5.4.11")
            {
                var value = rdn.GetSingleElementValue();
                if (value is not null)
                {
                    units.Add(value);
                }
            }
        }
        return [.. units];
    }
}
