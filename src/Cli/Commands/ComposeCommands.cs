using System.CommandLine;
using ZonCoin.Cli.Compose;
using ZonCoin.Cli.Topology;

namespace ZonCoin.Cli.Commands;

/// <summary><c>zoncoin compose generate</c>: the Docker Compose deployment of a topology (see <see cref="ComposeGenerator"/>).</summary>
internal static class ComposeCommands
{
    public static Command Create()
    {
        var topology = new Option<FileInfo>("--topology") { Description = "The topology file", DefaultValueFactory = _ => new FileInfo("network.yaml") };
        var output = new Option<DirectoryInfo>("--out") { Description = "Where docker-compose.yaml, setup.sh and the generated material go", DefaultValueFactory = _ => new DirectoryInfo("compose") };
        var generate = new Command("generate", "Write the Docker Compose deployment of the topology: Kafka (KRaft, 3 brokers), 3 kafka orderers, PostgreSQL peers, chaincode hosts, gateways and a one-shot setup service")
        {
            topology, output,
        };
        generate.SetAction(parse => CommandErrors.Run(() =>
        {
            var generator = new ComposeGenerator(NetworkTopology.Load(parse.GetValue(topology)!.FullName), parse.GetValue(output)!.FullName);
            var file = generator.Generate(Console.Out);
            Console.WriteLine($"then: cd {Path.GetDirectoryName(file)} && docker compose up -d   (docker-compose up -d with Compose v1)");
        }));
        return new Command("compose", "Docker Compose deployment") { generate };
    }
}
