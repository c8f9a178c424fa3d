namespace ZonCoin.Ledger.Blocks;

/// <summary>What <see cref="BlockStore.Open"/> found and repaired; the store itself logs nothing.</summary>
/// <param name="BlocksFound">Blocks in the store after recovery (its height).</param>
/// <param name="TruncatedBytes">Bytes cut from the end of the last segment (a torn or corrupt tail).</param>
/// <param name="IndexRebuilt">
/// True when the persisted index was missing, damaged, ahead of or behind the segments and had to be rewritten or
/// extended from them; false when it matched.
/// </param>
/// <param name="BlocksReindexed">Blocks whose index entries were recreated by reading the segments.</param>
public sealed record RecoveryReport(ulong BlocksFound, long TruncatedBytes, bool IndexRebuilt, ulong BlocksReindexed = 0)
{
    /// <summary>True when recovery changed nothing on disk.</summary>
    public bool WasClean => TruncatedBytes == 0 && !IndexRebuilt;
}
