using ZonCoin.Core.Protocol;
using CoreBlocks = ZonCoin.Core.Protocol.Blocks;
using ZonCoin.Protos.Common;

namespace ZonCoin.Ledger.Blocks;

/// <summary>
/// Reads frames that the index does not cover, checks each one (checksum, block number, previous hash, data hash)
/// and produces its index record. A damaged frame at the end of the last segment is a torn write and is cut off; a
/// damaged frame anywhere else, or a checksum-valid block that breaks the chain, is corruption.
/// </summary>
internal sealed class SegmentScan
{
    private readonly string _directory;
    private ulong _next;

    public SegmentScan(string directory, ulong nextNumber, byte[]? lastBytes, byte[]? lastHash)
    {
        _directory = directory;
        _next = nextNumber;
        LastBytes = lastBytes;
        LastHash = lastHash;
    }

    public List<IndexRecord> Records { get; } = [];

    public byte[]? LastBytes { get; private set; }

    public byte[]? LastHash { get; private set; }

    public long TruncatedBytes { get; private set; }

    /// <summary>Scans segment <paramref name="segment"/> from <paramref name="offset"/>; returns its length afterwards.</summary>
    public long Run(int segment, long offset, bool isLast)
    {
        var name = SegmentFiles.Name(segment);
        var path = SegmentFiles.PathOf(_directory, segment);
        long tornAt;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 64 * 1024))
        {
            var length = stream.Length;
            var position = offset;
            while (true)
            {
                if (position >= length)
                {
                    return length;
                }
                if (!TryReadFrame(stream, position, length, out var frame, out var payload))
                {
                    if (!isLast)
                    {
                        throw BlockStoreException.Corrupt(name, position, "a damaged or partial frame (not at the end of the last segment)");
                    }
                    if (ContainsIntactFrame(stream, position + 1, length))
                    {
                        throw BlockStoreException.Corrupt(name, position, "a damaged frame followed by intact frames");
                    }
                    tornAt = position;
                    TruncatedBytes += length - position;
                    break;
                }
                Accept(name, segment, position, frame, payload);
                position += BlockFrame.HeaderSize + (long)frame.PayloadLength;
            }
        }
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read))
        {
            stream.SetLength(tornAt);
            stream.Flush(flushToDisk: true);
        }
        return tornAt;
    }

    private void Accept(string name, int segment, long position, FrameHeader frame, byte[] payload)
    {
        if (frame.Number != _next)
        {
            throw BlockStoreException.Corrupt(name, position, $"block {frame.Number} where block {_next} was expected");
        }
        Block block;
        try
        {
            block = CoreBlocks.Parse(payload);
        }
        catch (MalformedMessageException ex)
        {
            throw BlockStoreException.Corrupt(name, position, $"block {_next} does not parse ({ex.Message})");
        }
        if (block.Header.Number != _next)
        {
            throw BlockStoreException.Corrupt(name, position, $"the frame of block {_next} holds block {block.Header.Number}");
        }
        if (_next > 0 && (LastHash is null || !block.Header.PreviousHash.Span.SequenceEqual(LastHash)))
        {
            throw BlockStoreException.Corrupt(name, position, $"block {_next} does not chain to block {_next - 1} (previous hash mismatch)");
        }
        if (!CoreBlocks.HasValidDataHash(block))
        {
            throw BlockStoreException.Corrupt(name, position, $"block {_next} has a wrong data hash");
        }
        var headerHash = BlockHashing.HeaderHash(block.Header);
        Records.Add(new IndexRecord(_next, new SegmentLocation(segment, position, frame.PayloadLength, frame.Crc), BlockHashKey.From(headerHash), TransactionIdExtractor.Extract(block)));
        LastBytes = payload;
        LastHash = headerHash;
        _next++;
    }

    private static bool TryReadFrame(FileStream stream, long position, long length, out FrameHeader frame, out byte[] payload)
    {
        frame = default;
        payload = [];
        if (length - position < BlockFrame.HeaderSize)
        {
            return false;
        }
        Span<byte> header = stackalloc byte[BlockFrame.HeaderSize];
        stream.Position = position;
        stream.ReadExactly(header);
        if (!BlockFrame.TryReadHeader(header, out frame) || frame.PayloadLength > length - position - BlockFrame.HeaderSize)
        {
            return false;
        }
        payload = new byte[frame.PayloadLength];
        stream.ReadExactly(payload);
        return BlockFrame.IsIntact(header, frame, payload);
    }

    /// <summary>Whether an intact frame starts anywhere in [<paramref name="from"/>, <paramref name="length"/>).</summary>
    private static bool ContainsIntactFrame(FileStream stream, long from, long length)
    {
        if (length - from < BlockFrame.HeaderSize)
        {
            return false;
        }
        var region = new byte[length - from];
        stream.Position = from;
        stream.ReadExactly(region);
        var start = 0;
        while (true)
        {
            var found = region.AsSpan(start).IndexOf(BlockFrame.Magic);
            if (found < 0)
            {
                return false;
            }
            var at = start + found;
            var rest = region.AsSpan(at);
            if (BlockFrame.TryReadHeader(rest, out var frame) && frame.PayloadLength <= rest.Length - BlockFrame.HeaderSize
                && BlockFrame.IsIntact(rest, frame, rest.Slice(BlockFrame.HeaderSize, frame.PayloadLength)))
            {
                return true;
            }
            start = at + 1;
        }
    }
}
