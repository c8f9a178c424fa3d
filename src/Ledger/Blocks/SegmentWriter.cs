namespace ZonCoin.Ledger.Blocks;

/// <summary>Appends frames to the last segment, rolling over to a new segment when it would grow too large.</summary>
internal sealed class SegmentWriter : IDisposable
{
    private readonly string _directory;
    private readonly long _maxSegmentBytes;
    private readonly bool _fsync;
    private FileStream _stream;
    private int _segment;

    public SegmentWriter(string directory, int segment, long length, long maxSegmentBytes, bool fsync)
    {
        _directory = directory;
        _maxSegmentBytes = maxSegmentBytes;
        _fsync = fsync;
        _segment = segment;
        _stream = OpenSegment(segment, FileMode.OpenOrCreate);
        if (_stream.Length != length)
        {
            _stream.SetLength(length);
        }
        _stream.Position = length;
    }

    /// <summary>
    /// Writes one frame (fsync'd when the store fsyncs) and returns where it is. On failure the segment is cut back
    /// and the exception rethrown; if even that fails, <see cref="IsBroken"/> becomes true.
    /// </summary>
    public SegmentLocation Append(ulong number, byte[] payload)
    {
        var frameLength = BlockFrame.HeaderSize + (long)payload.Length;
        if (_stream.Length > 0 && _stream.Length + frameLength > _maxSegmentBytes)
        {
            RollOver();
        }
        var offset = _stream.Length;
        Span<byte> header = stackalloc byte[BlockFrame.HeaderSize];
        var crc = BlockFrame.WriteHeader(header, number, payload);
        try
        {
            _stream.Position = offset;
            _stream.Write(header);
            _stream.Write(payload);
            if (_fsync)
            {
                _stream.Flush(flushToDisk: true);
            }
        }
        catch (IOException)
        {
            TryCutBack(offset);
            throw;
        }
        return new SegmentLocation(_segment, offset, payload.Length, crc);
    }

    /// <summary>Removes the frame at <paramref name="location"/>, the last one written, after a failed index write.</summary>
    public bool TryRemove(SegmentLocation location) => location.Segment == _segment && TryCutBack(location.Offset);

    /// <summary>True when a failed write could not be undone; the store must be reopened.</summary>
    public bool IsBroken { get; private set; }

    public void Dispose() => _stream.Dispose();

    private void RollOver()
    {
        var next = OpenSegment(_segment + 1, FileMode.CreateNew);
        _stream.Dispose();
        _stream = next;
        _segment++;
    }

    private bool TryCutBack(long offset)
    {
        try
        {
            _stream.SetLength(offset);
            _stream.Position = offset;
            if (_fsync)
            {
                _stream.Flush(flushToDisk: true);
            }
            return true;
        }
        catch (IOException)
        {
            IsBroken = true;
            return false;
        }
    }

    private FileStream OpenSegment(int segment, FileMode mode) => new(SegmentFiles.PathOf(_directory, segment), new FileStreamOptions
    {
        Mode = mode,
        Access = FileAccess.ReadWrite,
        Share = FileShare.Read,
        BufferSize = 0,
    });
}
