using System.Text;
using ZonCoin.Ledger.History;

namespace ZonCoin.Ledger.State;

/// <summary>What a <see cref="KeyUpdate"/> does to the committed state of its key.</summary>
public enum KeyUpdateKind
{
    /// <summary>Writes the value. Metadata is replaced when <see cref="KeyUpdate.ReplacesMetadata"/>, else kept.</summary>
    Put,

    /// <summary>Removes the key and its metadata.</summary>
    Delete,

    /// <summary>
    /// Replaces only the metadata (empty = remove) and the version, and only if the key exists when the block is
    /// applied; a metadata write to a missing key is ignored, as in Fabric.
    /// </summary>
    Metadata,
}

/// <summary>The net effect of a block on one key, after merging all of the block's writes to it in order.</summary>
public sealed record KeyUpdate(
    string Namespace,
    string Key,
    KeyUpdateKind Kind,
    ReadOnlyMemory<byte> Value,
    bool ReplacesMetadata,
    ReadOnlyMemory<byte> Metadata,
    Version Version);

/// <summary>
/// Everything one block changes, applied atomically with the block's savepoint by
/// <see cref="IStateDatabase.ApplyBlock"/>. Add the writes of the block's valid transactions in block order: a
/// later write of a key replaces an earlier one (the last valid transaction of the block wins), with Fabric's
/// merging of values and metadata:
/// <list type="bullet">
/// <item>a put keeps the key's metadata (committed, or set earlier in the batch); a put after a delete in the
/// same batch starts with no metadata;</item>
/// <item>a metadata write after a put of the key in the batch sets that put's metadata; on its own it updates
/// the committed key's metadata and version, and is ignored if the key does not exist (nor does it revive a key
/// deleted earlier in the batch);</item>
/// <item>a delete removes the value and the metadata.</item>
/// </list>
/// Not thread-safe: fill it on one thread, then apply it.
/// </summary>
public sealed class UpdateBatch
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Dictionary<(string Namespace, string Key), KeyUpdate> _updates = [];
    private readonly Dictionary<(string Namespace, string Key, ulong Block, ulong Tx), (string Namespace, string Key, HistoryEntry Entry)> _history = [];
    private ulong? _maxTxNumber;

    /// <summary>
    /// The block's last transaction index (number of transactions - 1, valid or not), which becomes the tx part of
    /// the savepoint as in Fabric. When unset, the highest tx number written in the batch is used (0 for an empty
    /// batch).
    /// </summary>
    public ulong? LastTxNumber { get; set; }

    /// <summary>The keys changed, one net update per key, in the order each key was first written.</summary>
    public IReadOnlyCollection<KeyUpdate> Updates => _updates.Values;

    /// <summary>The history entries to record (one per namespace, key, block and tx; a later one replaces an earlier one).</summary>
    public IReadOnlyCollection<(string Namespace, string Key, HistoryEntry Entry)> History => _history.Values;

    /// <summary>True when the batch changes nothing (an empty block still moves the savepoint).</summary>
    public bool IsEmpty => _updates.Count == 0 && _history.Count == 0;

    /// <summary>The tx part of the savepoint this batch sets: <see cref="LastTxNumber"/>, else the highest tx written, else 0.</summary>
    public ulong SavepointTxNumber => LastTxNumber ?? _maxTxNumber ?? 0;

    /// <summary>Writes <paramref name="value"/> to <paramref name="key"/>.</summary>
    /// <exception cref="ArgumentException">The namespace or key is empty, has a NUL (namespace) or is not valid UTF-16.</exception>
    public void Put(string ns, string key, ReadOnlyMemory<byte> value, Version version)
    {
        var id = Check(ns, key, version);
        if (_updates.TryGetValue(id, out var earlier))
        {
            _updates[id] = earlier.Kind switch
            {
                // Keep what the earlier write decided about metadata: set (put or metadata write) or keep committed.
                KeyUpdateKind.Put or KeyUpdateKind.Metadata => new KeyUpdate(ns, key, KeyUpdateKind.Put, value, earlier.ReplacesMetadata || earlier.Kind == KeyUpdateKind.Metadata, earlier.Metadata, version),
                // The delete removed the metadata: the new key starts without any.
                _ => new KeyUpdate(ns, key, KeyUpdateKind.Put, value, true, ReadOnlyMemory<byte>.Empty, version),
            };
        }
        else
        {
            _updates[id] = new KeyUpdate(ns, key, KeyUpdateKind.Put, value, false, ReadOnlyMemory<byte>.Empty, version);
        }
    }

    /// <summary>Deletes <paramref name="key"/> (and its metadata).</summary>
    /// <exception cref="ArgumentException">The namespace or key is invalid.</exception>
    public void Delete(string ns, string key, Version version)
    {
        var id = Check(ns, key, version);
        _updates[id] = new KeyUpdate(ns, key, KeyUpdateKind.Delete, ReadOnlyMemory<byte>.Empty, true, ReadOnlyMemory<byte>.Empty, version);
    }

    /// <summary>
    /// Sets the key-level metadata of <paramref name="key"/> (Fabric's serialized metadata entries, e.g.
    /// <c>VALIDATION_PARAMETER</c>); empty <paramref name="metadata"/> removes it. The key's version becomes
    /// <paramref name="version"/>. Ignored when the key does not exist at that point.
    /// </summary>
    /// <exception cref="ArgumentException">The namespace or key is invalid.</exception>
    public void PutMetadata(string ns, string key, ReadOnlyMemory<byte> metadata, Version version)
    {
        var id = Check(ns, key, version);
        if (_updates.TryGetValue(id, out var earlier))
        {
            _updates[id] = earlier.Kind switch
            {
                KeyUpdateKind.Put => earlier with { ReplacesMetadata = true, Metadata = metadata, Version = version },
                KeyUpdateKind.Metadata => earlier with { Metadata = metadata, Version = version },
                // Deleted earlier in the block: the key does not exist, so the metadata write is a no-op.
                _ => earlier,
            };
        }
        else
        {
            _updates[id] = new KeyUpdate(ns, key, KeyUpdateKind.Metadata, ReadOnlyMemory<byte>.Empty, true, metadata, version);
        }
    }

    /// <summary>
    /// Records a write of <paramref name="key"/> in the history index (committed with the state). Its block number
    /// must be the block applied.
    /// </summary>
    /// <exception cref="ArgumentException">The namespace or key is invalid.</exception>
    public void AddHistory(string ns, string key, HistoryEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(entry.TxId);
        Check(ns, key, new Version(entry.BlockNumber, entry.TxNumber));
        _history[(ns, key, entry.BlockNumber, entry.TxNumber)] = (ns, key, entry);
    }

    /// <summary>
    /// Throws unless every version in the batch belongs to <paramref name="blockNumber"/>: a write tagged with
    /// another block is a caller bug that would corrupt MVCC.
    /// </summary>
    internal void CheckBlock(ulong blockNumber)
    {
        foreach (var update in _updates.Values)
        {
            if (update.Version.BlockNumber != blockNumber)
            {
                throw new ArgumentException($"The update of {update.Namespace}/{Printable(update.Key)} carries version {update.Version}, not block {blockNumber}.", nameof(blockNumber));
            }
        }
        foreach (var (ns, key, entry) in _history.Values)
        {
            if (entry.BlockNumber != blockNumber)
            {
                throw new ArgumentException($"The history entry of {ns}/{Printable(key)} (tx {entry.TxId}) is for block {entry.BlockNumber}, not block {blockNumber}.", nameof(blockNumber));
            }
        }
        if (LastTxNumber is { } last && _maxTxNumber is { } max && max > last)
        {
            throw new ArgumentException($"The batch writes tx {max} but LastTxNumber is {last}.", nameof(blockNumber));
        }
    }

    /// <summary>A key for messages: NULs (composite keys) shown as <c>\0</c>.</summary>
    internal static string Printable(string key) => key.Replace("\0", "\\0", StringComparison.Ordinal);

    /// <summary>The UTF-8 bytes of a key (validated when it was added to a batch).</summary>
    internal static byte[] KeyBytes(string key) => StrictUtf8.GetBytes(key);

    /// <summary>A read's key as UTF-8 bytes, after the checks every state database makes (namespace, key present, no lone surrogates).</summary>
    internal static byte[] ReadKeyBytes(string ns, string key)
    {
        CheckNamespace(ns);
        ArgumentNullException.ThrowIfNull(key);
        CheckUtf16(key, nameof(key));
        return KeyBytes(key);
    }

    /// <summary>A range read's bounds as UTF-8 bytes, checked as <see cref="ReadKeyBytes"/>; an empty end key means "no end" (null).</summary>
    internal static (byte[] Start, byte[]? End) ReadRangeBytes(string ns, string startKey, string endKey)
    {
        CheckNamespace(ns);
        ArgumentNullException.ThrowIfNull(startKey);
        ArgumentNullException.ThrowIfNull(endKey);
        CheckUtf16(startKey, nameof(startKey));
        CheckUtf16(endKey, nameof(endKey));
        return (KeyBytes(startKey), endKey.Length == 0 ? null : KeyBytes(endKey));
    }

    /// <summary>Throws unless <paramref name="ns"/> is a usable namespace.</summary>
    internal static void CheckNamespace(string ns)
    {
        ArgumentException.ThrowIfNullOrEmpty(ns);
        if (ns.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("A namespace must not contain NUL.", nameof(ns));
        }
        CheckUtf16(ns, nameof(ns));
    }

    /// <summary>Throws unless <paramref name="value"/> encodes to UTF-8 (no lone surrogates).</summary>
    internal static void CheckUtf16(string value, string name)
    {
        try
        {
            StrictUtf8.GetByteCount(value);
        }
        catch (EncoderFallbackException ex)
        {
            throw new ArgumentException($"'{Printable(value)}' is not valid UTF-16 (a lone surrogate), so it has no UTF-8 form.", name, ex);
        }
    }

    private (string, string) Check(string ns, string key, Version version)
    {
        CheckNamespace(ns);
        ArgumentException.ThrowIfNullOrEmpty(key);
        CheckUtf16(key, nameof(key));
        if (version.BlockNumber > long.MaxValue || version.TxNumber > long.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(version), version, "Block and tx numbers must fit in 63 bits.");
        }
        _maxTxNumber = _maxTxNumber is { } max && max >= version.TxNumber ? max : version.TxNumber;
        return (ns, key);
    }
}
