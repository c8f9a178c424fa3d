namespace ZonCoin.Kafka.Tests.Support;

/// <summary>The tests that share one <see cref="MockKafkaClusterFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class SharedKafkaCluster : ICollectionFixture<MockKafkaClusterFixture>
{
    public const string Name = "Kafka mock cluster";
}
