using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using ZonCoin.Chaincode.Contracts;
using ZonCoin.Chaincode.Shim;

namespace ZonCoin.Chaincode.Hosting;

/// <summary>
/// The entry point of a chaincode process. With <c>CHAINCODE_SERVER_ADDRESS</c> and <c>CHAINCODE_ID</c> (or
/// <c>--chaincode-address</c> / <c>--chaincode-id</c>) it serves the contracts as a service, as Fabric's external
/// builders expect; with <c>CORE_PEER_ADDRESS</c> and <c>CORE_CHAINCODE_ID_NAME</c> (or <c>--peer.address</c> /
/// <c>--chaincode-id-name</c>) it dials the peer. It runs until SIGINT/SIGTERM, or until the peer closes a dial-in stream.
/// <code>
/// return await ChaincodeHost.RunAsync(args, new AssetContract());
/// </code>
/// </summary>
public static partial class ChaincodeHost
{
    /// <summary>Serves <paramref name="contracts"/> (the first is the default) and returns the process exit code.</summary>
    /// <param name="args">Command-line arguments; flags override environment variables.</param>
    /// <param name="contracts">The contracts.</param>
    public static Task<int> RunAsync(string[] args, params Contract[] contracts) =>
        RunAsync(args, new ContractChaincode(contracts));

    /// <summary>Serves a low-level chaincode and returns the process exit code.</summary>
    /// <param name="args">Command-line arguments; flags override environment variables.</param>
    /// <param name="chaincode">The chaincode.</param>
    public static async Task<int> RunAsync(string[] args, IChaincode chaincode)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(chaincode);
        using var loggerFactory = LoggerFactory.Create(logging => logging
            .AddSimpleConsole(console => { console.SingleLine = true; console.TimestampFormat = "HH:mm:ss.fff "; })
            .SetMinimumLevel(Enum.TryParse<LogLevel>(Environment.GetEnvironmentVariable("CHAINCODE_LOG_LEVEL"), ignoreCase: true, out var level) ? level : LogLevel.Information));
        var logger = loggerFactory.CreateLogger(typeof(ChaincodeHost));
        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.Cancel(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });
        var environment = EnvironmentWithFlags(args);
        try
        {
            if (ChaincodeServerOptions.FromEnvironment(environment) is { } serverOptions)
            {
                await using var server = await ChaincodeServer.StartAsync(chaincode, serverOptions, loggerFactory, stop.Token).ConfigureAwait(false);
                try
                {
                    await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    LogStopping(logger);
                }
                return 0;
            }
            if (ChaincodeClientOptions.FromEnvironment(environment) is { } clientOptions)
            {
                await ChaincodePeerClient.RunAsync(chaincode, clientOptions, loggerFactory, stop.Token).ConfigureAwait(false);
                return 0;
            }
            LogNoMode(logger);
            return 2;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return 0;
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or IOException or System.Security.Cryptography.CryptographicException or Grpc.Core.RpcException or ChaincodeStubException)
        {
            LogFailed(logger, ex);
            return 1;
        }
    }

    /// <summary>
    /// Environment variables with fabric-chaincode-node's flags laid over them: <c>--chaincode-address</c>,
    /// <c>--chaincode-id</c>, <c>--chaincode-tls-cert-file</c>, <c>--chaincode-tls-key-file</c>,
    /// <c>--chaincode-tls-client-cacert-file</c>, <c>--peer.address</c> and <c>--chaincode-id-name</c>.
    /// </summary>
    internal static Func<string, string?> EnvironmentWithFlags(IReadOnlyList<string> args)
    {
        var flags = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["--chaincode-address"] = "CHAINCODE_SERVER_ADDRESS",
            ["--chaincode-id"] = "CHAINCODE_ID",
            ["--chaincode-tls-cert-file"] = "CHAINCODE_TLS_CERT_FILE",
            ["--chaincode-tls-key-file"] = "CHAINCODE_TLS_KEY_FILE",
            ["--chaincode-tls-client-cacert-file"] = "CHAINCODE_TLS_CLIENT_CA_FILE",
            ["--peer.address"] = "CORE_PEER_ADDRESS",
            ["--chaincode-id-name"] = "CORE_CHAINCODE_ID_NAME",
        };
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var flag = equals > 0 ? arg[..equals] : arg;
            if (!flags.TryGetValue(flag, out var variable))
            {
                continue;
            }
            if (equals > 0)
            {
                values[variable] = arg[(equals + 1)..];
            }
            else if (i + 1 < args.Count)
            {
                values[variable] = args[++i];
            }
        }
        return name => values.TryGetValue(name, out var value) ? value : Environment.GetEnvironmentVariable(name);
    }

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Stopping the chaincode server")]
    private static partial void LogStopping(ILogger logger);

    [LoggerMessage(EventId = 302, Level = LogLevel.Error, Message = "Nothing to do: set CHAINCODE_SERVER_ADDRESS and CHAINCODE_ID (chaincode as a service) or CORE_PEER_ADDRESS and CORE_CHAINCODE_ID_NAME (dial the peer)")]
    private static partial void LogNoMode(ILogger logger);

    [LoggerMessage(EventId = 303, Level = LogLevel.Error, Message = "The chaincode host failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
