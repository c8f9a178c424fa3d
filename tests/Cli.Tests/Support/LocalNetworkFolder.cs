using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace ZonCoin.Cli.Tests.Support;

/// <summary>
/// A scratch folder for a local network of the repository's default topology (network.yaml) with every port replaced
/// by a free one. Disposing it runs <c>network down --purge</c> on DIR/net and deletes the folder, so no process or
/// file is left behind whatever the test did.
/// </summary>
internal sealed class LocalNetworkFolder : IDisposable
{
    private const int LowestPort = 12000;
    private const int EphemeralPorts = 32768;

    private readonly HashSet<int> _reserved = [];

    // The postgres user must reach DIR/postgres, so the folder is world-traversable (not a 0700 temp subdirectory).
    public string Root { get; } = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "zoncoin-net-" + Guid.NewGuid().ToString("N")[..10])).FullName;

    /// <summary>The network's --dir.</summary>
    public string NetworkDir => Path.Combine(Root, "net");

    /// <summary>The connection profile the network wrote for <paramref name="org"/>.</summary>
    public string ProfilePath(string org) => Path.Combine(NetworkDir, "connections", $"{org}.json");

    public void Dispose()
    {
        CliProcess.Run("network", "down", "--dir", NetworkDir, "--purge");
        Directory.Delete(Root, recursive: true);
    }

    /// <summary>
    /// The repository's network.yaml, changed by <paramref name="edit"/> when given, with every port replaced by a free
    /// one (given explicitly) and absolute project paths.
    /// </summary>
    public string WriteFreePortTopology(Func<string, string>? edit = null)
    {
        var root = RepositoryPaths.Root;
        var text = File.ReadAllText(Path.Combine(root, "network.yaml"));
        text = edit?.Invoke(text) ?? text;
        text = Regex.Replace(text, @"\{ name: (\w+), port: \d+", m => $"{{ name: {m.Groups[1].Value}, port: {FreePort()}, adminPort: {FreePort()}, operationsPort: {FreePort()}");
        text = Regex.Replace(text, @"gateway: \{ port: \d+ \}", _ => $"gateway: {{ port: {FreePort()}, operationsPort: {FreePort()} }}");
        text = Regex.Replace(text, @"^    port: \d+$", _ => $"    port: {FreeRange(3)}", RegexOptions.Multiline);
        text = text.Replace("project: src/", $"project: {root}/src/", StringComparison.Ordinal);
        var path = Path.Combine(Root, "network.yaml");
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>
    /// A free loopback port not handed out before by this folder, below the kernel's ephemeral range (32768 and up):
    /// a port from that range can be taken by any outgoing connection between now and the node's start.
    /// </summary>
    public int FreePort()
    {
        while (true)
        {
            var port = Random.Shared.Next(LowestPort, EphemeralPorts);
            if (!_reserved.Contains(port) && IsFree(port) && _reserved.Add(port))
            {
                return port;
            }
        }
    }

    /// <summary>The first of <paramref name="count"/> consecutive free ports.</summary>
    private int FreeRange(int count)
    {
        while (true)
        {
            var first = FreePort();
            if (Enumerable.Range(first + 1, count - 1).All(p => p < EphemeralPorts && !_reserved.Contains(p) && IsFree(p)))
            {
                foreach (var p in Enumerable.Range(first + 1, count - 1))
                {
                    _reserved.Add(p);
                }
                return first;
            }
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
