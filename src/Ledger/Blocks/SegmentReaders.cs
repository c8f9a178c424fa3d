using Microsoft.Win32.SafeHandles;

namespace ZonCoin.Ledger.Blocks;

/// <summary>
/// Positional reads of frames through one shared read handle per segment (<see cref="RandomAccess"/>, so any
/// number of readers run concurrently with each other and with the writer). Every read checks the frame.
/// </summary>
internal sealed class SegmentReaders : IDisposable
{
    private readonly string _directory;
    private readonly Dictionary<int, SafeFileHandle> _handles = [];
    private readonly Lock _lock = new();
    private bool _disposed;

    public SegmentReaders(string directory)
    {
        _directory = directory;
    }

    /// <summary>The payload of the frame at <paramref name="location"/>, which must hold block <paramref name="number"/>.</summary>
    public byte[] ReadPayload(ulong number, SegmentLocation location)
    {
        var header = new byte[BlockFrame.HeaderSize];
        var payload = new byte[location.PayloadLength];
        var handle = Handle(location.Segment);
        var read = ReadFully(handle, header, location.Offset);
        if (read == header.Length)
        {
            read += ReadFully(handle, payload, location.Offset + header.Length);
        }
        var segment = SegmentFiles.Name(location.Segment);
        if (read != header.Length + payload.Length)
        {
            throw BlockStoreException.Corrupt(segment, location.Offset, $"block {number} is cut short ({read} of {location.FrameLength} bytes)");
        }
        if (!BlockFrame.TryReadHeader(header, out var frame) || frame.Number != number || frame.PayloadLength != location.PayloadLength)
        {
            throw BlockStoreException.Corrupt(segment, location.Offset, $"the frame header of block {number} is damaged");
        }
        if (!BlockFrame.IsIntact(header, frame, payload))
        {
            throw BlockStoreException.Corrupt(segment, location.Offset, $"block {number} fails its checksum");
        }
        return payload;
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the file ends; returns the bytes read.</summary>
    internal static int ReadFully(SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = RandomAccess.Read(handle, buffer[total..], offset + total);
            if (read == 0)
            {
                break;
            }
            total += read;
        }
        return total;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            foreach (var handle in _handles.Values)
            {
                handle.Dispose();
            }
            _handles.Clear();
        }
    }

    private SafeFileHandle Handle(int segment)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_handles.TryGetValue(segment, out var handle))
            {
                handle = File.OpenHandle(SegmentFiles.PathOf(_directory, segment), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                _handles.Add(segment, handle);
            }
            return handle;
        }
    }
}
