using Microsoft.Extensions.Logging;
using ZonCoin.Orderer.Channels;
using ZonCoin.Orderer.Hosting;

namespace ZonCoin.Orderer.Consensus.Kafka;

/// <summary>Creates <see cref="KafkaChain"/>s, one topic per channel on the configured (or channel's) brokers.</summary>
internal sealed class KafkaConsenter : IConsenter
{
    private readonly KafkaSettings _settings;
    private readonly OrdererMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly bool _adaptiveCutting;

    public KafkaConsenter(KafkaSettings settings, OrdererMetrics metrics, TimeProvider time, ILoggerFactory loggers, bool adaptiveCutting = true)
    {
        _adaptiveCutting = adaptiveCutting;
        _settings = settings;
        _metrics = metrics;
        _time = time;
        _loggers = loggers;
    }

    public string Type => "kafka";

    public IChain CreateChain(ChainSupport support)
    {
        ArgumentNullException.ThrowIfNull(support);
        var brokers = _settings.Brokers.Count > 0 ? [.. _settings.Brokers] : support.State.Config.Orderer.Kafka?.Brokers.ToList() ?? [];
        if (brokers.Count == 0)
        {
            throw new ChannelConfigException($"channel '{support.ChannelId}' uses kafka consensus but names no brokers (orderer.kafka.brokers), and Orderer:Kafka:Brokers is not set");
        }
        return new KafkaChain(support, brokers, _settings, _metrics, _time, _loggers.CreateLogger<KafkaChain>(), _adaptiveCutting);
    }
}
