using ZonCoin.Core.Identity;
using ZonCoin.Core.Policies;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Ledger.Rwset.Kvrwset;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Peer.Validation;

/// <summary>One namespace's reads and writes in a transaction.</summary>
internal sealed record NamespaceRwSet(string Namespace, KVRWSet RwSet);

/// <summary>
/// What validation extracted from one envelope of a block: its type, txid, creator, and for endorser
/// transactions the invoked chaincode, the read-write sets by namespace and the chaincode event.
/// </summary>
internal sealed record ParsedTransaction(
    HeaderType Type,
    string TxId,
    MspIdentity? Creator,
    DateTimeOffset Timestamp,
    string ChaincodeName,
    IReadOnlyList<NamespaceRwSet> RwSets,
    ChaincodeEvent? Event)
{
    /// <summary>The endorsers whose signatures verified (endorser transactions that were verified; null otherwise).</summary>
    public SignerSet? Endorsers { get; init; }

    public static ParsedTransaction Config(string txId, DateTimeOffset timestamp) =>
        new(HeaderType.Config, txId, null, timestamp, "", [], null);
}

/// <summary>The verdict on one envelope: its validation code and, when it parsed, what it holds.</summary>
internal readonly record struct TransactionVerdict(TxValidationCode Code, ParsedTransaction? Transaction, string? Reason)
{
    public static TransactionVerdict Invalid(TxValidationCode code, string reason, ParsedTransaction? transaction = null) => new(code, transaction, reason);

    public static TransactionVerdict Valid(ParsedTransaction transaction) => new(TxValidationCode.Valid, transaction, null);

    public bool IsValid => Code == TxValidationCode.Valid;
}
