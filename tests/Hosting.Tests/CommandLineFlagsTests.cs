namespace ZonCoin.Hosting.Tests;

public sealed class CommandLineFlagsTests
{
    private static readonly string[] Booleans = ["--insecure", "--verify"];

    private static readonly Dictionary<string, string> Lists = new(StringComparer.Ordinal)
    {
        ["--kafka-brokers"] = "Orderer:Kafka:Brokers",
    };

    private static string[] Normalize(params string[] args) => CommandLineFlags.Normalize(args, Booleans, Lists);

    [Fact]
    public void A_boolean_flag_without_value_becomes_true()
    {
        Assert.Equal(["--insecure", "true", "--data-dir", "/d"], Normalize("--insecure", "--data-dir", "/d"));
    }

    [Fact]
    public void A_boolean_flag_at_the_end_becomes_true()
    {
        Assert.Equal(["--data-dir", "/d", "--insecure", "true"], Normalize("--data-dir", "/d", "--insecure"));
    }

    [Fact]
    public void A_boolean_flag_keeps_an_explicit_value()
    {
        Assert.Equal(["--insecure", "false", "--verify", "true"], Normalize("--insecure", "false", "--verify"));
    }

    [Fact]
    public void A_list_flag_expands_to_indexed_keys()
    {
        Assert.Equal(
            ["--Orderer:Kafka:Brokers:0", "kafka0:9092", "--Orderer:Kafka:Brokers:1", "kafka1:9092", "--Orderer:Kafka:Brokers:2", "kafka2:9092"],
            Normalize("--kafka-brokers", "kafka0:9092, kafka1:9092,,kafka2:9092"));
    }

    [Fact]
    public void A_list_flag_with_one_item_gets_index_zero()
    {
        Assert.Equal(["--Orderer:Kafka:Brokers:0", "k:1", "--insecure", "true"], Normalize("--kafka-brokers", "k:1", "--insecure"));
    }

    [Fact]
    public void A_repeated_list_flag_goes_on_with_the_next_index()
    {
        Assert.Equal(
            ["--Orderer:Kafka:Brokers:0", "a:1", "--Orderer:Kafka:Brokers:1", "b:1", "--data-dir", "/d", "--Orderer:Kafka:Brokers:2", "c:1"],
            Normalize("--kafka-brokers", "a:1,b:1", "--data-dir", "/d", "--kafka-brokers", "c:1"));
    }

    [Fact]
    public void Other_arguments_pass_through_unchanged()
    {
        Assert.Equal(["--data-dir", "/d", "--msp-id", "OrdererMSP"], Normalize("--data-dir", "/d", "--msp-id", "OrdererMSP"));
        Assert.Empty(Normalize());
    }
}
