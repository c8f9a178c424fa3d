using System.Buffers.Binary;

namespace ZonCoin.Ledger.Blocks;

/// <summary>Where a block's frame lies in the segment files.</summary>
/// <param name="Segment">The segment number (<c>blockfile_NNNNNN</c>).</param>
/// <param name="Offset">Byte offset of the frame header in the segment.</param>
/// <param name="PayloadLength">Length of the block bytes after the header.</param>
/// <param name="Crc">The frame's CRC-32C, as written in its header.</param>
internal readonly record struct SegmentLocation(int Segment, long Offset, int PayloadLength, uint Crc)
{
    /// <summary>Header plus payload.</summary>
    public long FrameLength => BlockFrame.HeaderSize + (long)PayloadLength;

    /// <summary>The offset just after this frame.</summary>
    public long End => Offset + FrameLength;
}

/// <summary>A decoded frame header.</summary>
internal readonly record struct FrameHeader(int PayloadLength, ulong Number, uint Crc);

/// <summary>
/// The on-disk frame of one block (little-endian): magic <c>"ZCBK"</c> (4), version (1), reserved zeros (3),
/// payload length (u32), block number (u64), CRC-32C (u32) over header bytes 0..19 and the payload; then the payload,
/// which is the block's protobuf bytes exactly as appended.
/// </summary>
internal static class BlockFrame
{
    public const int HeaderSize = 24;
    public const byte Version = 1;

    /// <summary>The largest payload a frame can carry.</summary>
    public const int MaxPayloadLength = int.MaxValue - HeaderSize;

    private const int CrcOffset = 20;

    /// <summary>"ZCBK" in file byte order.</summary>
    public static ReadOnlySpan<byte> Magic => "ZCBK"u8;

    /// <summary>Fills <paramref name="header"/> for a frame over <paramref name="payload"/>; returns its CRC.</summary>
    public static uint WriteHeader(Span<byte> header, ulong number, ReadOnlySpan<byte> payload)
    {
        header = header[..HeaderSize];
        header.Clear();
        Magic.CopyTo(header);
        header[4] = Version;
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], checked((uint)payload.Length));
        BinaryPrimitives.WriteUInt64LittleEndian(header[12..], number);
        var crc = ComputeCrc(header, payload);
        BinaryPrimitives.WriteUInt32LittleEndian(header[CrcOffset..], crc);
        return crc;
    }

    /// <summary>
    /// Decodes a header; false when the magic, version or reserved bytes are wrong or the length is impossible.
    /// </summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> header, out FrameHeader frame)
    {
        frame = default;
        if (header.Length < HeaderSize || !header[..4].SequenceEqual(Magic) || header[4] != Version
            || header[5] != 0 || header[6] != 0 || header[7] != 0)
        {
            return false;
        }
        var length = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        if (length == 0 || length > MaxPayloadLength)
        {
            return false;
        }
        frame = new FrameHeader((int)length, BinaryPrimitives.ReadUInt64LittleEndian(header[12..]), BinaryPrimitives.ReadUInt32LittleEndian(header[CrcOffset..]));
        return true;
    }

    /// <summary>CRC-32C over the first 20 header bytes and the payload.</summary>
    public static uint ComputeCrc(ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload) =>
        Crc32C.Append(Crc32C.Compute(header[..CrcOffset]), payload);

    /// <summary>True when <paramref name="payload"/> matches the CRC in <paramref name="header"/>.</summary>
    public static bool IsIntact(ReadOnlySpan<byte> header, FrameHeader frame, ReadOnlySpan<byte> payload) =>
        payload.Length == frame.PayloadLength && ComputeCrc(header, payload) == frame.Crc;
}
