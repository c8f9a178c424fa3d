using System.Diagnostics;

namespace ZonCoin.Cli.Network;

/// <summary>
/// A service process the CLI starts from its own folder (<c>dotnet zoncoin-peer.dll …</c>, or the natively compiled
/// executable, see <see cref="ServiceCommands.CommandLine"/>): its standard error is
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

    /// <summary>The CPU time (user and system) the process has used so far; zero once it has exited.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            try
            {
                _process.Refresh();
                return _process.TotalProcessorTime;
            }
            catch (InvalidOperationException)
            {
                return TimeSpan.Zero;
            }
        }
    }

    /// <summary>Starts <paramref name="dll"/> (a file beside zoncoin.dll, or its native executable) with arguments and environment variables.</summary>
    public static LocalNode Start(string name, string dll, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, TextWriter? errors = null)
    {
        var commandLine = ServiceCommands.CommandLine(dll, args);
        var start = new ProcessStartInfo(commandLine[0]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in commandLine.Skip(1))
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
    public Task WaitHealthyAsync(int operationsPort, CancellationToken cancellationToken) =>
        Readiness.WaitHealthyAsync(Name, () => _process.HasExited ? _process.ExitCode : null, operationsPort, cancellationToken);

    /// <summary>Waits until the port accepts TCP connections.</summary>
    public Task WaitListeningAsync(int port, CancellationToken cancellationToken) =>
        Readiness.WaitListeningAsync(Name, () => _process.HasExited ? _process.ExitCode : null, port, cancellationToken);

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
    public static int FreePort() => Readiness.FreePort();
}
