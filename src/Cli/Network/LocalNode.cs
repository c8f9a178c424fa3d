using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ZonCoin.Cli.Network;

/// <summary>
/// A service process the CLI starts from its own folder (<c>dotnet zoncoin-peer.dll …</c>): its standard error is
/// echoed with a prefix, and it is killed when disposed. Readiness is the node's <c>/healthz</c>, or an open port for
/// a chaincode host.
/// </summary>
internal sealed class LocalNode : IDisposable
{
    private readonly Process _process;

    private LocalNode(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Starts <paramref name="dll"/> (a file beside zoncoin.dll) with arguments and environment variables.</summary>
    public static LocalNode Start(string name, string dll, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, TextWriter? errors = null)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, dll));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {dll}");
        var sink = errors ?? Console.Error;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                sink.WriteLine($"[{name}] {e.Data}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new LocalNode(name, process);
    }

    /// <summary>Waits until <c>http://127.0.0.1:PORT/healthz</c> answers 200.</summary>
    public async Task WaitHealthyAsync(int operationsPort, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await WaitAsync(async () =>
        {
            using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{operationsPort}/healthz"), cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits until the port accepts TCP connections.</summary>
    public Task WaitListeningAsync(int port, CancellationToken cancellationToken) => WaitAsync(async () =>
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken).ConfigureAwait(false);
        return true;
    }, cancellationToken);

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
    }

    public override string ToString() => Name;

    /// <summary>A free loopback port (the OS picks it).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task WaitAsync(Func<Task<bool>> ready, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode}");
            }
            try
            {
                if (await ready().ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or SocketException or TaskCanceledException)
            {
            }
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
        throw new TimeoutException($"{Name} did not become ready within 90 s");
    }
}
