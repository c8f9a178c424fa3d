namespace ZonCoin.Chaincode.Shim;

/// <summary>One key of a range or rich query result (<c>queryresult.KV</c>).</summary>
/// <param name="Namespace">The chaincode namespace the key lives in.</param>
/// <param name="Key">The key.</param>
/// <param name="Value">The committed value.</param>
public sealed record KeyValue(string Namespace, string Key, ReadOnlyMemory<byte> Value);

/// <summary>One entry of a key's history (<c>queryresult.KeyModification</c>), newest first.</summary>
/// <param name="TxId">The transaction that wrote the value.</param>
/// <param name="Value">The value written; empty for a delete.</param>
/// <param name="Timestamp">The writing transaction's timestamp.</param>
/// <param name="IsDelete">True when the transaction deleted the key.</param>
public sealed record KeyModification(string TxId, ReadOnlyMemory<byte> Value, DateTimeOffset Timestamp, bool IsDelete);

/// <summary>One page of a paginated query.</summary>
/// <typeparam name="T">The result type.</typeparam>
/// <param name="Results">The page's results, in key order.</param>
/// <param name="FetchedRecordsCount">How many records the peer fetched for this page.</param>
/// <param name="Bookmark">Where the next page starts (pass it back to continue); empty after the last page.</param>
public sealed record QueryPage<T>(IReadOnlyList<T> Results, int FetchedRecordsCount, string Bookmark);
