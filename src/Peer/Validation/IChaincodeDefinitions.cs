using ZonCoin.Core.Policies;

namespace ZonCoin.Peer.Validation;

/// <summary>The committed chaincode definitions of a channel, as validation needs them.</summary>
internal interface IChaincodeDefinitions
{
    /// <summary>
    /// The endorsement policy of the named chaincode's committed definition, or null when no definition is
    /// committed under that name.
    /// </summary>
    IPolicy? EndorsementPolicy(string chaincodeName);
}
