using ZonCoin.Core.Protocol;
using CoreBlocks = ZonCoin.Core.Protocol.Blocks;
using ZonCoin.Protos.Common;

namespace ZonCoin.Ledger.Blocks;

/// <summary>The state a store starts from after recovery.</summary>
internal sealed record RecoveredState(
    RecoveryReport Report,
    List<IndexRecord> Records,
    byte[]? LastBlockBytes,
    byte[]? LastHeaderHash,
    int LastSegment,
    long LastSegmentLength,
    BlockIndexFile Index);

/// <summary>
/// Brings a store directory to a consistent state on open: trusts the persisted index as far as it agrees with the
/// segments (and fully verifies its last block), reads and indexes the frames after it, truncates a torn or
/// corrupt tail of the last segment, and refuses (with <see cref="BlockStoreException"/>) corruption anywhere else.
/// </summary>
internal static class BlockStoreRecovery
{
    public static RecoveredState Run(string directory, BlockStoreOptions options)
    {
        var segments = SegmentFiles.List(directory);
        if (segments.Length == 0)
        {
            using (File.Create(SegmentFiles.PathOf(directory, 0)))
            {
            }
            segments = [0];
        }
        var lengths = segments.Select(s => new FileInfo(SegmentFiles.PathOf(directory, s)).Length).ToArray();
        var indexPath = Path.Combine(directory, BlockIndexFile.FileName);
        var loaded = BlockIndexFile.Load(indexPath);
        var records = loaded.Records;
        var trusted = TrustedPrefix(records, lengths);

        byte[]? lastBytes = null;
        byte[]? lastHash = null;
        using (var readers = new SegmentReaders(directory))
        {
            var verifiedHash = options.VerifyOnOpen && trusted > 1 ? VerifyChain(readers, records, trusted - 1) : null;
            if (trusted > 0 && TryReadBlock(readers, records[trusted - 1], out lastBytes, out lastHash)
                && verifiedHash is not null && !CoreBlocks.Parse(lastBytes!).Header.PreviousHash.Span.SequenceEqual(verifiedHash))
            {
                var location = records[trusted - 1].Location;
                throw BlockStoreException.Corrupt(SegmentFiles.Name(location.Segment), location.Offset, $"block {trusted - 1} does not chain to block {trusted - 2}");
            }
            if (trusted > 0 && lastBytes is null)
            {
                // The last indexed block is damaged: treat it as the tail; the scan below decides whether it is.
                trusted--;
                if (trusted > 0 && !TryReadBlock(readers, records[trusted - 1], out lastBytes, out lastHash))
                {
                    var location = records[trusted - 1].Location;
                    throw BlockStoreException.Corrupt(SegmentFiles.Name(location.Segment), location.Offset, $"block {trusted - 1} is damaged");
                }
            }
        }

        var scan = new SegmentScan(directory, (ulong)trusted, lastBytes, lastHash);
        var (startSegment, startOffset) = trusted > 0 ? (records[trusted - 1].Location.Segment, records[trusted - 1].Location.End) : (0, 0L);
        var lastLength = lengths[^1];
        for (var s = startSegment; s < segments.Length; s++)
        {
            var end = scan.Run(s, s == startSegment ? startOffset : 0, isLast: s == segments.Length - 1);
            if (s == segments.Length - 1)
            {
                lastLength = end;
            }
        }

        var indexRebuilt = loaded.State is IndexFileState.BadHeader or IndexFileState.DamagedTail
            || trusted < records.Count || scan.Records.Count > 0;
        var keepLength = loaded.State is IndexFileState.Complete or IndexFileState.DamagedTail && trusted > 0 ? loaded.RecordEnds[trusted - 1] : 0;
        var index = BlockIndexFile.Open(indexPath, keepLength, options.Fsync);
        try
        {
            index.Append(scan.Records);
        }
        catch
        {
            index.Dispose();
            throw;
        }
        records.RemoveRange(trusted, records.Count - trusted);
        records.AddRange(scan.Records);
        var report = new RecoveryReport((ulong)records.Count, scan.TruncatedBytes, indexRebuilt, (ulong)scan.Records.Count);
        return new RecoveredState(report, records, scan.LastBytes, scan.LastHash, segments[^1], lastLength, index);
    }

    /// <summary>
    /// How many leading index records agree with the segment files: numbered 0, 1, 2, …, frames laid end to end
    /// from offset 0 of segment 0, moving to the next segment only where the previous one ends, all inside the files.
    /// </summary>
    private static int TrustedPrefix(List<IndexRecord> records, long[] lengths)
    {
        var segment = 0;
        var expectedOffset = 0L;
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            var location = record.Location;
            if (record.Number != (ulong)i)
            {
                return i;
            }
            var follows = location.Segment == segment && location.Offset == expectedOffset;
            var startsNext = i > 0 && location.Segment == segment + 1 && location.Offset == 0 && expectedOffset == lengths[segment];
            if ((!follows && !startsNext) || location.Segment >= lengths.Length || location.End > lengths[location.Segment])
            {
                return i;
            }
            segment = location.Segment;
            expectedOffset = location.End;
        }
        return records.Count;
    }

    private static bool TryReadBlock(SegmentReaders readers, IndexRecord record, out byte[]? bytes, out byte[]? headerHash)
    {
        bytes = null;
        headerHash = null;
        try
        {
            var payload = readers.ReadPayload(record.Number, record.Location);
            var block = CoreBlocks.Parse(payload);
            var hash = BlockHashing.HeaderHash(block.Header);
            if (block.Header.Number != record.Number || BlockHashKey.From(hash) != record.HeaderHash)
            {
                return false;
            }
            bytes = payload;
            headerHash = hash;
            return true;
        }
        catch (Exception ex) when (ex is BlockStoreException or MalformedMessageException or IOException)
        {
            return false;
        }
    }

    /// <summary>
    /// Reads the first <paramref name="count"/> indexed blocks, checking checksums and hash links; returns the header
    /// hash of the last one.
    /// </summary>
    private static byte[]? VerifyChain(SegmentReaders readers, List<IndexRecord> records, int count)
    {
        byte[]? previousHash = null;
        for (var i = 0; i < count; i++)
        {
            var location = records[i].Location;
            var payload = readers.ReadPayload(records[i].Number, location);
            Block block;
            try
            {
                block = CoreBlocks.Parse(payload);
            }
            catch (MalformedMessageException ex)
            {
                throw BlockStoreException.Corrupt(SegmentFiles.Name(location.Segment), location.Offset, $"block {i} does not parse ({ex.Message})");
            }
            if (previousHash is not null && !block.Header.PreviousHash.Span.SequenceEqual(previousHash))
            {
                throw BlockStoreException.Corrupt(SegmentFiles.Name(location.Segment), location.Offset, $"block {i} does not chain to block {i - 1}");
            }
            previousHash = BlockHashing.HeaderHash(block.Header);
        }
        return previousHash;
    }
}
