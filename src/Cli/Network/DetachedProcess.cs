using System.Diagnostics;
using System.Globalization;

namespace ZonCoin.Cli.Network;

/// <summary>
/// Background services that outlive the CLI: started through <c>setsid</c> in a session of their own with standard
/// output and error appended to a log file; checked and stopped by process id (SIGTERM, then SIGKILL).
/// </summary>
internal static class DetachedProcess
{
    /// <summary>Starts <paramref name="command"/> detached and returns its process id.</summary>
    public static int Start(IReadOnlyList<string> command, IReadOnlyDictionary<string, string> environment, string log)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(log)!);
        // A background job of a non-interactive shell is no process group leader, so setsid execs in place: $! is the
        // service's own process id.
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["-c", "setsid \"$@\" >>\"$ZONCOIN_SERVICE_LOG\" 2>&1 </dev/null & echo $!", "sh", .. command])
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        start.Environment["ZONCOIN_SERVICE_LOG"] = log;
        using var shell = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {command[0]}");
        var output = shell.StandardOutput.ReadToEnd();
        var errors = shell.StandardError.ReadToEnd();
        shell.WaitForExit();
        if (shell.ExitCode != 0 || !int.TryParse(output.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            throw new InvalidOperationException($"cannot start {string.Join(' ', command)}: {errors}{output}");
        }
        return pid;
    }

    /// <summary>
    /// Whether process <paramref name="pid"/> runs (not a zombie) and its command line contains
    /// <paramref name="marker"/> (so a reused process id is not mistaken for the service).
    /// </summary>
    public static bool IsAlive(int pid, string? marker)
    {
        if (pid <= 0)
        {
            return false;
        }
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            if (state is "Z" or "X")
            {
                return false;
            }
            if (marker is null)
            {
                return true;
            }
            // The command line reads empty while the process is in execve (between its old and new image: setsid
            // exec'ing dotnet), which is the very moment after Start; that is the service starting, not gone.
            var commandLine = File.ReadAllText($"/proc/{pid}/cmdline");
            return commandLine.Length == 0 || commandLine.Replace('\0', ' ').Contains(marker, StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The exit probe for <see cref="Readiness"/>: a non-null code once the process is gone.</summary>
    public static Func<int?> ExitProbe(int pid, string? marker) => () => IsAlive(pid, marker) ? null : -1;

    /// <summary>Sends SIGTERM, waits up to <paramref name="grace"/>, then sends SIGKILL; returns when the process is gone.</summary>
    public static async Task StopAsync(int pid, string? marker, TimeSpan grace, CancellationToken cancellationToken)
    {
        if (!IsAlive(pid, marker))
        {
            return;
        }
        Signal("TERM", pid);
        var deadline = DateTime.UtcNow + grace;
        while (IsAlive(pid, marker) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
        if (IsAlive(pid, marker))
        {
            Signal("KILL", pid);
            while (IsAlive(pid, marker))
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static void Signal(string signal, int pid)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, pid.ToString(CultureInfo.InvariantCulture)])
        {
            UseShellExecute = false,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("cannot run kill");
        kill.StandardError.ReadToEnd();
        kill.WaitForExit();
    }
}
