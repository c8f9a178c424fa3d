using Google.Protobuf;
using ZonCoin.Core.Config;
using ZonCoin.Core.Crypto;
using ZonCoin.Core.Protocol;
using ZonCoin.Ledger.Blocks;
using ZonCoin.Ledger.State;
using ZonCoin.Peer.Committer;
using ZonCoin.Peer.Lifecycle;
using ZonCoin.Peer.Sync;
using ZonCoin.Peer.Validation;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Config;
using ZonCoin.Rpc.Deliver;

namespace ZonCoin.Peer.Channels;

/// <summary>
/// One channel on this peer: its block store, state database, configuration in force, committed chaincode
/// definitions and committer. Blocks are committed one at a time; every committed block is announced to
/// waiters (Deliver streams, commit-status queries) through <see cref="WaitForBlockAsync"/>.
/// </summary>
internal sealed class PeerChannel : IDisposable, IDeliverChain
{
    private readonly BlockCommitter _committer;
    private readonly Lock _commitLock = new();
    private readonly HeightSignal _committed = new();
    private ChannelResources _resources;
    private long _height;
    private volatile bool _disposed;

    /// <param name="channelId">The channel.</param>
    /// <param name="blocks">Its block store.</param>
    /// <param name="state">Its state database.</param>
    /// <param name="indexFailed">Told (chaincode name, error) when a chaincode's state database indexes cannot be created.</param>
    /// <param name="ownSignatures">The peer's own recent endorsement signatures, which validation need not verify.</param>
    public PeerChannel(string channelId, BlockStore blocks, IStateDatabase state, Action<string, Exception>? indexFailed = null, OwnSignatures? ownSignatures = null)
    {
        ChannelId = channelId;
        Blocks = blocks;
        State = state;
        _resources = ChannelResources.Create(LastConfig(blocks));
        Definitions = new ChaincodeDefinitionCache(state, () => Resources, indexFailed);
        _committer = new BlockCommitter(blocks, state, () => new TransactionValidator(ChannelId, Resources.Msps, Definitions, ownSignatures));
        var recovered = _committer.Recover();
        RecoveredBlocks = recovered;
        _height = (long)blocks.Height;
        if (recovered > 0)
        {
            Definitions.Refresh();
        }
    }

    public string ChannelId { get; }

    public BlockStore Blocks { get; }

    public IStateDatabase State { get; }

    public ChaincodeDefinitionCache Definitions { get; }

    /// <summary>Blocks re-applied to the state database at start (stored after its savepoint).</summary>
    public int RecoveredBlocks { get; }

    /// <summary>The configuration in force; replaced atomically by config blocks.</summary>
    public ChannelResources Resources => Volatile.Read(ref _resources);

    /// <summary>
    /// Blocks committed: stored AND applied to the state database. The block store's own height moves first (the
    /// block is appended before its writes are applied), so readers that must see a block's state (Deliver, and
    /// through it commit status) wait on this one.
    /// </summary>
    public ulong Height => (ulong)Interlocked.Read(ref _height);

    /// <summary>A peer's chain serves what it has committed; it has no consenter that could fail.</summary>
    string? IDeliverChain.Fault => null;

    DeliverAccess IDeliverChain.Access
    {
        get
        {
            var resources = Resources;
            return new DeliverAccess(resources.Sequence, resources.Msps, resources.Policies);
        }
    }

    Block IDeliverChain.GetBlock(ulong number) => Blocks.GetBlock(number);

    /// <summary>Verifies and commits the next block from an orderer; throws <see cref="InvalidDataException"/> for a block that fails verification.</summary>
    public CommittedBlock Commit(Block block)
    {
        lock (_commitLock)
        {
            var previous = Blocks.LastHeaderHash ?? [];
            if (BlockVerifier.Check(block, Blocks.Height, previous, Resources.Policies) is { } problem)
            {
                throw new InvalidDataException(problem);
            }
            var committed = _committer.Commit(block);
            AfterCommit(committed);
            Interlocked.Exchange(ref _height, (long)block.Header.Number + 1);
            _committed.Notify();
            return committed;
        }
    }

    /// <summary>
    /// Waits until block <paramref name="number"/> is committed (its state applied); throws
    /// <see cref="ObjectDisposedException"/> when the channel closes first.
    /// </summary>
    public async Task WaitForBlockAsync(ulong number, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var signal = _committed.Current;
            if (Height > number)
            {
                return;
            }
            ObjectDisposedException.ThrowIf(_disposed, this);
            await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _committed.Notify();
        State.Dispose();
        Blocks.Dispose();
    }

    private void AfterCommit(CommittedBlock committed)
    {
        var verdicts = committed.Verdicts;
        if (verdicts.Count == 1 && verdicts[0] is { IsValid: true, Transaction.Type: HeaderType.Config })
        {
            Volatile.Write(ref _resources, ChannelResources.Create(ConfigOf(committed.Block)));
        }
        if (verdicts.Any(v => v.IsValid && v.Transaction is { } tx && tx.RwSets.Any(set => set.Namespace == LifecycleKeys.Namespace && set.RwSet.Writes.Count > 0)))
        {
            Definitions.Refresh();
        }
    }

    private static ChannelConfig LastConfig(BlockStore blocks)
    {
        var last = blocks.LastBlock ?? throw new InvalidOperationException("the channel has no genesis block");
        return ConfigOf(blocks.GetBlock(Core.Protocol.Blocks.LastConfigIndex(last)));
    }

    private static ChannelConfig ConfigOf(Block block) =>
        Core.Protocol.Blocks.ConfigOf(block) ?? throw new InvalidOperationException($"block {block.Header.Number} is not a configuration block");
}
