using System.Diagnostics.Metrics;

namespace ZonCoin.Hosting.Tests;

public sealed class PrometheusExporterTests : IDisposable
{
    // A meter name of its own, so parallel tests never see each other's instruments.
    private readonly string _meterName = $"ZonCoin.Test.{Guid.NewGuid():N}";
    private readonly Meter _meter;
    private readonly PrometheusExporter _exporter;

    public PrometheusExporterTests()
    {
        _meter = new Meter(_meterName);
        _exporter = new PrometheusExporter(_meterName);
    }

    public void Dispose()
    {
        _exporter.Dispose();
        _meter.Dispose();
    }

    private string[] Lines() => _exporter.Scrape().Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void Counters_render_as_total_with_help_and_type()
    {
        var counter = _meter.CreateCounter<long>("test.requests", description: "Requests served");
        counter.Add(2);
        counter.Add(3);

        Assert.Equal(["# HELP test_requests_total Requests served", "# TYPE test_requests_total counter", "test_requests_total 5"], Lines());
    }

    [Fact]
    public void Counter_series_are_kept_per_label_set()
    {
        var counter = _meter.CreateCounter<long>("test_envelopes");
        counter.Add(1, new KeyValuePair<string, object?>("status", 200));
        counter.Add(1, new KeyValuePair<string, object?>("status", 403));
        counter.Add(1, new KeyValuePair<string, object?>("status", 200));

        var lines = Lines();

        Assert.Contains("test_envelopes_total{status=\"200\"} 2", lines);
        Assert.Contains("test_envelopes_total{status=\"403\"} 1", lines);
    }

    [Fact]
    public void Up_down_counters_render_as_gauges()
    {
        var streams = _meter.CreateUpDownCounter<long>("test_streams");
        streams.Add(5);
        streams.Add(-2);

        Assert.Equal(["# TYPE test_streams gauge", "test_streams 3"], Lines());
    }

    [Fact]
    public void Histograms_render_cumulative_buckets_sum_and_count()
    {
        var histogram = _meter.CreateHistogram<double>("test_latency", unit: "s",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 5, 10] });
        foreach (var value in new[] { 0.5, 3, 7, 20 })
        {
            histogram.Record(value);
        }

        Assert.Equal(
        [
            "# TYPE test_latency histogram",
            "test_latency_bucket{le=\"1\"} 1",
            "test_latency_bucket{le=\"5\"} 2",
            "test_latency_bucket{le=\"10\"} 3",
            "test_latency_bucket{le=\"+Inf\"} 4",
            "test_latency_sum 30.5",
            "test_latency_count 4",
        ], Lines());
    }

    [Fact]
    public void Histogram_buckets_carry_the_series_labels_first()
    {
        var histogram = _meter.CreateHistogram<long>("test_sizes", advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [10] });
        histogram.Record(10, new KeyValuePair<string, object?>("channel", "a"));

        var lines = Lines();

        Assert.Contains("test_sizes_bucket{channel=\"a\",le=\"10\"} 1", lines);
        Assert.Contains("test_sizes_bucket{channel=\"a\",le=\"+Inf\"} 1", lines);
        Assert.Contains("test_sizes_sum{channel=\"a\"} 10", lines);
        Assert.Contains("test_sizes_count{channel=\"a\"} 1", lines);
    }

    [Fact]
    public void Histograms_without_advice_use_the_default_buckets()
    {
        var histogram = _meter.CreateHistogram<double>("test_default");
        histogram.Record(0.003);

        var lines = Lines();

        Assert.Contains("test_default_bucket{le=\"0.005\"} 1", lines);
        Assert.Contains("test_default_bucket{le=\"10\"} 1", lines);
        Assert.Equal(12, lines.Count(line => line.StartsWith("test_default_bucket", StringComparison.Ordinal)));
    }

    [Fact]
    public void Labels_are_sorted_and_escaped()
    {
        var counter = _meter.CreateCounter<long>("test_labels");
        counter.Add(1,
            new KeyValuePair<string, object?>("zeta", "z"),
            new KeyValuePair<string, object?>("alpha", "quote\" backslash\\ newline\n"),
            new KeyValuePair<string, object?>("bad.key", "v"));

        Assert.Contains("test_labels_total{alpha=\"quote\\\" backslash\\\\ newline\\n\",bad_key=\"v\",zeta=\"z\"} 1", Lines());
    }

    [Fact]
    public void Observable_gauges_are_read_at_scrape_time()
    {
        var value = 1.5;
        _meter.CreateObservableGauge("test_queue_depth", () => value, description: "Queue depth");

        var first = Lines();
        value = 42;
        var second = Lines();

        Assert.Contains("test_queue_depth 1.5", first);
        Assert.Contains("# TYPE test_queue_depth gauge", first);
        Assert.Contains("test_queue_depth 42", second);
        Assert.DoesNotContain("test_queue_depth 1.5", second);
    }

    [Fact]
    public void Observable_counters_render_as_total_with_the_observed_value()
    {
        var value = 10L;
        _meter.CreateObservableCounter("test_bytes", () => value);

        Assert.Contains("test_bytes_total 10", Lines());
        value = 25;
        Assert.Contains("test_bytes_total 25", Lines());
    }

    [Fact]
    public void Instruments_are_sorted_by_name()
    {
        _meter.CreateCounter<long>("test_b").Add(1);
        _meter.CreateCounter<long>("test_a").Add(1);

        var samples = Lines().Where(line => !line.StartsWith('#')).ToArray();

        Assert.Equal(["test_a_total 1", "test_b_total 1"], samples);
    }

    [Fact]
    public void Meters_outside_the_prefix_are_ignored()
    {
        using var other = new Meter($"Other.{Guid.NewGuid():N}");
        other.CreateCounter<long>("test_other").Add(1);

        Assert.Empty(Lines());
    }

    [Fact]
    public void A_disposed_meter_disappears_from_the_scrape()
    {
        using var meter = new Meter($"{_meterName}.Child");
        meter.CreateCounter<long>("test_child").Add(1);
        Assert.Contains("test_child_total 1", Lines());

        meter.Dispose();

        Assert.Empty(Lines());
    }
}
