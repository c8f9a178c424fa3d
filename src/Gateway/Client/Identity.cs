using ZonCoin.Core.Crypto;

namespace ZonCoin.Gateway.Client;

/// <summary>Who the client is: an MSP ID and its credentials (Fabric's <c>Identity</c>).</summary>
public interface IIdentity
{
    /// <summary>The MSP the identity belongs to, e.g. <c>Org1MSP</c>.</summary>
    string MspId { get; }

    /// <summary>The identity's credentials: the PEM-encoded X.509 certificate bytes.</summary>
    byte[] Credentials { get; }
}

/// <summary>An X.509 identity: an MSP ID and a PEM certificate.</summary>
public sealed class X509Identity : IIdentity
{
    private readonly byte[] _certificatePem;

    /// <summary>Creates an identity from an MSP ID and the certificate's PEM bytes.</summary>
    public X509Identity(string mspId, byte[] certificatePem)
    {
        ArgumentException.ThrowIfNullOrEmpty(mspId);
        ArgumentNullException.ThrowIfNull(certificatePem);
        if (certificatePem.Length == 0)
        {
            throw new ArgumentException("the certificate PEM is empty", nameof(certificatePem));
        }
        MspId = mspId;
        _certificatePem = [.. certificatePem];
    }

    /// <inheritdoc />
    public string MspId { get; }

    /// <inheritdoc />
    public byte[] Credentials => [.. _certificatePem];

    /// <summary>Reads the PEM certificate at <paramref name="certificatePath"/>.</summary>
    public static X509Identity FromFile(string mspId, string certificatePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(certificatePath);
        if (!File.Exists(certificatePath))
        {
            throw new FileNotFoundException($"certificate file '{certificatePath}' does not exist", certificatePath);
        }
        return new X509Identity(mspId, File.ReadAllBytes(certificatePath));
    }
}

/// <summary>Ready-made signers.</summary>
public static class Signers
{
    /// <summary>
    /// A signer over the ECDSA private key in a PEM file (PKCS#8 or SEC1): SHA-256 digest, low-S DER signatures.
    /// Dispose it when done.
    /// </summary>
    public static EcdsaSigner FromPemFile(string path) => EcdsaSigner.FromPemFile(path);
}
