namespace ZonCoin.Ledger.History;

/// <summary>
/// One committed write of a key, as Fabric's <c>GetHistoryForKey</c> returns it (<c>KeyModification</c>): the
/// writing transaction, where it sits in the chain, the value written (empty for a delete) and the transaction's
/// timestamp (from its channel header).
/// </summary>
public sealed record HistoryEntry(string TxId, ulong BlockNumber, ulong TxNumber, ReadOnlyMemory<byte> Value, bool IsDelete, DateTimeOffset Timestamp);

/// <summary>The history of keys: every committed write, kept in the same database (and transaction) as the state.</summary>
public interface IHistoryIndex
{
    /// <summary>
    /// The committed writes of <paramref name="key"/> in namespace <paramref name="ns"/>, newest first (as Fabric
    /// 2.x returns <c>GetHistoryForKey</c>); empty when the key was never written. Lazily paged from the database
    /// in one read snapshot: dispose the enumerator (foreach does) to release it.
    /// </summary>
    IEnumerable<HistoryEntry> GetHistory(string ns, string key);
}
