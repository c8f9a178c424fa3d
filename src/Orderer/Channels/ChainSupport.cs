using Google.Protobuf;
using ZonCoin.Core.Protocol;
using ZonCoin.Ledger.Blocks;
using ZonCoin.Orderer.BlockCutting;
using ZonCoin.Orderer.Consensus;
using ZonCoin.Orderer.MsgProcessor;
using ZonCoin.Protos.Common;
using ZonCoin.Rpc.Deliver;

namespace ZonCoin.Orderer.Channels;

/// <summary>
/// Everything one channel's consensus needs (Fabric's <c>ChainSupport</c>): the configuration in force, the
/// message processor to re-validate stale messages, the block cutter, and the block writer over the channel's
/// block store. The chain's loop is the only writer; Broadcast and Deliver read <see cref="State"/> and the store.
/// </summary>
internal sealed class ChainSupport : IAsyncDisposable, IDeliverChain
{
    private readonly BlockWriter _writer;
    private readonly OrdererMetrics _metrics;
    private ChannelState _state;
    private IChain? _chain;

    public ChainSupport(ChannelState state, BlockStore store, SigningIdentity signer, MessageProcessor processor, OrdererMetrics metrics)
    {
        _state = state ?? throw new ArgumentNullException(nameof(state));
        Store = store ?? throw new ArgumentNullException(nameof(store));
        Processor = processor ?? throw new ArgumentNullException(nameof(processor));
        _metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
        Cutter = new BlockCutter(state.Batch);
        _writer = new BlockWriter(store, signer, LastConfigBlockOf(store));
    }

    public string ChannelId => _state.ChannelId;

    /// <summary>The configuration in force; replaced atomically when a config block is written.</summary>
    public ChannelState State => Volatile.Read(ref _state);

    public BlockStore Store { get; }

    public MessageProcessor Processor { get; }

    public BlockCutter Cutter { get; }

    /// <summary>The channel's consensus; set once after construction.</summary>
    public IChain Chain
    {
        get => _chain ?? throw new InvalidOperationException($"channel '{ChannelId}' has no chain yet");
        set => _chain = _chain is null ? value : throw new InvalidOperationException($"channel '{ChannelId}' already has a chain");
    }

    public ulong LastConfigBlock => _writer.LastConfigBlock;

    ulong IDeliverChain.Height => Store.Height;

    string? IDeliverChain.Fault => Chain.Fault;

    DeliverAccess IDeliverChain.Access
    {
        get
        {
            var state = State;
            return new DeliverAccess(state.Sequence, state.Msps, state.Policies);
        }
    }

    Block IDeliverChain.GetBlock(ulong number) => Store.GetBlock(number);

    Task IDeliverChain.WaitForBlockAsync(ulong number, CancellationToken cancellationToken) => Store.WaitForHeightAsync(number + 1, cancellationToken);

    /// <summary>
    /// Re-validates a normal message that was validated against an older config; returns the current sequence,
    /// or throws <see cref="MessageRejectedException"/> when it is no longer acceptable.
    /// </summary>
    public ulong Revalidate(Envelope envelope)
    {
        var (unpacked, messageClass) = MessageProcessor.Classify(envelope);
        if (messageClass != MessageClass.Normal)
        {
            throw new MessageRejectedException(Status.BadRequest, "a config update cannot be ordered as a normal message");
        }
        return Processor.ProcessNormal(unpacked, State);
    }

    /// <summary>Re-validates a CONFIG envelope computed against an older config; returns the new one.</summary>
    public Envelope RevalidateConfig(Envelope configEnvelope) => Processor.ReprocessConfig(configEnvelope, State);

    public Block CreateNextBlock(IReadOnlyList<Envelope> envelopes) => _writer.CreateNextBlock(envelopes);

    public void WriteBlock(Block block, ByteString consenterMetadata)
    {
        _writer.WriteBlock(block, consenterMetadata);
        _metrics.BlockCut(ChannelId, block);
    }

    /// <summary>Writes a config block and puts its configuration in force.</summary>
    public void WriteConfigBlock(Block block, ByteString consenterMetadata)
    {
        ArgumentNullException.ThrowIfNull(block);
        var next = ChannelState.Create(MessageProcessor.ReadConfig(Envelope.Parser.ParseFrom(block.Data.Data[0])));
        // The new configuration is in force before the block is visible (as Fabric updates its bundle before writing
        // the block): whoever reads the config block from the store sees its sequence in the channel state.
        var previous = State;
        Volatile.Write(ref _state, next);
        Cutter.Settings = next.Batch;
        try
        {
            _writer.WriteConfigBlock(block, consenterMetadata);
        }
        catch
        {
            Volatile.Write(ref _state, previous);
            Cutter.Settings = previous.Batch;
            throw;
        }
        _metrics.BlockCut(ChannelId, block);
    }

    /// <summary>The consenter metadata (e.g. Kafka offsets) of the newest block, empty when none.</summary>
    public ByteString LastConsenterMetadata()
    {
        var last = Store.LastBlock;
        if (last is null || last.Metadata.Metadata.Count <= (int)BlockMetadataIndex.Signatures)
        {
            return ByteString.Empty;
        }
        var signatures = Metadata.Parser.ParseFrom(last.Metadata.Metadata[(int)BlockMetadataIndex.Signatures]);
        return signatures.Value.IsEmpty ? ByteString.Empty : OrdererBlockMetadata.Parser.ParseFrom(signatures.Value).ConsenterMetadata;
    }

    public async ValueTask DisposeAsync()
    {
        if (_chain is not null)
        {
            await _chain.DisposeAsync().ConfigureAwait(false);
        }
        Store.Dispose();
    }

    /// <summary>The last config block recorded in the newest block's LAST_CONFIG, 0 for a genesis-only store.</summary>
    private static ulong LastConfigBlockOf(BlockStore store)
    {
        var last = store.LastBlock ?? throw new InvalidOperationException("the channel's block store is empty");
        if (last.Header.Number == 0 || last.Metadata.Metadata.Count <= (int)BlockMetadataIndex.LastConfig)
        {
            return 0;
        }
        var slot = last.Metadata.Metadata[(int)BlockMetadataIndex.LastConfig];
        return slot.IsEmpty ? 0 : LastConfig.Parser.ParseFrom(Metadata.Parser.ParseFrom(slot).Value).Index;
    }
}
