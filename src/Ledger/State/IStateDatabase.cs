using ZonCoin.Ledger.History;

namespace ZonCoin.Ledger.State;

/// <summary>
/// A channel's world state (keys by namespace, with versions and key-level metadata), its history index and the
/// savepoint of the last block applied, all changed together by one database transaction per block.
/// </summary>
/// <remarks>
/// <para>Thread safety: one thread applies blocks (calls are serialized if several do); any number of threads read
/// at the same time. Every read sees committed blocks only, and a whole block or none of it: a single
/// <see cref="Get"/> or <see cref="GetMany"/> reads one snapshot, and an enumeration of <see cref="GetRange"/> or
/// <see cref="IHistoryIndex.GetHistory"/> reads one snapshot from its first <c>MoveNext</c> until it is disposed.</para>
/// <para>Recovery: the block store is the truth. Append a block to it first, then apply the block here; on start
/// replay the blocks after <see cref="Savepoint"/> (<see cref="StateDatabaseRecovery"/>). The savepoint commits in
/// the same transaction as the block's writes, so after a crash it names exactly the last block whose writes are
/// present.</para>
/// <para>Implementations must pass <c>StateDatabaseContractTests</c> (tests/Ledger.Tests/State).</para>
/// </remarks>
public interface IStateDatabase : IDisposable
{
    /// <summary>The implementation: "sqlite", "postgres".</summary>
    string Name { get; }

    /// <summary>The committed value of <paramref name="key"/>; null when it does not exist (never written, or deleted).</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1716:Identifiers should not match keywords", Justification = "The peer's API shape; no VB consumers.")]
    VersionedValue? Get(string ns, string key);

    /// <summary>
    /// The committed values of <paramref name="keys"/> that exist, read from one snapshot (for MVCC checks of many
    /// keys at once); missing keys are absent from the result.
    /// </summary>
    IReadOnlyDictionary<string, VersionedValue> GetMany(string ns, IReadOnlyCollection<string> keys);

    /// <summary>
    /// Keys in [<paramref name="startKey"/>, <paramref name="endKey"/>) ordered by their UTF-8 bytes (not .NET
    /// string order); <paramref name="endKey"/> "" = unbounded, <paramref name="startKey"/> "" = from the first key.
    /// Lazily paged from the database in one snapshot; dispose the enumerator (foreach does). Deleted keys are absent.
    /// </summary>
    IEnumerable<StateEntry> GetRange(string ns, string startKey, string endKey);

    /// <summary>The version (block, last tx of the block) of the last applied block; null when none was applied.</summary>
    Version? Savepoint { get; }

    /// <summary>The history index, committed in the same transaction as the state.</summary>
    IHistoryIndex History { get; }

    /// <summary>
    /// Applies <paramref name="batch"/> as block <paramref name="blockNumber"/> in one transaction: state writes,
    /// metadata, history and the savepoint (<paramref name="blockNumber"/>, <see cref="UpdateBatch.SavepointTxNumber"/>).
    /// On any failure nothing is applied and the savepoint is unchanged.
    /// </summary>
    /// <exception cref="StateDatabaseException"><paramref name="blockNumber"/> is not above the savepoint's block
    /// (replaying an applied block is a caller bug), or the database failed.</exception>
    /// <exception cref="ArgumentException">A version in the batch is not of <paramref name="blockNumber"/>.</exception>
    void ApplyBlock(ulong blockNumber, UpdateBatch batch);

    /// <summary>True when CouchDB-style selector queries (<c>GetQueryResult</c>) work; false for SQLite.</summary>
    bool SupportsRichQueries { get; }

    /// <summary>The most results one rich query or page returns (Fabric's <c>totalQueryLimit</c> default).</summary>
    const int MaxQueryResults = 100_000;

    /// <summary>
    /// <c>GetQueryResult</c>: every match of the CouchDB Mango <paramref name="query"/> in namespace
    /// <paramref name="ns"/> in the query's order (its <c>limit</c> and <c>skip</c> honoured), read lazily in one
    /// snapshot, at most <see cref="MaxQueryResults"/>. Each entry's value is what Fabric returns for a rich query:
    /// a JSON-object document re-marshalled as Fabric's CouchDB layer does (members sorted by key at every depth,
    /// compact, numbers as written, strings escaped as Go does, the <c>fields</c> projection applied); any other
    /// value as stored. Its version is the committed one.
    /// </summary>
    /// <exception cref="QueryException">The query is malformed or unsupported (thrown here), is refused by the
    /// database (an invalid <c>$regex</c> pattern; thrown while enumerating), or the database has no rich queries
    /// (<see cref="SupportsRichQueries"/> false).</exception>
    /// <exception cref="StateDatabaseException">The database failed.</exception>
    IEnumerable<StateEntry> ExecuteQuery(string ns, string query);

    /// <summary>
    /// <c>GetQueryResultWithPagination</c>: one page of <see cref="ExecuteQuery"/>. <paramref name="pageSize"/>
    /// replaces the query's <c>limit</c> (0 = no limit, up to <see cref="MaxQueryResults"/>);
    /// <paramref name="bookmark"/> "" is the first page, otherwise the previous page's <see cref="QueryPage.Bookmark"/>.
    /// </summary>
    /// <exception cref="QueryException">The query or bookmark is malformed or unsupported, the database refused the
    /// query, or the database has no rich queries.</exception>
    /// <exception cref="StateDatabaseException">The database failed.</exception>
    QueryPage ExecuteQueryPage(string ns, string query, int pageSize, string bookmark);

    /// <summary>
    /// Creates, idempotently, the indexes chaincode <paramref name="ns"/> declares (Fabric's CouchDB index
    /// definitions, META-INF/statedb/couchdb/indexes); a no-op where rich queries are unsupported (SQLite), as
    /// Fabric ignores indexes on LevelDB.
    /// </summary>
    /// <exception cref="StateDatabaseException">The database failed.</exception>
    void CreateIndexes(string ns, IReadOnlyList<StateIndexDefinition> indexes);
}
