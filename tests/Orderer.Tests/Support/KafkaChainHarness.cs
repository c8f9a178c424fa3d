using Microsoft.Extensions.Logging.Abstractions;
using ZonCoin.Core.Protocol;
using ZonCoin.Ledger.Blocks;
using ZonCoin.Orderer.Channels;
using ZonCoin.Orderer.Consensus.Kafka;
using ZonCoin.Orderer.Hosting;
using ZonCoin.Orderer.MsgProcessor;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Config;

namespace ZonCoin.Orderer.Tests.Support;

/// <summary>
/// One orderer's view of a Kafka channel: a <see cref="ChainSupport"/> over a real block store (a temp directory,
/// or a given one to restart over an existing ledger) and a <see cref="KafkaChain"/> on a manual clock.
/// </summary>
internal sealed class KafkaChainHarness : IAsyncDisposable
{
    private readonly TempDirectory? _ownedDirectory;
    private readonly TestMeterFactory _meters = new();
    private bool _stopped;

    private KafkaChainHarness(Block genesis, SigningIdentity signer, IReadOnlyList<string> brokers, string? directory, bool adaptiveCutting)
    {
        var config = MessageProcessor.ReadConfig(Envelope.Parser.ParseFrom(genesis.Data.Data[0]));
        if (directory is null)
        {
            _ownedDirectory = new TempDirectory();
            directory = _ownedDirectory.Path;
        }
        Directory = directory;
        Clock = new ManualTimeProvider();
        Metrics = new OrdererMetrics(_meters);
        Store = BlockStore.Open(directory);
        if (Store.Height == 0)
        {
            Store.Append(genesis);
        }
        Support = new ChainSupport(ChannelState.Create(config), Store, signer, new MessageProcessor(signer, Clock), Metrics);
        Chain = new KafkaChain(Support, brokers, new KafkaSettings { ReplicationFactor = 1 }, Metrics, Clock, NullLogger.Instance, adaptiveCutting);
        Support.Chain = Chain;
    }

    public string Directory { get; }

    public ManualTimeProvider Clock { get; }

    public OrdererMetrics Metrics { get; }

    public BlockStore Store { get; }

    public ChainSupport Support { get; }

    public KafkaChain Chain { get; }

    /// <summary>The genesis block of a channel with <paramref name="config"/>; every orderer of the channel starts from the same one.</summary>
    public static Block GenesisBlock(ChannelConfig config) => Blocks.Genesis(ConfigUpdates.CreateConfigEnvelope(config));

    /// <summary>A harness whose chain is built but not started.</summary>
    public static KafkaChainHarness Create(Block genesis, SigningIdentity signer, IReadOnlyList<string> brokers, string? directory = null, bool adaptiveCutting = true) =>
        new(genesis, signer, brokers, directory, adaptiveCutting);

    /// <summary>
    /// A harness whose chain is started and ready (it has posted CONNECT). <paramref name="directory"/> reopens an
    /// existing ledger (which must not have moved past the genesis config). <paramref name="adaptiveCutting"/> off
    /// gives Fabric's cutting: a batch that is not full waits for the batch timer's TIME_TO_CUT.
    /// </summary>
    public static async Task<KafkaChainHarness> StartAsync(Block genesis, SigningIdentity signer, IReadOnlyList<string> brokers, string? directory = null,
        bool adaptiveCutting = true)
    {
        var harness = new KafkaChainHarness(genesis, signer, brokers, directory, adaptiveCutting);
        await harness.Chain.StartAsync(CancellationToken.None);
        await harness.WaitForFaultAsync(fault => fault is null);
        return harness;
    }

    /// <summary>Validates <paramref name="envelopes"/> against the config in force and orders them one after another.</summary>
    public async Task OrderAsync(params Envelope[] envelopes)
    {
        foreach (var envelope in envelopes)
        {
            var sequence = Support.Processor.ProcessNormal(MessageProcessor.Classify(envelope).Envelope, Support.State);
            await Chain.OrderAsync(envelope, sequence, CancellationToken.None);
        }
    }

    /// <summary>The CONFIG envelope of a config update from <paramref name="admins"/> to <paramref name="proposed"/>, computed against the config in force.</summary>
    public Envelope ConfigEnvelope(ChannelConfig proposed, IEnumerable<SigningIdentity> admins, SigningIdentity submitter)
    {
        var state = Support.State;
        var update = TestNetwork.ConfigUpdate(state.Config, proposed, admins, submitter);
        return Support.Processor.ProcessConfigUpdate(MessageProcessor.Classify(update).Envelope, state);
    }

    public async Task WaitForHeightAsync(ulong height)
    {
        using var guard = new CancellationTokenSource(KafkaClusterFixture.Timeout);
        try
        {
            await Store.WaitForHeightAsync(height, guard.Token);
        }
        catch (OperationCanceledException) when (guard.IsCancellationRequested)
        {
            Assert.Fail($"the store reached height {Store.Height}, not {height}, within {KafkaClusterFixture.Timeout} (chain fault: {Chain.Fault ?? "none"})");
        }
    }

    /// <summary>Polls <see cref="KafkaChain.Fault"/> until <paramref name="condition"/> holds (failing after the guard timeout).</summary>
    public Task WaitForFaultAsync(Func<string?, bool> condition) => WaitUntilAsync(() => condition(Chain.Fault), () => $"the chain's fault is '{Chain.Fault ?? "null"}'");

    /// <summary>Polls <paramref name="condition"/> every few milliseconds until it holds, failing after the guard timeout.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, Func<string> describe)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(describe);
        using var guard = new CancellationTokenSource(KafkaClusterFixture.Timeout);
        while (!condition())
        {
            if (guard.IsCancellationRequested)
            {
                Assert.Fail($"condition not met within {KafkaClusterFixture.Timeout}: {describe()}");
            }
            await Task.Delay(10, CancellationToken.None);
        }
    }

    /// <summary>Disposes the chain and closes the store, keeping the ledger directory (to restart over it).</summary>
    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }
        _stopped = true;
        await Support.DisposeAsync();
        Metrics.Dispose();
        _meters.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _ownedDirectory?.Dispose();
    }
}
