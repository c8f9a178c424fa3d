using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using ZonCoin.Protos.Common;

namespace ZonCoin.Core.Protocol;

/// <summary>Block hashes exactly as Fabric computes them.</summary>
public static class BlockHashing
{
    /// <summary>
    /// The header's DER encoding <c>SEQUENCE{INTEGER number, OCTET STRING previous_hash, OCTET STRING data_hash}</c>,
    /// which block signatures cover and whose SHA-256 is the block hash.
    /// </summary>
    public static byte[] HeaderBytes(BlockHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(new BigInteger(header.Number));
            writer.WriteOctetString(header.PreviousHash.Span);
            writer.WriteOctetString(header.DataHash.Span);
        }
        return writer.Encode();
    }

    /// <summary>SHA-256 of <see cref="HeaderBytes"/>: the value the next block carries as previous_hash.</summary>
    public static byte[] HeaderHash(BlockHeader header) => SHA256.HashData(HeaderBytes(header));

    /// <summary>SHA-256 over the concatenation of every <c>BlockData.data</c> entry (flat, not a Merkle tree).</summary>
    public static byte[] DataHash(BlockData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var entry in data.Data)
        {
            hash.AppendData(entry.Span);
        }
        return hash.GetHashAndReset();
    }
}
