using ZonCoin.Core.Config;
using Google.Protobuf;
using Google.Protobuf.Collections;
using ZonCoin.Core.Policies;
using ZonCoin.Ledger.State;
using ZonCoin.Peer.Channels;
using ZonCoin.Peer.Governance;
using ZonCoin.Peer.Validation;
using ZonCoin.Protos.Lifecycle;

namespace ZonCoin.Peer.Lifecycle;

/// <summary>
/// The chaincode definitions committed on a channel, read from the <c>_lifecycle</c> namespace of its state
/// and refreshed after every block that wrote there. Supplies the endorsement policies validation applies: a
/// chaincode's own (its definition's signature policy or channel policy reference, by default
/// <c>/Channel/Application/Endorsement</c>); for <c>_lifecycle</c>, an approval needs its organisation's
/// <c>Endorsement</c> policy and a committed definition the channel's <c>LifecycleEndorsement</c>; for
/// <c>_governance</c>, a vote needs its organisation's <c>Endorsement</c> policy and a proposal (created or marked
/// applied) the channel's <c>Endorsement</c> policy (by default a MAJORITY of the members' peers).
/// </summary>
internal sealed class ChaincodeDefinitionCache : IChaincodeDefinitions
{
    public const string DefaultEndorsementPolicy = "/Channel/Application/Endorsement";
    public const string LifecycleEndorsementPolicy = "/Channel/Application/LifecycleEndorsement";

    private readonly IStateDatabase _state;
    private readonly Func<ChannelResources> _resources;
    private readonly Action<string, Exception>? _indexFailed;
    private readonly Dictionary<string, RepeatedField<StateDatabaseIndex>> _indexed = new(StringComparer.Ordinal);
    private volatile IReadOnlyDictionary<string, ChaincodeDefinition> _definitions = new Dictionary<string, ChaincodeDefinition>();
    private int _version;

    /// <param name="state">The channel's state database.</param>
    /// <param name="resources">The channel configuration in force.</param>
    /// <param name="indexFailed">Told (chaincode name, error) when a committed definition's state database indexes
    /// cannot be created; the definition stays in force and queries run without the index.</param>
    public ChaincodeDefinitionCache(IStateDatabase state, Func<ChannelResources> resources, Action<string, Exception>? indexFailed = null)
    {
        _state = state;
        _resources = resources;
        _indexFailed = indexFailed;
        Refresh();
    }

    public IReadOnlyCollection<ChaincodeDefinition> All => [.. _definitions.Values.OrderBy(d => d.Name, StringComparer.Ordinal)];

    public ChaincodeDefinition? Find(string name) => _definitions.GetValueOrDefault(name);

    /// <summary>Grows by one at every <see cref="Refresh"/>: a reader can tell the definitions were read again.</summary>
    public int Version => Volatile.Read(ref _version);

    /// <summary>Re-reads every committed definition from the state database.</summary>
    public void Refresh()
    {
        var definitions = new Dictionary<string, ChaincodeDefinition>(StringComparer.Ordinal);
        foreach (var entry in _state.GetRange(LifecycleKeys.Namespace, LifecycleKeys.DefinitionPrefix, LifecycleKeys.DefinitionPrefix[..^1] + "0"))
        {
            try
            {
                var definition = ChaincodeDefinition.Parser.ParseFrom(entry.Value.Value.Span);
                definitions[definition.Name] = definition;
            }
            catch (InvalidProtocolBufferException)
            {
                // A definition this peer cannot read is treated as absent (its transactions become INVALID_CHAINCODE).
            }
        }
        _definitions = definitions;
        Interlocked.Increment(ref _version);
        CreateIndexes(definitions.Values);
    }

    /// <summary>
    /// Creates the state database indexes of definitions whose index list is new to this cache (every definition
    /// at start, so an index whose creation was cut short by a crash is made then): Fabric creates a chaincode's
    /// CouchDB indexes once its definition is committed. Idempotent in the database; SQLite ignores indexes.
    /// </summary>
    private void CreateIndexes(IEnumerable<ChaincodeDefinition> definitions)
    {
        foreach (var definition in definitions)
        {
            if (definition.StatedbIndexes.Count == 0
                || (_indexed.TryGetValue(definition.Name, out var done) && done.Equals(definition.StatedbIndexes)))
            {
                continue;
            }
            try
            {
                _state.CreateIndexes(definition.Name, [.. definition.StatedbIndexes.Select(index => StateIndexDefinition.Parse(index.FileName, index.Definition))]);
                _indexed[definition.Name] = definition.StatedbIndexes;
            }
            catch (Exception ex) when (ex is QueryException or StateDatabaseException)
            {
                _indexFailed?.Invoke(definition.Name, ex);
            }
        }
    }

    public IReadOnlyList<(string Subject, IPolicy Policy)>? EndorsementPolicies(string ns, IReadOnlyCollection<string> writtenKeys)
    {
        var resources = _resources();
        if (ns == LifecycleKeys.Namespace)
        {
            var policies = new List<(string Subject, IPolicy Policy)>();
            foreach (var key in writtenKeys)
            {
                if (LifecycleKeys.ApprovalMspId(key) is { } mspId)
                {
                    var org = resources.Config.Application?.Organizations.FirstOrDefault(o => o.MspId == mspId);
                    var name = org is null ? mspId : string.IsNullOrEmpty(org.Name) ? org.MspId : org.Name;
                    policies.Add(($"the approval of {mspId}", Policy(resources, $"/Channel/Application/{name}/Endorsement")));
                }
                else
                {
                    policies.Add(($"_lifecycle key {key}", Policy(resources, LifecycleEndorsementPolicy)));
                }
            }
            return policies;
        }
        if (ns == GovernanceKeys.Namespace)
        {
            var policies = new List<(string Subject, IPolicy Policy)>();
            foreach (var key in writtenKeys)
            {
                if (GovernanceKeys.VoteMspId(key) is { } mspId)
                {
                    var org = resources.Config.Application?.Organizations.FirstOrDefault(o => o.MspId == mspId);
                    policies.Add(($"the vote of {mspId}", org is null
                        ? new Unsatisfiable($"{mspId} is not a member of the channel")
                        : Policy(resources, $"/Channel/Application/{MembershipUpdates.GroupName(org)}/Endorsement")));
                }
                else
                {
                    policies.Add(($"_governance key {key}", Policy(resources, DefaultEndorsementPolicy)));
                }
            }
            return policies;
        }
        if (Find(ns) is not { } definition)
        {
            return null;
        }
        IPolicy policy;
        try
        {
            policy = definition.EndorsementPolicy is { TypeCase: not Protos.Common.ApplicationPolicy.TypeOneofCase.None } applicationPolicy
                ? resources.Policies.Resolve(applicationPolicy)
                : Policy(resources, DefaultEndorsementPolicy);
        }
        catch (PolicyException ex)
        {
            policy = new Unsatisfiable($"chaincode '{ns}' has an unusable endorsement policy: {ex.Message}");
        }
        return [($"chaincode '{ns}'", policy)];
    }

    private static IPolicy Policy(ChannelResources resources, string path) =>
        resources.Policies.Find(path) ?? new Unsatisfiable($"policy {path} does not exist");

    private sealed class Unsatisfiable(string reason) : IPolicy
    {
        public PolicyResult Evaluate(IReadOnlyList<SignedData> signatureSet) => PolicyResult.Unsatisfied(reason);

        public PolicyResult Evaluate(SignerSet signers) => PolicyResult.Unsatisfied(reason);
    }
}
