using Google.Protobuf;
using ZonCoin.Core.Protocol;
using CoreBlocks = ZonCoin.Core.Protocol.Blocks;
using ZonCoin.Protos.Common;

namespace ZonCoin.Ledger.Blocks;

/// <summary>
/// A channel's blocks in append-only segment files, each block framed with its length and a CRC-32C and fsync'd
/// before <see cref="Append"/> returns, with a persisted index by block number and txid. One writer at a time;
/// any number of concurrent readers, who only ever see blocks that are durable. See <c>src/Ledger/README.md</c>
/// for the on-disk format and the recovery rules.
/// </summary>
public sealed class BlockStore : IDisposable
{
    private const string LockFileName = "LOCK";

    private readonly Lock _writeLock = new();
    private readonly Lock _stateLock = new();
    private readonly List<SegmentLocation> _locations;
    private readonly Dictionary<string, TransactionLocation> _transactions = new(StringComparer.Ordinal);
    private readonly Dictionary<BlockHashKey, ulong> _hashes = [];
    private readonly RecentBlockCache _cache;
    private readonly HeightSignal _heightSignal = new();
    private readonly SegmentReaders _readers;
    private readonly SegmentWriter _writer;
    private readonly BlockIndexFile _index;
    private readonly FileStream _lockFile;
    private Tip _tip;
    private volatile bool _disposed;

    private BlockStore(string directory, FileStream lockFile, RecoveredState state, BlockStoreOptions options)
    {
        Directory = directory;
        _lockFile = lockFile;
        _index = state.Index;
        Recovery = state.Report;
        _locations = new List<SegmentLocation>(state.Records.Count);
        foreach (var record in state.Records)
        {
            _locations.Add(record.Location);
            AddIndexEntries(record);
        }
        _cache = new RecentBlockCache(options.RecentBlockCacheSize);
        var height = (ulong)state.Records.Count;
        if (state.LastBlockBytes is not null)
        {
            _cache.Add(height - 1, state.LastBlockBytes);
        }
        _tip = new Tip(height, state.LastHeaderHash, state.LastBlockBytes);
        _readers = new SegmentReaders(directory);
        _writer = new SegmentWriter(directory, state.LastSegment, state.LastSegmentLength, options.MaxSegmentBytes, options.Fsync);
    }

    /// <summary>The store's directory.</summary>
    public string Directory { get; }

    /// <summary>What <see cref="Open"/> found and repaired.</summary>
    public RecoveryReport Recovery { get; }

    /// <summary>The number of blocks stored, which is also the number the next block must carry.</summary>
    public ulong Height => Volatile.Read(ref _tip).Height;

    /// <summary><see cref="BlockHashing.HeaderHash"/> of the last block (a copy); null when the store is empty.</summary>
    public byte[]? LastHeaderHash => Volatile.Read(ref _tip).HeaderHash?.ToArray();

    /// <summary>The last block (a fresh instance on every call); null when the store is empty.</summary>
    public Block? LastBlock => Volatile.Read(ref _tip).BlockBytes is { } bytes ? Block.Parser.ParseFrom(bytes) : null;

    /// <summary>
    /// Opens the store in <paramref name="directory"/> (creating it), taking an exclusive lock on it, and recovers:
    /// a torn or corrupt tail of the last segment is truncated and the index is rebuilt or extended where it
    /// disagrees with the segments. <see cref="Recovery"/> reports what was done.
    /// </summary>
    /// <exception cref="BlockStoreException">The store is corrupt other than at its tail, or is already open.</exception>
    public static BlockStore Open(string directory, BlockStoreOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        options ??= new BlockStoreOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxSegmentBytes, nameof(options));
        directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(directory);
        FileStream lockFile;
        try
        {
            lockFile = new FileStream(Path.Combine(directory, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new BlockStoreException($"The block store in {directory} is already open.", ex);
        }
        try
        {
            var state = BlockStoreRecovery.Run(directory, options);
            try
            {
                return new BlockStore(directory, lockFile, state, options);
            }
            catch
            {
                state.Index.Dispose();
                throw;
            }
        }
        catch
        {
            lockFile.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Appends <paramref name="block"/>, which must carry number <see cref="Height"/>, previous hash
    /// <see cref="LastHeaderHash"/> (any for block 0) and a data hash matching its data. The block is on stable
    /// storage when this returns. Thread-safe: concurrent appends are serialized.
    /// </summary>
    /// <exception cref="BlockStoreException">The block does not extend the chain, or writing failed; nothing is stored.</exception>
    public void Append(Block block)
    {
        ArgumentNullException.ThrowIfNull(block);
        lock (_writeLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_writer.IsBroken)
            {
                throw new BlockStoreException($"The block store in {Directory} failed to undo a failed write; reopen it to recover.");
            }
            var tip = _tip;
            Validate(block, tip);
            var bytes = block.ToByteArray();
            if (bytes.Length > BlockFrame.MaxPayloadLength)
            {
                throw new BlockStoreException($"Block {tip.Height} is too large to store ({bytes.Length} bytes).");
            }
            var headerHash = BlockHashing.HeaderHash(block.Header);
            var record = new IndexRecord(tip.Height, default, BlockHashKey.From(headerHash), TransactionIdExtractor.Extract(block));
            SegmentLocation location;
            try
            {
                location = _writer.Append(tip.Height, bytes);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new BlockStoreException($"Writing block {tip.Height} to {Directory} failed: {ex.Message}", ex);
            }
            var indexLength = _index.Length;
            try
            {
                _index.Append([record with { Location = location }]);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _writer.TryRemove(location);
                try
                {
                    _index.TruncateTo(indexLength);
                }
                catch (IOException)
                {
                    // The index is derived data: the next open validates and repairs it.
                }
                throw new BlockStoreException($"Indexing block {tip.Height} in {Directory} failed: {ex.Message}", ex);
            }
            lock (_stateLock)
            {
                _locations.Add(location);
                AddIndexEntries(record);
                _cache.Add(tip.Height, bytes);
                Volatile.Write(ref _tip, new Tip(tip.Height + 1, headerHash, bytes));
            }
            _heightSignal.Notify();
        }
    }

    /// <summary>The block with number <paramref name="number"/>, parsed from its stored bytes.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="number"/> is not below <see cref="Height"/>.</exception>
    /// <exception cref="BlockStoreException">The stored block is damaged.</exception>
    public Block GetBlock(ulong number) => Parse(number, ReadBytes(number));

    /// <summary>Gets block <paramref name="number"/>; false (and null) when it is not stored yet.</summary>
    /// <exception cref="BlockStoreException">The stored block is damaged.</exception>
    public bool TryGetBlock(ulong number, out Block? block)
    {
        if (number >= Height)
        {
            block = null;
            return false;
        }
        block = GetBlock(number);
        return true;
    }

    /// <summary>The exact bytes of block <paramref name="number"/> as appended (a copy the caller owns).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="number"/> is not below <see cref="Height"/>.</exception>
    /// <exception cref="BlockStoreException">The stored block is damaged.</exception>
    public byte[] GetBlockBytes(ulong number) => [.. ReadBytes(number)];

    /// <summary>
    /// Where the first transaction with this txid (from its envelope's <c>ChannelHeader.tx_id</c>) is stored; null
    /// when none is. Envelopes without a txid or that do not unpack are not indexed.
    /// </summary>
    public TransactionLocation? FindTransaction(string txId)
    {
        ArgumentNullException.ThrowIfNull(txId);
        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (_stateLock)
        {
            return _transactions.GetValueOrDefault(txId);
        }
    }

    /// <summary>
    /// The number of the block whose header hash (<see cref="BlockHashing.HeaderHash"/>) is <paramref name="headerHash"/>;
    /// null when no stored block has it (including hashes that are not 32 bytes long). An index lookup, no scan.
    /// </summary>
    public ulong? FindBlockNumber(ReadOnlySpan<byte> headerHash)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!BlockHashKey.TryFrom(headerHash, out var key))
        {
            return null;
        }
        lock (_stateLock)
        {
            return _hashes.TryGetValue(key, out var number) ? number : null;
        }
    }

    /// <summary>
    /// Completes when <see cref="Height"/> reaches <paramref name="height"/> (at once if it already has). Any number
    /// of callers may wait.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    /// <exception cref="ObjectDisposedException">The store was disposed first.</exception>
    public async Task WaitForHeightAsync(ulong height, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var signal = _heightSignal.Current;
            if (Height >= height)
            {
                return;
            }
            ObjectDisposedException.ThrowIf(_disposed, this);
            await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Closes the files and the directory lock; waiters for a height fail with <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        lock (_writeLock)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            _writer.Dispose();
            _index.Dispose();
            _readers.Dispose();
            _lockFile.Dispose();
        }
        _heightSignal.Notify();
    }

    private byte[] ReadBytes(ulong number)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var tip = Volatile.Read(ref _tip);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(number, tip.Height);
        if (number == tip.Height - 1 && tip.BlockBytes is not null)
        {
            return tip.BlockBytes;
        }
        SegmentLocation location;
        lock (_stateLock)
        {
            if (_cache.TryGet(number, out var cached))
            {
                return cached!;
            }
            location = _locations[checked((int)number)];
        }
        return _readers.ReadPayload(number, location);
    }

    private static Block Parse(ulong number, byte[] bytes)
    {
        try
        {
            return CoreBlocks.Parse(bytes);
        }
        catch (MalformedMessageException ex)
        {
            throw new BlockStoreException($"Stored block {number} does not parse: {ex.Message}", ex);
        }
    }

    private static void Validate(Block block, Tip tip)
    {
        if (block.Header is null || block.Data is null)
        {
            throw new BlockStoreException("Block has no header or no data.");
        }
        if (block.Header.Number != tip.Height)
        {
            throw new BlockStoreException($"Block number {block.Header.Number} does not follow the store: expected block {tip.Height}.");
        }
        if (tip.HeaderHash is not null && !block.Header.PreviousHash.Span.SequenceEqual(tip.HeaderHash))
        {
            throw new BlockStoreException(
                $"Block {block.Header.Number} has previous hash {Convert.ToHexStringLower(block.Header.PreviousHash.Span)}, "
                + $"but block {tip.Height - 1} hashes to {Convert.ToHexStringLower(tip.HeaderHash)}.");
        }
        if (!CoreBlocks.HasValidDataHash(block))
        {
            throw new BlockStoreException($"Block {block.Header.Number} has a data hash that does not match its data.");
        }
    }

    private void AddIndexEntries(IndexRecord record)
    {
        _hashes.TryAdd(record.HeaderHash, record.Number);
        foreach (var entry in record.TxIds)
        {
            _transactions.TryAdd(entry.TxId, new TransactionLocation(record.Number, entry.TxIndex));
        }
    }

    /// <summary>Height, last header hash and last block bytes, published together after each durable append.</summary>
    private sealed record Tip(ulong Height, byte[]? HeaderHash, byte[]? BlockBytes);
}
