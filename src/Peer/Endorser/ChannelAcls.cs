namespace ZonCoin.Peer.Endorser;

/// <summary>
/// Fabric's default ACL provider (<c>core/aclmgmt</c>): the channel policy that guards each peer resource. Our channel
/// config does not carry an ACLs section yet, so the defaults always apply: <c>qscc/&lt;Function&gt;</c> needs
/// <c>/Channel/Application/Readers</c>; a proposal to any other chaincode (<c>peer/Propose</c>, which also covers
/// <c>_lifecycle</c> here) needs <c>/Channel/Application/Writers</c>.
/// </summary>
internal static class ChannelAcls
{
    public const string Readers = "/Channel/Application/Readers";
    public const string Writers = "/Channel/Application/Writers";

    /// <summary>The resource a proposal to any chaincode without its own ACLs is checked against.</summary>
    public const string Propose = "peer/Propose";

    /// <summary>The policy of <paramref name="resource"/>; null for a resource Fabric leaves unmapped.</summary>
    public static string? PolicyOf(string resource) => resource switch
    {
        Propose => Writers,
        "qscc/GetChainInfo" or "qscc/GetBlockByNumber" or "qscc/GetBlockByHash" or "qscc/GetTransactionByID" or "qscc/GetBlockByTxID" => Readers,
        _ => null,
    };
}
