using ZonCoin.Protos.Peer;

namespace ZonCoin.Chaincode.Shim;

/// <summary>
/// One transaction's view of the ledger and of the proposal that started it (fabric-shim's <c>ChaincodeStub</c>).
/// Reads see committed state only (no read-your-own-writes); writes take effect when the transaction commits.
/// Requests of one transaction go to the peer one at a time; concurrent calls wait their turn.
/// </summary>
public interface IChaincodeStub
{
    /// <summary>The channel the transaction runs on.</summary>
    string ChannelId { get; }

    /// <summary>The transaction id.</summary>
    string TxId { get; }

    /// <summary>The raw arguments, function name first.</summary>
    IReadOnlyList<ReadOnlyMemory<byte>> Args { get; }

    /// <summary>The arguments as UTF-8 strings, function name first.</summary>
    IReadOnlyList<string> StringArgs { get; }

    /// <summary>The function name (the first argument) and the remaining arguments as strings.</summary>
    (string Function, IReadOnlyList<string> Parameters) GetFunctionAndParameters();

    /// <summary>The client's signed proposal, or null when the peer did not send one.</summary>
    SignedProposal? SignedProposal { get; }

    /// <summary>The proposal creator's <c>msp.SerializedIdentity</c> bytes, or empty without a proposal.</summary>
    ReadOnlyMemory<byte> Creator { get; }

    /// <summary>Private inputs from the proposal's transient map; they never reach the ledger.</summary>
    IReadOnlyDictionary<string, ReadOnlyMemory<byte>> Transient { get; }

    /// <summary>The proposal's channel header timestamp (the client's clock), the same on every endorser.</summary>
    DateTimeOffset TxTimestamp { get; }

    /// <summary>SHA-256(nonce ‖ creator ‖ epoch as little-endian uint64): ties the proposal to its transaction.</summary>
    ReadOnlyMemory<byte> Binding { get; }

    /// <summary>The value of <paramref name="key"/>; empty when the key does not exist.</summary>
    /// <param name="key">A simple or composite key.</param>
    /// <param name="cancellationToken">Cancels the wait for the peer's reply.</param>
    Task<ReadOnlyMemory<byte>> GetStateAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Writes <paramref name="value"/> to <paramref name="key"/> (at commit).</summary>
    /// <param name="key">A simple or composite key; not empty.</param>
    /// <param name="value">The new value; not empty (an empty value would mean delete).</param>
    /// <param name="cancellationToken">Cancels the wait for the peer's reply.</param>
    Task PutStateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default);

    /// <summary>Deletes <paramref name="key"/> (at commit).</summary>
    /// <param name="key">A simple or composite key.</param>
    /// <param name="cancellationToken">Cancels the wait for the peer's reply.</param>
    Task DeleteStateAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// The keys in [<paramref name="startKey"/>, <paramref name="endKey"/>) in UTF-8 byte order, fetched from the
    /// peer in batches as the enumeration proceeds. An empty start or end is unbounded; composite keys are skipped.
    /// Disposing the enumerator (<c>await foreach</c> does) closes the query on the peer.
    /// </summary>
    /// <param name="startKey">Inclusive start; empty for the first key.</param>
    /// <param name="endKey">Exclusive end; empty for no end.</param>
    IAsyncEnumerable<KeyValue> GetStateByRange(string startKey, string endKey);

    /// <summary>One page of at most <paramref name="pageSize"/> keys of a range, starting at <paramref name="bookmark"/>.</summary>
    /// <param name="startKey">Inclusive start; empty for the first key.</param>
    /// <param name="endKey">Exclusive end; empty for no end.</param>
    /// <param name="pageSize">The most keys to return.</param>
    /// <param name="bookmark">The previous page's bookmark, or empty for the first page.</param>
    /// <param name="cancellationToken">Cancels the wait for the peer's replies.</param>
    Task<QueryPage<KeyValue>> GetStateByRangeWithPaginationAsync(string startKey, string endKey, int pageSize, string bookmark, CancellationToken cancellationToken = default);

    /// <summary>Every composite key of <paramref name="objectType"/> whose attributes start with <paramref name="attributes"/>.</summary>
    /// <param name="objectType">The object type.</param>
    /// <param name="attributes">A prefix of the attributes.</param>
    IAsyncEnumerable<KeyValue> GetStateByPartialCompositeKey(string objectType, params IEnumerable<string> attributes);

    /// <summary>One page of <see cref="GetStateByPartialCompositeKey"/>.</summary>
    /// <param name="objectType">The object type.</param>
    /// <param name="attributes">A prefix of the attributes.</param>
    /// <param name="pageSize">The most keys to return.</param>
    /// <param name="bookmark">The previous page's bookmark, or empty for the first page.</param>
    /// <param name="cancellationToken">Cancels the wait for the peer's replies.</param>
    Task<QueryPage<KeyValue>> GetStateByPartialCompositeKeyWithPaginationAsync(string objectType, IEnumerable<string> attributes, int pageSize, string bookmark, CancellationToken cancellationToken = default);

    /// <summary>A rich (CouchDB-style selector) query; only state databases with JSON values support it.</summary>
    /// <param name="query">The query string, e.g. <c>{"selector":{"owner":"alice"}}</c>.</param>
    IAsyncEnumerable<KeyValue> GetQueryResult(string query);

    /// <summary>One page of a rich query.</summary>
    /// <param name="query">The query string.</param>
    /// <param name="pageSize">The most results to return.</param>
    /// <param name="bookmark">The previous page's bookmark, or empty for the first page.</param>
    /// <param name="cancellationToken">Cancels the wait for the peer's replies.</param>
    Task<QueryPage<KeyValue>> GetQueryResultWithPaginationAsync(string query, int pageSize, string bookmark, CancellationToken cancellationToken = default);

    /// <summary>Every committed change of <paramref name="key"/>, newest first.</summary>
    /// <param name="key">The key.</param>
    IAsyncEnumerable<KeyModification> GetHistoryForKey(string key);

    /// <summary>The key-level endorsement policy of <paramref name="key"/> (<c>VALIDATION_PARAMETER</c>), or empty.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the wait for the peer's reply.</param>
    Task<ReadOnlyMemory<byte>> GetStateValidationParameterAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Sets the key-level endorsement policy (a serialized <c>SignaturePolicyEnvelope</c>) of <paramref name="key"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="endorsementPolicy">The policy bytes.</param>
    /// <param name="cancellationToken">Cancels the wait for the peer's reply.</param>
    Task SetStateValidationParameterAsync(string key, ReadOnlyMemory<byte> endorsementPolicy, CancellationToken cancellationToken = default);

    /// <summary>The value of <paramref name="key"/> in a private data collection; empty when missing.</summary>
    /// <param name="collection">The collection name.</param>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the wait for the peer's reply.</param>
    Task<ReadOnlyMemory<byte>> GetPrivateDataAsync(string collection, string key, CancellationToken cancellationToken = default);

    /// <summary>SHA-256 of the value of <paramref name="key"/> in a collection (readable by non-members).</summary>
    /// <param name="collection">The collection name.</param>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the wait for the peer's reply.</param>
    Task<ReadOnlyMemory<byte>> GetPrivateDataHashAsync(string collection, string key, CancellationToken cancellationToken = default);

    /// <summary>Writes a value to a private data collection.</summary>
    /// <param name="collection">The collection name.</param>
    /// <param name="key">The key.</param>
    /// <param name="value">The value; not empty.</param>
    /// <param name="cancellationToken">Cancels the wait for the peer's reply.</param>
    Task PutPrivateDataAsync(string collection, string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default);

    /// <summary>Deletes a key of a private data collection.</summary>
    /// <param name="collection">The collection name.</param>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the wait for the peer's reply.</param>
    Task DeletePrivateDataAsync(string collection, string key, CancellationToken cancellationToken = default);

    /// <summary>Deletes a key of a private data collection and purges its history from private data stores.</summary>
    /// <param name="collection">The collection name.</param>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the wait for the peer's reply.</param>
    Task PurgePrivateDataAsync(string collection, string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Calls another chaincode in the same transaction (its reads and writes join this transaction's when on the same
    /// channel). The callee's response comes back whatever its status; a failed call throws.
    /// </summary>
    /// <param name="chaincodeName">The callee's name.</param>
    /// <param name="args">Its arguments, function name first.</param>
    /// <param name="channel">Another channel (read-only there), or null for this one.</param>
    /// <param name="cancellationToken">Cancels the wait for the peer's reply.</param>
    Task<ChaincodeResponse> InvokeChaincodeAsync(string chaincodeName, IEnumerable<ReadOnlyMemory<byte>> args, string? channel = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sets the transaction's chaincode event (the last call wins). Applications receive it after the transaction commits valid.
    /// </summary>
    /// <param name="name">The event name; not empty.</param>
    /// <param name="payload">The event payload.</param>
    void SetEvent(string name, ReadOnlyMemory<byte> payload);

    /// <summary>The event set by <see cref="SetEvent"/>, or null.</summary>
    ChaincodeEvent? ChaincodeEvent { get; }

    /// <summary>Builds a composite key (see <see cref="CompositeKeys.Create"/>).</summary>
    /// <param name="objectType">The object type.</param>
    /// <param name="attributes">The attributes.</param>
    string CreateCompositeKey(string objectType, params IEnumerable<string> attributes) => CompositeKeys.Create(objectType, attributes);

    /// <summary>Splits a composite key (see <see cref="CompositeKeys.Split"/>).</summary>
    /// <param name="compositeKey">The key.</param>
    (string ObjectType, IReadOnlyList<string> Attributes) SplitCompositeKey(string compositeKey) => CompositeKeys.Split(compositeKey);
}
