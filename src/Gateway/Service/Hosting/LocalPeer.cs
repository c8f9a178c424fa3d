using ZonCoin.Protos.Lifecycle;
using ZonCoin.Protos.Peer;
using ZonCoin.Rpc.Deliver;

namespace ZonCoin.Gateway.Hosting;

/// <summary>
/// The peer a gateway runs inside (Fabric's peer-hosted gateway): the endpoint by which the channel and the gateway's
/// settings name it, its endorser, which the gateway calls in-process instead of over the network, its committed
/// chaincode definitions (the gateway plans endorsements from them, as Fabric's reads its peer's lifecycle cache), and
/// its committed blocks, which the gateway follows in-process for commit status instead of over a loopback Deliver.
/// </summary>
public sealed class LocalPeer
{
    /// <param name="endpoint">The peer's <c>host:port</c>, as other nodes dial it.</param>
    /// <param name="processProposal">The peer's endorser.</param>
    /// <param name="findDefinition">
    /// A chaincode's committed definition on a channel: <c>(found, definition)</c>, found false when the peer has not
    /// joined the channel, definition null when no such chaincode is defined.
    /// </param>
    /// <param name="committedBlocks">The peer's channels as its Deliver service reads them: blocks once committed.</param>
    public LocalPeer(string endpoint, Func<SignedProposal, CancellationToken, Task<ProposalResponse>> processProposal,
        Func<string, string, (bool Found, ChaincodeDefinition? Definition)> findDefinition, IDeliverChains committedBlocks)
    {
        ArgumentException.ThrowIfNullOrEmpty(endpoint);
        Endpoint = endpoint;
        ProcessProposal = processProposal ?? throw new ArgumentNullException(nameof(processProposal));
        FindDefinition = findDefinition ?? throw new ArgumentNullException(nameof(findDefinition));
        CommittedBlocks = committedBlocks ?? throw new ArgumentNullException(nameof(committedBlocks));
    }

    /// <summary>The peer's <c>host:port</c>.</summary>
    public string Endpoint { get; }

    /// <summary>Endorses (or evaluates) a signed proposal, as <c>/protos.Endorser/ProcessProposal</c> would.</summary>
    public Func<SignedProposal, CancellationToken, Task<ProposalResponse>> ProcessProposal { get; }

    /// <summary>A chaincode's committed definition on a channel (channel id, chaincode name).</summary>
    public Func<string, string, (bool Found, ChaincodeDefinition? Definition)> FindDefinition { get; }

    /// <summary>The peer's committed blocks, per channel (a block is there once it is stored and its state applied).</summary>
    public IDeliverChains CommittedBlocks { get; }
}
