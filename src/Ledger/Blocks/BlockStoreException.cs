namespace ZonCoin.Ledger.Blocks;

/// <summary>
/// A block store failure: an append that breaks the chain (wrong number, previous hash or data hash), corruption
/// found in a segment (the message names the segment file and offset), or an I/O failure while writing.
/// </summary>
public sealed class BlockStoreException : Exception
{
    /// <summary>Creates an exception with a message.</summary>
    public BlockStoreException(string message) : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the failure that caused it.</summary>
    public BlockStoreException(string message, Exception inner) : base(message, inner)
    {
    }

    /// <summary>Creates an exception with no message.</summary>
    public BlockStoreException() : base("The block store failed.")
    {
    }

    /// <summary>The segment file involved, when the failure is tied to a place on disk.</summary>
    public string? Segment { get; init; }

    /// <summary>The byte offset in <see cref="Segment"/>, when the failure is tied to a place on disk.</summary>
    public long? Offset { get; init; }

    internal static BlockStoreException Corrupt(string segment, long offset, string what) =>
        new($"Block store corrupt: {what} in segment {segment} at offset {offset}.") { Segment = segment, Offset = offset };
}
