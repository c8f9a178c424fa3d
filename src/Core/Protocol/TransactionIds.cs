using System.Security.Cryptography;
using ZonCoin.Core.Crypto;

namespace ZonCoin.Core.Protocol;

/// <summary>Fabric transaction ids: lowercase hex SHA-256(nonce ‖ serialized creator).</summary>
public static class TransactionIds
{
    /// <summary>Nonce length used by Fabric's clients.</summary>
    public const int NonceSize = 24;

    public static byte[] NewNonce() => RandomNumberGenerator.GetBytes(NonceSize);

    public static string Compute(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> creator)
    {
        var buffer = new byte[nonce.Length + creator.Length];
        nonce.CopyTo(buffer);
        creator.CopyTo(buffer.AsSpan(nonce.Length));
        return Hashing.Sha256Hex(buffer);
    }

    /// <summary>True when <paramref name="txId"/> is the id of that nonce and creator.</summary>
    public static bool Matches(string txId, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> creator) =>
        string.Equals(txId, Compute(nonce, creator), StringComparison.Ordinal);
}
