using Google.Protobuf;
using ZonCoin.Core.Identity;
using ZonCoin.Core.Policies;
using ZonCoin.Ledger.State;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Peer.Validation;

/// <summary>
/// The endorsement policies of one block's transactions, checked serially in block order against endorsers whose
/// signatures were verified in parallel before (Fabric's VSCC with state-based endorsement):
/// <list type="bullet">
/// <item>a written (or metadata-written) key of an application chaincode whose committed metadata holds a
/// <c>VALIDATION_PARAMETER</c> must satisfy that key-level policy (a <c>SignaturePolicyEnvelope</c>);</item>
/// <item>the chaincode definition's policy must be satisfied when a written key has no key-level policy, or when the
/// namespace (the invoked chaincode) writes nothing; when every written key has one, the chaincode's policy is not
/// needed;</item>
/// <item>a key whose metadata an earlier transaction of the block changed (one that passed this check, whatever its MVCC
/// outcome) cannot be validated against either policy, so the transaction is ENDORSEMENT_POLICY_FAILURE;</item>
/// <item>system namespaces (<c>_lifecycle</c>, <c>_governance</c>) use their own per-key policies from the
/// definitions.</item>
/// </list>
/// </summary>
internal sealed class EndorsementPolicyValidator
{
    private readonly string _channelId;
    private readonly MspManager _msps;
    private readonly IChaincodeDefinitions _definitions;
    private readonly ulong _blockNumber;
    private readonly Dictionary<string, IReadOnlyDictionary<string, VersionedValue>> _committed;
    private readonly Dictionary<(string Namespace, string Key), ulong> _changedMetadata = [];

    /// <summary>
    /// Prepares the check of block <paramref name="blockNumber"/>: reads the committed metadata of every key that the
    /// block's <paramref name="transactions"/> write in application namespaces (one read per namespace).
    /// </summary>
    public EndorsementPolicyValidator(string channelId, MspManager msps, IChaincodeDefinitions definitions, IStateDatabase state, ulong blockNumber,
        IEnumerable<ParsedTransaction> transactions)
    {
        _channelId = channelId;
        _msps = msps;
        _definitions = definitions;
        _blockNumber = blockNumber;
        _committed = transactions
            .SelectMany(tx => tx.RwSets)
            .Where(set => !ValidationParameters.IsSystemNamespace(set.Namespace))
            .SelectMany(set => WrittenKeys(set).Select(key => (set.Namespace, Key: key)))
            .GroupBy(entry => entry.Namespace, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => state.GetMany(group.Key, [.. group.Select(e => e.Key).Distinct(StringComparer.Ordinal)]), StringComparer.Ordinal);
    }

    /// <summary>
    /// Checks transaction <paramref name="txNumber"/> of the block, whose endorsers are
    /// <paramref name="transaction"/>'s verified <see cref="ParsedTransaction.Endorsers"/>; when it passes, its
    /// metadata writes are remembered for the later transactions of the block.
    /// </summary>
    public TransactionVerdict Validate(ParsedTransaction transaction, ulong txNumber)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var endorsers = transaction.Endorsers ?? throw new ArgumentException($"transaction {transaction.TxId} has no verified endorsers", nameof(transaction));
        var rwSets = transaction.RwSets.ToDictionary(set => set.Namespace, StringComparer.Ordinal);
        var namespaces = transaction.RwSets.Where(set => WrittenKeys(set).Any()).Select(set => set.Namespace)
            .Prepend(transaction.ChaincodeName).Distinct(StringComparer.Ordinal);
        foreach (var ns in namespaces)
        {
            IReadOnlyList<string> keys = rwSets.TryGetValue(ns, out var set) ? [.. WrittenKeys(set)] : [];
            var policies = _definitions.EndorsementPolicies(ns, keys);
            var failure = policies is null
                ? (TxValidationCode.InvalidChaincode, $"no chaincode definition named '{ns}' is committed on channel '{_channelId}'")
                : ValidationParameters.IsSystemNamespace(ns) ? Check(policies, endorsers) : CheckApplicationNamespace(ns, keys, policies, endorsers, txNumber);
            if (failure is { } reason)
            {
                return TransactionVerdict.Invalid(reason.Code, reason.Message, transaction);
            }
        }
        foreach (var rwSet in transaction.RwSets)
        {
            foreach (var write in rwSet.RwSet.MetadataWrites)
            {
                _changedMetadata.TryAdd((rwSet.Namespace, write.Key), txNumber);
            }
        }
        return TransactionVerdict.Valid(transaction);
    }

    private (TxValidationCode Code, string Message)? CheckApplicationNamespace(
        string ns, IReadOnlyList<string> keys, IReadOnlyList<(string Subject, IPolicy Policy)> chaincodePolicies, SignerSet endorsers, ulong txNumber)
    {
        var needsChaincodePolicy = keys.Count == 0;
        foreach (var key in keys)
        {
            if (_changedMetadata.TryGetValue((ns, key), out var changedBy))
            {
                return (TxValidationCode.EndorsementPolicyFailure,
                    $"validation parameters for key [{key}] in namespace [{ns}] have been changed in transaction {changedBy} of block {_blockNumber}, before transaction {txNumber}");
            }
            if (KeyPolicy(ns, key) is not { } parameter)
            {
                needsChaincodePolicy = true;
                continue;
            }
            PolicyResult result;
            try
            {
                result = SignaturePolicyEvaluator.Compile(SignaturePolicyEnvelope.Parser.ParseFrom(parameter.Span), _msps).Evaluate(endorsers);
            }
            catch (Exception ex) when (ex is InvalidProtocolBufferException or PolicyException)
            {
                result = PolicyResult.Unsatisfied($"the key-level policy is not a valid signature policy: {ex.Message}");
            }
            if (!result.IsSatisfied)
            {
                return (TxValidationCode.EndorsementPolicyFailure,
                    $"validation of key {key} (ns '{ns}') in tx {_blockNumber}:{txNumber} failed: key-level endorsement policy not satisfied: {result.Reason}");
            }
        }
        return needsChaincodePolicy ? Check(chaincodePolicies, endorsers) : null;
    }

    private static (TxValidationCode Code, string Message)? Check(IReadOnlyList<(string Subject, IPolicy Policy)> policies, SignerSet endorsers)
    {
        foreach (var (subject, policy) in policies)
        {
            var result = policy.Evaluate(endorsers);
            if (!result.IsSatisfied)
            {
                return (TxValidationCode.EndorsementPolicyFailure, $"endorsement policy of {subject} not satisfied: {result.Reason}");
            }
        }
        return null;
    }

    /// <summary>The committed <c>VALIDATION_PARAMETER</c> of the key, or null when it has none.</summary>
    private ReadOnlyMemory<byte>? KeyPolicy(string ns, string key) =>
        _committed.TryGetValue(ns, out var values) ? ValidationParameters.Of(values.GetValueOrDefault(key)) : null;

    private static IEnumerable<string> WrittenKeys(NamespaceRwSet set) =>
        set.RwSet.Writes.Select(w => w.Key).Concat(set.RwSet.MetadataWrites.Select(w => w.Key));
}
