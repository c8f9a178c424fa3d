namespace ZonCoin.Orderer.Consensus;

/// <summary>Creates the chain of a channel for one consensus type (Fabric's <c>consensus.Consenter</c>).</summary>
internal interface IConsenter
{
    /// <summary>The consensus type this consenter implements, as in <c>OrdererConfig.consensus_type</c>.</summary>
    string Type { get; }

    IChain CreateChain(Channels.ChainSupport support);
}
