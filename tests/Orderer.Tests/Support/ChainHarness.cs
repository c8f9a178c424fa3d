using Microsoft.Extensions.Logging.Abstractions;
using ZonCoin.Core.Protocol;
using ZonCoin.Ledger.Blocks;
using ZonCoin.Orderer.Channels;
using ZonCoin.Orderer.Consensus.Solo;
using ZonCoin.Orderer.MsgProcessor;
using ZonCoin.Protos.Config;

namespace ZonCoin.Orderer.Tests.Support;

/// <summary>
/// One channel's <see cref="ChainSupport"/> over a real block store in a temp directory, holding the genesis
/// block of <see cref="Genesis"/>; optionally with a <see cref="SoloChain"/> on a manual clock.
/// </summary>
internal sealed class ChainHarness : IAsyncDisposable
{
    /// <summary>How long a test waits for something that should happen at once before it fails.</summary>
    public static readonly TimeSpan FailureGuard = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _directory = new();
    private readonly TestMeterFactory _meters = new();
    private readonly OrdererMetrics _metrics;

    private ChainHarness(ChannelConfig genesis, SigningIdentity signer, ManualTimeProvider clock)
    {
        Genesis = genesis;
        Clock = clock;
        Store = BlockStore.Open(_directory.Path);
        Store.Append(Blocks.Genesis(ConfigUpdates.CreateConfigEnvelope(genesis)));
        _metrics = new OrdererMetrics(_meters);
        Support = new ChainSupport(ChannelState.Create(genesis), Store, signer, new MessageProcessor(signer, clock), _metrics);
    }

    public ChannelConfig Genesis { get; }

    public ManualTimeProvider Clock { get; }

    public BlockStore Store { get; }

    public ChainSupport Support { get; }

    /// <summary>A support without a chain, for driving the block writer directly.</summary>
    public static ChainHarness Create(ChannelConfig genesis, SigningIdentity signer) => new(genesis, signer, new ManualTimeProvider());

    /// <summary>
    /// A support with a started solo chain on a manual clock; <paramref name="adaptiveCutting"/> off gives Fabric's
    /// cutting, where a batch that is not full waits for the batch timeout.
    /// </summary>
    public static async Task<ChainHarness> StartSoloAsync(ChannelConfig genesis, SigningIdentity signer, bool adaptiveCutting = true)
    {
        var harness = CreateSolo(genesis, signer, adaptiveCutting);
        await harness.Support.Chain.StartAsync(CancellationToken.None);
        return harness;
    }

    /// <summary>A support with a solo chain that is not started yet: what a test orders waits in its queue.</summary>
    public static ChainHarness CreateSolo(ChannelConfig genesis, SigningIdentity signer, bool adaptiveCutting = true)
    {
        var harness = new ChainHarness(genesis, signer, new ManualTimeProvider());
        harness.Support.Chain = new SoloChain(harness.Support, harness.Clock, NullLogger.Instance, adaptiveCutting);
        return harness;
    }

    /// <summary>Waits (bounded by <see cref="FailureGuard"/>) until the store holds <paramref name="height"/> blocks.</summary>
    public async Task WaitForHeightAsync(ulong height)
    {
        using var guard = new CancellationTokenSource(FailureGuard);
        await Store.WaitForHeightAsync(height, guard.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await Support.DisposeAsync();
        _metrics.Dispose();
        _meters.Dispose();
        _directory.Dispose();
    }
}
