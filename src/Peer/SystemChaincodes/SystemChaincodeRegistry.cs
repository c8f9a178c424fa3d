using ZonCoin.Core.Config;
using ZonCoin.Core.Identity;
using ZonCoin.Core.Protocol;
using ZonCoin.Peer.Channels;
using ZonCoin.Peer.Governance;
using ZonCoin.Peer.Lifecycle;
using ZonCoin.Peer.Query;
using ZonCoin.Peer.Simulation;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Peer.SystemChaincodes;

/// <summary>A chaincode the peer runs in process (Fabric's system chaincodes), reported with version <c>syscc</c>.</summary>
internal interface ISystemChaincode
{
    string Name { get; }

    /// <summary>True when it reads the ledger without a simulator: its response carries no read-write set (qscc).</summary>
    bool ReadOnly { get; }

    /// <summary>
    /// Runs a proposal; failures are responses with status ≥ 400. A proposal that cannot be run at all throws
    /// <see cref="ProposalRejectedException"/>.
    /// </summary>
    Response Execute(SystemChaincodeInvocation invocation);
}

/// <summary>What a system chaincode runs with: the checked proposal, its creator, the channel's config and the simulator.</summary>
internal sealed record SystemChaincodeInvocation(UnpackedProposal Proposal, MspIdentity Creator, ChannelResources Resources, TxSimulator Simulator, DateTimeOffset Now);

/// <summary>The system chaincodes of a peer, by name (Fabric's scc registry).</summary>
internal sealed class SystemChaincodeRegistry
{
    /// <summary>The version Fabric reports for system chaincodes in a proposal response's ChaincodeID.</summary>
    public const string Version = "syscc";

    private readonly Dictionary<string, ISystemChaincode> _chaincodes;

    public SystemChaincodeRegistry(IEnumerable<ISystemChaincode> chaincodes)
    {
        ArgumentNullException.ThrowIfNull(chaincodes);
        _chaincodes = chaincodes.ToDictionary(chaincode => chaincode.Name, StringComparer.Ordinal);
    }

    /// <summary>A peer's system chaincodes: <c>qscc</c>, <c>_lifecycle</c> and <c>_governance</c>.</summary>
    public static SystemChaincodeRegistry ForPeer(string mspId, Func<string, PeerChannel?> findChannel) =>
        new([new QueryChaincode(findChannel), new LifecycleChaincode(mspId), new GovernanceChaincode(mspId)]);

    public IReadOnlyCollection<string> Names => _chaincodes.Keys;

    /// <summary>The system chaincode of that name, or null for a user chaincode.</summary>
    public ISystemChaincode? Find(string name) => _chaincodes.GetValueOrDefault(name);
}

/// <summary>A proposal that cannot be endorsed; <see cref="Invalid"/> when it failed its checks (Fabric's preProcess).</summary>
internal sealed class ProposalRejectedException(string message, bool invalid = false) : Exception(message)
{
    public bool Invalid { get; } = invalid;
}
