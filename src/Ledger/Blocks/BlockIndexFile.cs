using System.Buffers.Binary;
using System.Text;

namespace ZonCoin.Ledger.Blocks;

/// <summary>How much of the persisted index could be read.</summary>
internal enum IndexFileState
{
    /// <summary>No index file.</summary>
    Missing,

    /// <summary>The file header is wrong; nothing in it can be trusted.</summary>
    BadHeader,

    /// <summary>Every byte was a valid record.</summary>
    Complete,

    /// <summary>Valid records followed by a damaged or partial record.</summary>
    DamagedTail,
}

/// <summary>The records read from an index file, and the file offset just after each.</summary>
internal sealed record LoadedIndex(IndexFileState State, List<IndexRecord> Records, List<long> RecordEnds);

/// <summary>
/// The persisted index <c>blockindex</c>: derived data, rebuilt from the segments whenever it disagrees with them.
/// Layout (little-endian): header <c>"ZCBI"</c> + u32 version 2; then one record per block, in block order:
/// u32 body length, body, u32 CRC-32C of the body. Body: u64 block number, u32 segment, u64 offset, u32 payload
/// length, u32 frame CRC, 32-byte header hash, u32 txid count, then per txid: u32 tx index, u16 UTF-8 length,
/// UTF-8 bytes. A file of another version (version 1 had no header hash) has a bad header and is rebuilt.
/// </summary>
internal sealed class BlockIndexFile : IDisposable
{
    public const string FileName = "blockindex";
    private const int FileHeaderSize = 8;
    private const uint FormatVersion = 2;
    private const int HashOffset = 28;
    private const int CountOffset = HashOffset + BlockHashKey.Size;
    private const int FixedBodySize = CountOffset + 4;
    private const int MaxBodySize = 256 * 1024 * 1024;

    private static ReadOnlySpan<byte> Magic => "ZCBI"u8;

    private readonly FileStream _stream;
    private readonly bool _fsync;

    private BlockIndexFile(FileStream stream, bool fsync)
    {
        _stream = stream;
        _fsync = fsync;
    }

    /// <summary>Current length of the file (the end of the last record).</summary>
    public long Length => _stream.Length;

    /// <summary>Reads every intact record, stopping at the first damaged one.</summary>
    public static LoadedIndex Load(string path)
    {
        var records = new List<IndexRecord>();
        var ends = new List<long>();
        if (!File.Exists(path))
        {
            return new LoadedIndex(IndexFileState.Missing, records, ends);
        }
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 64 * 1024);
        Span<byte> header = stackalloc byte[FileHeaderSize];
        if (stream.ReadAtLeast(header, FileHeaderSize, throwOnEndOfStream: false) < FileHeaderSize
            || !header[..4].SequenceEqual(Magic) || BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) != FormatVersion)
        {
            return new LoadedIndex(IndexFileState.BadHeader, records, ends);
        }
        var length = stream.Length;
        var position = (long)FileHeaderSize;
        var buffer = new byte[4096];
        Span<byte> word = stackalloc byte[4];
        while (position < length)
        {
            if (length - position < 8 || stream.ReadAtLeast(word, 4, throwOnEndOfStream: false) < 4)
            {
                return new LoadedIndex(IndexFileState.DamagedTail, records, ends);
            }
            var bodyLength = BinaryPrimitives.ReadUInt32LittleEndian(word);
            if (bodyLength < FixedBodySize || bodyLength > MaxBodySize || bodyLength + 8L > length - position)
            {
                return new LoadedIndex(IndexFileState.DamagedTail, records, ends);
            }
            if (buffer.Length < bodyLength + 4)
            {
                buffer = new byte[bodyLength + 4];
            }
            var body = buffer.AsSpan(0, (int)bodyLength + 4);
            stream.ReadExactly(body);
            var crc = BinaryPrimitives.ReadUInt32LittleEndian(body[(int)bodyLength..]);
            if (Crc32C.Compute(body[..(int)bodyLength]) != crc || !TryDecode(body[..(int)bodyLength], out var record))
            {
                return new LoadedIndex(IndexFileState.DamagedTail, records, ends);
            }
            position += bodyLength + 8L;
            records.Add(record);
            ends.Add(position);
        }
        return new LoadedIndex(IndexFileState.Complete, records, ends);
    }

    /// <summary>
    /// Opens the index for appending, keeping its first <paramref name="keepLength"/> bytes (the trusted records);
    /// a value below the header size recreates the file.
    /// </summary>
    public static BlockIndexFile Open(string path, long keepLength, bool fsync)
    {
        var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate,
            Access = FileAccess.ReadWrite,
            Share = FileShare.Read,
            BufferSize = 0,
        });
        try
        {
            if (keepLength < FileHeaderSize)
            {
                stream.SetLength(0);
                Span<byte> header = stackalloc byte[FileHeaderSize];
                Magic.CopyTo(header);
                BinaryPrimitives.WriteUInt32LittleEndian(header[4..], FormatVersion);
                stream.Write(header);
            }
            else if (stream.Length != keepLength)
            {
                stream.SetLength(keepLength);
            }
            stream.Position = stream.Length;
            if (fsync)
            {
                stream.Flush(flushToDisk: true);
            }
            return new BlockIndexFile(stream, fsync);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Appends records and, when the store fsyncs, flushes them to disk.</summary>
    public void Append(IEnumerable<IndexRecord> records)
    {
        var any = false;
        foreach (var record in records)
        {
            _stream.Write(Encode(record));
            any = true;
        }
        if (any && _fsync)
        {
            _stream.Flush(flushToDisk: true);
        }
    }

    /// <summary>Cuts the file back to <paramref name="length"/> (undoing a failed append).</summary>
    public void TruncateTo(long length)
    {
        _stream.SetLength(length);
        _stream.Position = length;
        if (_fsync)
        {
            _stream.Flush(flushToDisk: true);
        }
    }

    public void Dispose() => _stream.Dispose();

    internal static byte[] Encode(IndexRecord record)
    {
        var txBytes = new byte[record.TxIds.Count][];
        var bodyLength = FixedBodySize;
        for (var i = 0; i < txBytes.Length; i++)
        {
            txBytes[i] = Encoding.UTF8.GetBytes(record.TxIds[i].TxId);
            bodyLength += 4 + 2 + txBytes[i].Length;
        }
        var bytes = new byte[bodyLength + 8];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)bodyLength);
        var body = span.Slice(4, bodyLength);
        var location = record.Location;
        BinaryPrimitives.WriteUInt64LittleEndian(body, record.Number);
        BinaryPrimitives.WriteInt32LittleEndian(body[8..], location.Segment);
        BinaryPrimitives.WriteInt64LittleEndian(body[12..], location.Offset);
        BinaryPrimitives.WriteInt32LittleEndian(body[20..], location.PayloadLength);
        BinaryPrimitives.WriteUInt32LittleEndian(body[24..], location.Crc);
        record.HeaderHash.WriteTo(body[HashOffset..]);
        BinaryPrimitives.WriteInt32LittleEndian(body[CountOffset..], txBytes.Length);
        var position = FixedBodySize;
        for (var i = 0; i < txBytes.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(body[position..], record.TxIds[i].TxIndex);
            BinaryPrimitives.WriteUInt16LittleEndian(body[(position + 4)..], checked((ushort)txBytes[i].Length));
            txBytes[i].CopyTo(body[(position + 6)..]);
            position += 6 + txBytes[i].Length;
        }
        BinaryPrimitives.WriteUInt32LittleEndian(span[(4 + bodyLength)..], Crc32C.Compute(body));
        return bytes;
    }

    private static bool TryDecode(ReadOnlySpan<byte> body, out IndexRecord record)
    {
        record = null!;
        var number = BinaryPrimitives.ReadUInt64LittleEndian(body);
        var segment = BinaryPrimitives.ReadInt32LittleEndian(body[8..]);
        var offset = BinaryPrimitives.ReadInt64LittleEndian(body[12..]);
        var payloadLength = BinaryPrimitives.ReadInt32LittleEndian(body[20..]);
        var crc = BinaryPrimitives.ReadUInt32LittleEndian(body[24..]);
        var headerHash = BlockHashKey.From(body.Slice(HashOffset, BlockHashKey.Size));
        var count = BinaryPrimitives.ReadInt32LittleEndian(body[CountOffset..]);
        if (segment < 0 || offset < 0 || payloadLength <= 0 || count < 0 || count > body.Length / 6)
        {
            return false;
        }
        var txIds = new TxIdEntry[count];
        var position = FixedBodySize;
        for (var i = 0; i < count; i++)
        {
            if (body.Length - position < 6)
            {
                return false;
            }
            var txIndex = BinaryPrimitives.ReadInt32LittleEndian(body[position..]);
            var length = BinaryPrimitives.ReadUInt16LittleEndian(body[(position + 4)..]);
            position += 6;
            if (txIndex < 0 || body.Length - position < length)
            {
                return false;
            }
            txIds[i] = new TxIdEntry(txIndex, Encoding.UTF8.GetString(body.Slice(position, length)));
            position += length;
        }
        if (position != body.Length)
        {
            return false;
        }
        record = new IndexRecord(number, new SegmentLocation(segment, offset, payloadLength, crc), headerHash, txIds);
        return true;
    }
}
