using ZonCoin.Core.Policies;

namespace ZonCoin.Peer.Validation;

/// <summary>The committed chaincode definitions of a channel, as validation needs them.</summary>
internal interface IChaincodeDefinitions
{
    /// <summary>
    /// The policies a transaction's endorsements must satisfy for namespace <paramref name="ns"/> (invoked, or
    /// written with <paramref name="writtenKeys"/>), each with what it protects; null when no chaincode
    /// definition is committed under that name.
    /// </summary>
    IReadOnlyList<(string Subject, IPolicy Policy)>? EndorsementPolicies(string ns, IReadOnlyCollection<string> writtenKeys);
}
