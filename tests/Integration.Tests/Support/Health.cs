using System.Net;

namespace ZonCoin.Integration.Tests.Support;

/// <summary>A node's <c>/healthz</c> on its operations port.</summary>
internal static class Health
{
    private static readonly HttpClient Http = new();

    public static async Task<(HttpStatusCode Status, string Body)> GetAsync(int operationsPort)
    {
        using var response = await Http.GetAsync(new Uri($"http://127.0.0.1:{operationsPort}/healthz"));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Polls until /healthz answers <paramref name="expected"/> (grace periods and back-offs take seconds); returns that answer.</summary>
    public static async Task<(HttpStatusCode Status, string Body)> WaitForAsync(int operationsPort, HttpStatusCode expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var last = await GetAsync(operationsPort);
        while (last.Status != expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            last = await GetAsync(operationsPort);
        }
        Assert.True(last.Status == expected, $"/healthz on port {operationsPort}: {(int)last.Status} {last.Body}");
        return last;
    }
}
