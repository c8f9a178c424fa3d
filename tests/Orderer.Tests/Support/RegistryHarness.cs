using Microsoft.Extensions.Logging.Abstractions;
using ZonCoin.Core.Protocol;
using ZonCoin.Orderer.Broadcast;
using ZonCoin.Orderer.Channels;
using ZonCoin.Orderer.Consensus.Solo;
using ZonCoin.Orderer.MsgProcessor;

namespace ZonCoin.Orderer.Tests.Support;

/// <summary>A <see cref="ChannelRegistry"/> with the solo consenter over a data directory, and a Broadcast handler on it.</summary>
internal sealed class RegistryHarness : IAsyncDisposable
{
    private readonly TestMeterFactory _meters = new();
    private readonly OrdererMetrics _metrics;

    public RegistryHarness(string dataDirectory, SigningIdentity signer, ManualTimeProvider? clock = null)
    {
        Clock = clock ?? new ManualTimeProvider();
        _metrics = new OrdererMetrics(_meters);
        Registry = new ChannelRegistry(
            dataDirectory, signer, new MessageProcessor(signer, Clock), [new SoloConsenter(Clock, NullLoggerFactory.Instance)],
            _metrics, NullLogger<ChannelRegistry>.Instance);
        Broadcast = new BroadcastHandler(Registry, _metrics, NullLogger<BroadcastHandler>.Instance);
    }

    public ManualTimeProvider Clock { get; }

    public ChannelRegistry Registry { get; }

    public BroadcastHandler Broadcast { get; }

    public async ValueTask DisposeAsync()
    {
        await Registry.DisposeAsync();
        _metrics.Dispose();
        _meters.Dispose();
    }
}
