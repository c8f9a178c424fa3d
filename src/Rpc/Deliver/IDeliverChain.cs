using ZonCoin.Core.Identity;
using ZonCoin.Core.Policies;
using ZonCoin.Protos.Common;

namespace ZonCoin.Rpc.Deliver;

/// <summary>The channels a node serves blocks of (Fabric's <c>deliver.ChainManager</c>).</summary>
public interface IDeliverChains
{
    /// <summary>The channel's chain, or null when this node does not have the channel.</summary>
    IDeliverChain? Find(string channelId);
}

/// <summary>One channel's blocks as Deliver reads them (Fabric's <c>deliver.Chain</c>).</summary>
public interface IDeliverChain
{
    /// <summary>The number of blocks stored.</summary>
    ulong Height { get; }

    /// <summary>Why the chain cannot serve blocks now (e.g. its consenter failed), or null when it can.</summary>
    string? Fault { get; }

    /// <summary>What a request's creator is checked with: the channel's current config, read as one snapshot.</summary>
    DeliverAccess Access { get; }

    /// <summary>A stored block (number below <see cref="Height"/>).</summary>
    Block GetBlock(ulong number);

    /// <summary>
    /// Completes once block <paramref name="number"/> is stored; throws <see cref="ObjectDisposedException"/> when the
    /// chain is closed first (the channel was removed or the node stops).
    /// </summary>
    Task WaitForBlockAsync(ulong number, CancellationToken cancellationToken);
}

/// <summary>A channel config's sequence with the MSPs and policies of that config.</summary>
public sealed record DeliverAccess(ulong Sequence, MspManager Msps, ChannelPolicies Policies);

/// <summary>Writes a Deliver stream's responses in the service's own message type (Fabric's <c>ResponseSender</c>).</summary>
public interface IDeliverResponseSender
{
    Task SendBlockAsync(string channelId, Block block);

    Task SendStatusAsync(Status status);
}
