using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ZonCoin.Hosting;

/// <summary>
/// The operations endpoint every node serves on its own port, as Fabric's: <c>GET /healthz</c> (200
/// <c>{"status":"OK","time":...}</c>, or 503 with <c>failed_checks</c> naming each failing component and why)
/// and <c>GET /metrics</c> (Prometheus text).
/// </summary>
public static class OperationsEndpoint
{
    /// <summary>Serves the operations routes on requests that arrive on <paramref name="port"/>.</summary>
    public static IApplicationBuilder UseOperationsEndpoint(this IApplicationBuilder app, int port)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.MapWhen(http => http.Connection.LocalPort == port, branch => branch.Run(HandleAsync));
    }

    private static async Task HandleAsync(HttpContext http)
    {
        var services = http.RequestServices;
        switch (http.Request.Path.Value)
        {
            case "/healthz":
                var report = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync(http.RequestAborted).ConfigureAwait(false);
                var healthy = report.Status == HealthStatus.Healthy;
                http.Response.StatusCode = healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
                http.Response.ContentType = "application/json";
                var body = new HealthBody(
                    healthy ? "OK" : "Service Unavailable",
                    services.GetRequiredService<TimeProvider>().GetUtcNow(),
                    healthy ? null : [.. report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy)
                        .Select(e => new FailedCheck(e.Key, e.Value.Description ?? e.Value.Exception?.Message ?? "unhealthy"))]);
                await JsonSerializer.SerializeAsync(http.Response.Body, body, HealthJson.Default.HealthBody, http.RequestAborted).ConfigureAwait(false);
                return;
            case "/metrics":
                http.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
                await http.Response.WriteAsync(services.GetRequiredService<PrometheusExporter>().Scrape(), http.RequestAborted).ConfigureAwait(false);
                return;
            default:
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
        }
    }

    internal sealed record HealthBody(string Status, DateTimeOffset Time, IReadOnlyList<FailedCheck>? FailedChecks);

    internal sealed record FailedCheck(string Component, string Reason);
}

/// <summary>The health body's JSON, generated at build time (no reflection, so it works compiled ahead of time).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OperationsEndpoint.HealthBody))]
internal sealed partial class HealthJson : JsonSerializerContext;
