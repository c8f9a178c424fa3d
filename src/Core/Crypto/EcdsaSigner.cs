using System.Security.Cryptography;

namespace ZonCoin.Core.Crypto;

/// <summary>A signer over an in-process ECDSA key, for example one loaded from a PEM keystore file.</summary>
public sealed class EcdsaSigner : ISigner, IDisposable
{
    private readonly ECDsa _key;

    public EcdsaSigner(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _ = EcdsaSignatures.OrderOf(key);
        _key = key;
    }

    /// <summary>Loads the private key from a PEM file.</summary>
    public static EcdsaSigner FromPemFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new CryptoException($"private key file '{path}' does not exist");
        }
        return new EcdsaSigner(Pem.ReadPrivateKey(File.ReadAllText(path)));
    }

    public byte[] Sign(ReadOnlySpan<byte> message) => EcdsaSignatures.Sign(_key, message);

    public void Dispose() => _key.Dispose();
}
