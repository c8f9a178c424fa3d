using System.Diagnostics;

namespace ZonCoin.Cli.Tests;

/// <summary>Runs the real <c>zoncoin</c> CLI (the built zoncoin.dll) as a child process.</summary>
internal static class CliProcess
{
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError);

    public static Result Run(params string[] args) => RunWith(null, args);

    /// <summary>Runs the CLI with extra environment variables.</summary>
    public static Result RunWith(IReadOnlyDictionary<string, string>? environment, params string[] args) => Run(environment, TimeSpan.FromMinutes(2), args);

    /// <summary>Runs a command that starts a network of its own (a guard of <paramref name="limit"/> against a hang).</summary>
    public static Result RunWithin(TimeSpan limit, params string[] args) => Run(null, limit, args);

    private static Result Run(IReadOnlyDictionary<string, string>? environment, TimeSpan limit, string[] args)
    {
        var start = StartInfo(args, redirectInput: false);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"zoncoin {string.Join(' ', args)} did not finish");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Starts a long-running command with standard input, output and error redirected.</summary>
    public static Running Start(params string[] args) => new(Process.Start(StartInfo(args, redirectInput: true))!, string.Join(' ', args));

    private static ProcessStartInfo StartInfo(string[] args, bool redirectInput)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = redirectInput,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "zoncoin.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        return start;
    }

    /// <summary>A running <c>zoncoin</c> process: write lines to its stdin, read lines from its stdout.</summary>
    public sealed class Running : IDisposable
    {
        /// <summary>A failure guard for each wait, never a timing assertion.</summary>
        public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

        private readonly Process process;
        private readonly string command;
        private readonly Task<string> stderr;

        internal Running(Process process, string command)
        {
            this.process = process;
            this.command = command;
            stderr = process.StandardError.ReadToEndAsync();
        }

        /// <summary>The next line of standard output; fails when the process ends first or the guard expires.</summary>
        public async Task<string> ReadLineAsync()
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(Timeout).ConfigureAwait(false);
            return line ?? throw new InvalidOperationException($"zoncoin {command} ended its output; stderr: {await stderr.ConfigureAwait(false)}");
        }

        public async Task WriteLineAsync(string line)
        {
            await process.StandardInput.WriteLineAsync(line).ConfigureAwait(false);
            await process.StandardInput.FlushAsync().ConfigureAwait(false);
        }

        /// <summary>Closes standard input (end of file) and waits for the process to exit.</summary>
        public async Task<Result> CloseInputAndWaitAsync()
        {
            process.StandardInput.Close();
            var stdout = await process.StandardOutput.ReadToEndAsync().WaitAsync(Timeout).ConfigureAwait(false);
            await process.WaitForExitAsync().WaitAsync(Timeout).ConfigureAwait(false);
            return new Result(process.ExitCode, stdout, await stderr.ConfigureAwait(false));
        }

        public void Dispose()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
            process.Dispose();
        }
    }
}
