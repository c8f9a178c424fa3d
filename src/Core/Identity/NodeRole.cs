namespace ZonCoin.Core.Identity;

/// <summary>The node OU an identity carries when its MSP enables node OUs.</summary>
public enum NodeRole
{
    /// <summary>Node OUs are disabled, or the identity carries none of them.</summary>
    None,
    Client,
    Peer,
    Admin,
    Orderer,
}
