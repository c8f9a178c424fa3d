namespace ZonCoin.Ledger.State;

/// <summary>
/// A committed value with its version and key-level metadata (Fabric's serialized state metadata, e.g. the
/// <c>VALIDATION_PARAMETER</c> entry; empty when the key has none).
/// </summary>
/// <remarks>Record equality compares the memory instances, not the bytes; compare <c>Value.Span</c> when that matters.</remarks>
public sealed record VersionedValue(ReadOnlyMemory<byte> Value, Version Version, ReadOnlyMemory<byte> Metadata);

/// <summary>One key of a range query with its committed value.</summary>
public sealed record StateEntry(string Key, VersionedValue Value);
