using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ZonCoin.Hosting;

/// <summary>
/// What every node process does the same way: single-line UTC console logs, settings bound and validated before
/// anything listens, and exit codes (0 after a clean stop, 2 for bad settings, 1 when the node could not start).
/// </summary>
public static class NodeHost
{
    /// <summary>Builds, starts and runs a node until it is stopped; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string node, Func<WebApplication> build, Func<Exception, bool> isStartupError)
    {
        ArgumentNullException.ThrowIfNull(build);
        ArgumentNullException.ThrowIfNull(isStartupError);
        WebApplication app;
        try
        {
            app = build();
            await app.StartAsync().ConfigureAwait(false);
        }
        catch (OptionsValidationException ex)
        {
            await Console.Error.WriteLineAsync($"error: invalid {node} settings:\n  {string.Join("\n  ", ex.Failures)}").ConfigureAwait(false);
            return 2;
        }
        catch (Exception ex) when (isStartupError(ex) || ex is IOException or FormatException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            await Console.Error.WriteLineAsync($"error: the {node} could not start: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
        await app.WaitForShutdownAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
        return Environment.ExitCode;
    }

    /// <summary>Single-line console logs with UTC timestamps.</summary>
    public static void UseNodeLogging(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff ";
            console.UseUtcTimestamp = true;
        });
    }

    /// <summary>Binds a settings section and validates it; throws <see cref="OptionsValidationException"/> naming every bad setting.</summary>
    public static TOptions ReadValidated<TOptions>(IConfiguration configuration, string section, IValidateOptions<TOptions> validator)
        where TOptions : class, new()
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(validator);
        var options = new TOptions();
        configuration.GetSection(section).Bind(options);
        var result = validator.Validate(null, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(section, typeof(TOptions), result.Failures);
        }
        return options;
    }
}
