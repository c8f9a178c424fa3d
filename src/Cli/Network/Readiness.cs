using System.Net;
using System.Net.Sockets;

namespace ZonCoin.Cli.Network;

/// <summary>
/// Waiting for a started service to be ready: its <c>/healthz</c> answering 200, or its port accepting connections
/// (a chaincode host); fails early when the process exits, and after 90 s.
/// </summary>
internal static class Readiness
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    /// <summary>Waits until <c>http://127.0.0.1:PORT/healthz</c> answers 200; <paramref name="exitCode"/> is non-null once the process ended.</summary>
    public static async Task WaitHealthyAsync(string name, Func<int?> exitCode, int operationsPort, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await WaitAsync(name, exitCode, async () =>
        {
            using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{operationsPort}/healthz"), cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits until the loopback port accepts TCP connections.</summary>
    public static Task WaitListeningAsync(string name, Func<int?> exitCode, int port, CancellationToken cancellationToken) =>
        WaitAsync(name, exitCode, () => IsListeningAsync(port, cancellationToken), cancellationToken);

    /// <summary>Whether <c>/healthz</c> on the operations port answers 200 now.</summary>
    public static async Task<bool> IsHealthyAsync(int operationsPort, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{operationsPort}/healthz"), cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    /// <summary>Whether the loopback port accepts TCP connections now.</summary>
    public static async Task<bool> IsListeningAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>A free loopback port (the OS picks it) that <paramref name="acceptable"/> allows, when given.</summary>
    public static int FreePort(Func<int, bool>? acceptable = null)
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            if (acceptable?.Invoke(port) ?? true)
            {
                return port;
            }
        }
    }

    private static async Task WaitAsync(string name, Func<int?> exitCode, Func<Task<bool>> ready, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(Limit);
        while (!limit.IsCancellationRequested)
        {
            if (exitCode() is { } code)
            {
                throw new InvalidOperationException($"{name} exited with code {code}");
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
            try
            {
                await Task.Delay(100, limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
        }
        cancellationToken.ThrowIfCancellationRequested();
        throw new TimeoutException($"{name} did not become ready within {Limit.TotalSeconds} s");
    }
}
