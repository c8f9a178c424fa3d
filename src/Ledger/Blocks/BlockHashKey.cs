using System.Buffers.Binary;

namespace ZonCoin.Ledger.Blocks;

/// <summary>
/// A 32-byte block header hash (SHA-256) as a value: four words, so the by-hash index holds no arrays and compares
/// without allocating.
/// </summary>
internal readonly record struct BlockHashKey(ulong A, ulong B, ulong C, ulong D)
{
    public const int Size = 32;

    /// <summary>The key of <paramref name="hash"/>; false when it is not 32 bytes long.</summary>
    public static bool TryFrom(ReadOnlySpan<byte> hash, out BlockHashKey key)
    {
        if (hash.Length != Size)
        {
            key = default;
            return false;
        }
        key = new BlockHashKey(
            BinaryPrimitives.ReadUInt64LittleEndian(hash),
            BinaryPrimitives.ReadUInt64LittleEndian(hash[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(hash[16..]),
            BinaryPrimitives.ReadUInt64LittleEndian(hash[24..]));
        return true;
    }

    /// <summary>The key of a header hash computed by <c>BlockHashing.HeaderHash</c> (always 32 bytes).</summary>
    public static BlockHashKey From(ReadOnlySpan<byte> hash) =>
        TryFrom(hash, out var key) ? key : throw new ArgumentException($"a block header hash has {Size} bytes, not {hash.Length}", nameof(hash));

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination, A);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], B);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], C);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[24..], D);
    }
}
