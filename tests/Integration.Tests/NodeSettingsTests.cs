using ZonCoin.Integration.Tests.Support;

namespace ZonCoin.Integration.Tests;

/// <summary>
/// Bad settings stop a node before anything listens: the process exits with 2 and names every bad setting
/// (validated at start by its host extension), for each node kind.
/// </summary>
public sealed class NodeSettingsTests
{
    public static TheoryData<string, string[], string[]> BadSettings => new()
    {
        {
            "peer",
            ["--listen", "nowhere", "--msp-dir", "/nonexistent/msp", "--insecure", "--Peer:StateDatabase", "mongo"],
            ["invalid peer settings", "Peer:ListenAddress: 'nowhere'", "Peer:MspId: required", "Peer:MspDirectory: '/nonexistent/msp'", "Peer:StateDatabase: 'mongo'"]
        },
        {
            "orderer",
            ["--consensus", "raft", "--data-dir", "", "--insecure", "--kafka-brokers", "broker-without-port"],
            ["invalid orderer settings", "Orderer:ConsensusType: 'raft'", "Orderer:DataDirectory: required", "Orderer:Kafka:Brokers: 'broker-without-port'"]
        },
        {
            "gateway",
            ["--listen", "127.0.0.1:99999", "--insecure", "--concurrency-limit", "0"],
            ["invalid gateway settings", "Gateway:ListenAddress: '127.0.0.1:99999'", "Gateway:Peers: at least one peer", "Gateway:ConcurrencyLimit: must be at least 1"]
        },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task A_node_with_bad_settings_exits_with_2_naming_each_one(string node, string[] args, string[] expected)
    {
        var dll = node switch
        {
            "peer" => Repo.PeerDll,
            "orderer" => Repo.OrdererDll,
            _ => Repo.GatewayDll,
        };
        var (exitCode, output) = await NodeProcess.RunAsync(dll, args);
        Assert.True(exitCode == 2, $"exit code {exitCode}:\n{output}");
        foreach (var text in expected)
        {
            Assert.Contains(text, output, StringComparison.Ordinal);
        }
    }
}
