using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ZonCoin.Integration.Tests.Support;

/// <summary>A dotnet child process with its output captured, for nodes and CLI runs.</summary>
internal sealed class NodeProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private NodeProcess(Process process)
    {
        _process = process;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Everything the process wrote so far (stdout and stderr interleaved).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static NodeProcess Start(string dll, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var node = new NodeProcess(process);
        process.OutputDataReceived += (_, e) => node.Append(e.Data);
        process.ErrorDataReceived += (_, e) => node.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    /// <summary>Runs a command to completion and returns its exit code and output.</summary>
    public static Task<(int ExitCode, string Output)> RunAsync(string dll, params string[] args) => RunAsync(dll, args, null);

    public static async Task<(int ExitCode, string Output)> RunAsync(string dll, string[] args, IReadOnlyDictionary<string, string>? environment)
    {
        using var node = Start(dll, args, environment);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await node._process.WaitForExitAsync(timeout.Token);
        return (node.ExitCode, node.Output);
    }

    /// <summary>
    /// Waits until the node's <c>/healthz</c> on <paramref name="operationsPort"/> answers 200; throws with the node's
    /// output if it exits first, and gives up after a minute.
    /// </summary>
    public async Task WaitUntilHealthyAsync(int operationsPort, string name)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            if (HasExited)
            {
                throw new InvalidOperationException($"{name} exited with {ExitCode}:\n{Output}");
            }
            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{operationsPort}/healthz"), timeout.Token);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!timeout.IsCancellationRequested)
            {
            }
            await Task.Delay(100, timeout.Token);
        }
    }

    /// <summary>Asks the process to stop (SIGTERM) and waits for it.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
    }

    /// <summary>
    /// Kills the process at once (SIGKILL), as a crash would; with <paramref name="entireProcessTree"/> false it
    /// signals the process alone without walking its children first (a quicker kill, for a node without children).
    /// </summary>
    public void Kill(bool entireProcessTree = true)
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree);
            _process.WaitForExit();
        }
    }

    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    /// <summary>
    /// Starts a node on ports picked by <see cref="FreePort"/>; when another process took one of them in the meantime
    /// (tests run in parallel), picks new ones and tries again.
    /// </summary>
    public static async Task StartOnFreePortsAsync(Func<Task> start, Action newPorts)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(newPorts);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await start();
                return;
            }
            catch (InvalidOperationException ex) when (attempt < 5 && ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                newPorts();
            }
        }
    }

    /// <summary>A port that was free a moment ago on 127.0.0.1.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
