using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ZonCoin.Hosting;

/// <summary>
/// How every node program runs: settings from <c>appsettings.json</c> beside the binary, environment variables and
/// flags; single-line UTC console logs; the node kinds the program adds (<c>builder.AddPeer()</c>, ...), whose
/// settings are validated before anything listens; and exit codes (0 after a clean stop, 2 for bad settings, 1 when
/// the node could not start).
/// <code>
/// public static Task&lt;int&gt; Main(string[] args) => NodeHost.RunAsync("peer", args, CommandLine, builder => builder.AddPeer());
/// </code>
/// </summary>
public static class NodeHost
{
    /// <summary>Builds, starts and runs the node kinds that <paramref name="addNodes"/> adds until stopped; returns the process exit code.</summary>
    /// <param name="node">The node kind for messages, e.g. <c>peer</c>.</param>
    /// <param name="args">The program's arguments.</param>
    /// <param name="commandLine">The program's friendly flags.</param>
    /// <param name="addNodes">Adds the node kinds (and anything else) to the builder.</param>
    public static async Task<int> RunAsync(string node, string[] args, NodeCommandLine commandLine, Action<WebApplicationBuilder> addNodes)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(commandLine);
        ArgumentNullException.ThrowIfNull(addNodes);
        WebApplication app;
        try
        {
            var builder = CreateBuilder(args, commandLine);
            addNodes(builder);
            app = builder.Build();
            await app.StartAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (SettingsFailures(ex) is { Count: > 0 } failures)
        {
            await Console.Error.WriteLineAsync($"error: invalid {node} settings:\n  {string.Join("\n  ", failures)}").ConfigureAwait(false);
            return 2;
        }
        catch (Exception ex)
        {
            // Our own exceptions and the usual I/O, format and certificate failures say what to fix; anything else
            // is a bug, reported with its stack trace.
            var known = ex is IOException or FormatException or System.Security.Cryptography.CryptographicException or ArgumentException or InvalidOperationException
                || ex.GetType().Namespace?.StartsWith("ZonCoin.", StringComparison.Ordinal) == true;
            await Console.Error.WriteLineAsync($"error: the {node} could not start: {(known ? ex.Message : ex.ToString())}").ConfigureAwait(false);
            return 1;
        }
        await app.WaitForShutdownAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
        return Environment.ExitCode;
    }

    /// <summary>
    /// A node program's builder: content root beside the binary (its <c>appsettings.json</c>), environment
    /// variables, the flags of <paramref name="commandLine"/>, and single-line console logs with UTC timestamps.
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(string[] args, NodeCommandLine commandLine)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(commandLine);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddCommandLine(commandLine.Normalize(args), new Dictionary<string, string>(commandLine.Switches, StringComparer.Ordinal));
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff ";
            console.UseUtcTimestamp = true;
        });
        return builder;
    }

    /// <summary>Every settings failure in <paramref name="exception"/> (one node kind's, or several at once from <c>ValidateOnStart</c>).</summary>
    private static List<string> SettingsFailures(Exception exception) => exception switch
    {
        OptionsValidationException options => [.. options.Failures],
        AggregateException aggregate when aggregate.InnerExceptions.All(inner => inner is OptionsValidationException) =>
            [.. aggregate.InnerExceptions.Cast<OptionsValidationException>().SelectMany(inner => inner.Failures)],
        _ => [],
    };
}
