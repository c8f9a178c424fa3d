using System.Diagnostics.Metrics;

namespace ZonCoin.Gateway.Hosting;

/// <summary>The gateway's instruments (meter <c>ZonCoin.Gateway</c>), exported on the operations endpoint.</summary>
internal sealed class GatewayMetrics : IDisposable
{
    public const string MeterName = "ZonCoin.Gateway";

    private readonly Meter _meter;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;

    public GatewayMetrics(IMeterFactory meterFactory, Func<long> inFlight)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(MeterName);
        _requests = _meter.CreateCounter<long>("gateway_requests", description: "Gateway requests completed, by method and gRPC status");
        _duration = _meter.CreateHistogram<double>("gateway_request_duration", unit: "s", description: "Time to serve a gateway request, by method");
        _meter.CreateObservableGauge("gateway_requests_in_flight", inFlight, description: "Gateway requests being served");
    }

    public void Completed(string method, Grpc.Core.StatusCode status, TimeSpan duration)
    {
        var tag = new KeyValuePair<string, object?>("method", method);
        _requests.Add(1, tag, new KeyValuePair<string, object?>("status", status.ToString()));
        _duration.Record(duration.TotalSeconds, tag);
    }

    public void Dispose() => _meter.Dispose();
}
