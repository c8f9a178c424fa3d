using ZonCoin.Kafka;

namespace ZonCoin.Cli.Bench;

/// <summary>A three-broker Kafka mock cluster (real Kafka protocol, in this process) with the channel's topic.</summary>
internal sealed class BenchKafka : IAsyncDisposable
{
    private readonly MockKafkaCluster _cluster;

    private BenchKafka(MockKafkaCluster cluster)
    {
        _cluster = cluster;
    }

    public IReadOnlyList<string> Brokers => _cluster.BootstrapServers.Split(',');

    public static Task<BenchKafka> StartAsync(string topic, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var cluster = MockKafkaCluster.Start(3);
        cluster.CreateTopic(topic, partitions: 1, replicationFactor: 3);
        return Task.FromResult(new BenchKafka(cluster));
    }

    public ValueTask DisposeAsync()
    {
        _cluster.Dispose();
        return ValueTask.CompletedTask;
    }
}
