using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ZonCoin.Protos.Common;

namespace ZonCoin.Orderer;

/// <summary>
/// The orderer's instruments (meter <c>ZonCoin.Orderer</c>), exported in Prometheus text format on the
/// operations endpoint.
/// </summary>
internal sealed class OrdererMetrics : IDisposable
{
    public const string MeterName = "ZonCoin.Orderer";

    private readonly Meter _meter;
    private readonly Counter<long> _envelopes;
    private readonly Counter<long> _blocks;
    private readonly Histogram<long> _blockEnvelopes;
    private readonly Histogram<long> _blockBytes;
    private readonly UpDownCounter<long> _broadcastStreams;
    private readonly UpDownCounter<long> _deliverStreams;
    private readonly ConcurrentDictionary<string, Func<long>> _kafkaLag = new(StringComparer.Ordinal);

    public OrdererMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(MeterName);
        _envelopes = _meter.CreateCounter<long>("orderer_broadcast_envelopes", description: "Envelopes answered by Broadcast, by channel and status");
        _blocks = _meter.CreateCounter<long>("orderer_blocks_cut", description: "Blocks written, by channel");
        _blockEnvelopes = _meter.CreateHistogram<long>("orderer_block_envelopes", description: "Envelopes per block written",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 10, 50, 100, 250, 500, 1000, 5000] });
        _blockBytes = _meter.CreateHistogram<long>("orderer_block_bytes", unit: "By", description: "Serialized size of blocks written",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1024, 16384, 131072, 524288, 1048576, 2097152, 10485760] });
        _broadcastStreams = _meter.CreateUpDownCounter<long>("orderer_broadcast_streams", description: "Open Broadcast streams");
        _deliverStreams = _meter.CreateUpDownCounter<long>("orderer_deliver_streams", description: "Open Deliver streams");
        _meter.CreateObservableGauge("orderer_kafka_consumer_lag", ObserveKafkaLag, description: "Messages in a channel's Kafka partition not yet consumed");
    }

    public Meter Meter => _meter;

    public void EnvelopeAnswered(string channel, Status status) =>
        _envelopes.Add(1, new KeyValuePair<string, object?>("channel", channel), new KeyValuePair<string, object?>("status", (int)status));

    public void BlockCut(string channel, Block block)
    {
        ArgumentNullException.ThrowIfNull(block);
        var tag = new KeyValuePair<string, object?>("channel", channel);
        _blocks.Add(1, tag);
        _blockEnvelopes.Record(block.Data.Data.Count, tag);
        _blockBytes.Record(block.CalculateSize(), tag);
    }

    public void BroadcastStream(int delta) => _broadcastStreams.Add(delta);

    public void DeliverStream(int delta) => _deliverStreams.Add(delta);

    /// <summary>Reports a Kafka channel's consumer lag until <see cref="UntrackKafkaLag"/>.</summary>
    public void TrackKafkaLag(string channel, Func<long> lag) => _kafkaLag[channel] = lag;

    public void UntrackKafkaLag(string channel) => _kafkaLag.TryRemove(channel, out _);

    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<long>> ObserveKafkaLag() =>
        [.. _kafkaLag.Select(entry => new Measurement<long>(entry.Value(), new KeyValuePair<string, object?>("channel", entry.Key)))];
}
