namespace ZonCoin.Ledger.State;

/// <summary>
/// Fabric's version of a key: the block that last wrote it and the index of the writing transaction in that block
/// (counting invalid transactions, as Fabric does). Ordered by block, then transaction.
/// </summary>
/// <remarks>The name clashes with <see cref="System.Version"/>; outside this namespace use an alias
/// (<c>using Version = ZonCoin.Ledger.State.Version;</c>).</remarks>
public readonly record struct Version(ulong BlockNumber, ulong TxNumber) : IComparable<Version>
{
    /// <inheritdoc/>
    public int CompareTo(Version other)
    {
        var byBlock = BlockNumber.CompareTo(other.BlockNumber);
        return byBlock != 0 ? byBlock : TxNumber.CompareTo(other.TxNumber);
    }

    /// <summary>True when <paramref name="left"/> is older than <paramref name="right"/>.</summary>
    public static bool operator <(Version left, Version right) => left.CompareTo(right) < 0;

    /// <summary>True when <paramref name="left"/> is newer than <paramref name="right"/>.</summary>
    public static bool operator >(Version left, Version right) => left.CompareTo(right) > 0;

    /// <summary>True when <paramref name="left"/> is older than or equal to <paramref name="right"/>.</summary>
    public static bool operator <=(Version left, Version right) => left.CompareTo(right) <= 0;

    /// <summary>True when <paramref name="left"/> is newer than or equal to <paramref name="right"/>.</summary>
    public static bool operator >=(Version left, Version right) => left.CompareTo(right) >= 0;

    /// <inheritdoc/>
    public override string ToString() => $"({BlockNumber}, {TxNumber})";
}
