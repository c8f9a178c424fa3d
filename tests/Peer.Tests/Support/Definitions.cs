using ZonCoin.Core.Policies;
using ZonCoin.Peer.Validation;

namespace ZonCoin.Peer.Tests.Support;

/// <summary>Committed chaincode definitions for validation tests: one policy per namespace; unknown namespaces have none.</summary>
internal sealed class Definitions(IReadOnlyDictionary<string, IPolicy> policies) : IChaincodeDefinitions
{
    public IReadOnlyList<(string Subject, IPolicy Policy)>? EndorsementPolicies(string ns, IReadOnlyCollection<string> writtenKeys) =>
        policies.TryGetValue(ns, out var policy) ? [($"chaincode '{ns}'", policy)] : null;
}
