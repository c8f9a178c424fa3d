using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace ZonCoin.Hosting;

/// <summary>
/// Collects the instruments of the meters whose names start with a prefix (e.g. <c>ZonCoin.</c>) and renders
/// them in the Prometheus text exposition format (0.0.4): counters as <c>name_total</c>, up-down counters and
/// gauges as gauges, histograms as cumulative <c>_bucket</c>/<c>_sum</c>/<c>_count</c> series. Observable
/// instruments are read at scrape time.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    private static readonly double[] DefaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, InstrumentState> _instruments = new();
    private readonly Lock _scrape = new();

    public PrometheusExporter(string meterPrefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(meterPrefix);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name.StartsWith(meterPrefix, StringComparison.Ordinal))
            {
                _instruments[instrument] = new InstrumentState(instrument);
                listener.EnableMeasurementEvents(instrument, _instruments[instrument]);
            }
        };
        _listener.MeasurementsCompleted = (instrument, _) => _instruments.TryRemove(instrument, out InstrumentState? _);
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.Start();
    }

    /// <summary>The current values of every instrument, in Prometheus text format.</summary>
    public string Scrape()
    {
        lock (_scrape)
        {
            foreach (var state in _instruments.Values)
            {
                state.BeginScrape();
            }
            _listener.RecordObservableInstruments();
            var text = new StringBuilder();
            foreach (var state in _instruments.Values.OrderBy(s => s.Name, StringComparer.Ordinal))
            {
                state.Write(text);
            }
            return text.ToString();
        }
    }

    public void Dispose() => _listener.Dispose();

    private sealed class InstrumentState
    {
        private readonly Instrument _instrument;
        private readonly double[] _bounds;
        private readonly ConcurrentDictionary<string, Series> _series = new(StringComparer.Ordinal);

        public InstrumentState(Instrument instrument)
        {
            _instrument = instrument;
            Name = Sanitize(instrument.Name);
            _bounds = instrument switch
            {
                Histogram<long> { Advice.HistogramBucketBoundaries: { } b } => [.. b.Select(v => (double)v)],
                Histogram<double> { Advice.HistogramBucketBoundaries: { } b } => [.. b],
                Histogram<int> { Advice.HistogramBucketBoundaries: { } b } => [.. b.Select(v => (double)v)],
                _ => DefaultBuckets,
            };
        }

        public string Name { get; }

        private bool IsObservable => _instrument.IsObservable;

        private bool IsHistogram => _instrument.GetType().Name.StartsWith("Histogram", StringComparison.Ordinal);

        private bool IsCounter => _instrument.GetType().Name is "Counter`1" or "ObservableCounter`1";

        public void BeginScrape()
        {
            if (IsObservable)
            {
                _series.Clear();
            }
        }

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var labels = Labels(tags);
            var series = _series.GetOrAdd(labels, _ => new Series(_bounds.Length));
            lock (series)
            {
                if (IsHistogram)
                {
                    series.Count++;
                    series.Sum += value;
                    var index = Array.FindIndex(_bounds, bound => value <= bound);
                    if (index >= 0)
                    {
                        series.Buckets[index]++;
                    }
                }
                else if (IsObservable)
                {
                    series.Sum = value;
                }
                else
                {
                    series.Sum += value;
                }
            }
        }

        public void Write(StringBuilder text)
        {
            var type = IsHistogram ? "histogram" : IsCounter ? "counter" : "gauge";
            var name = IsCounter ? Name + "_total" : Name;
            if (!string.IsNullOrEmpty(_instrument.Description))
            {
                text.Append("# HELP ").Append(name).Append(' ').Append(_instrument.Description.Replace("\n", " ", StringComparison.Ordinal)).Append('\n');
            }
            text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
            foreach (var (labels, series) in _series.OrderBy(pair => pair.Key, StringComparer.Ordinal))
            {
                lock (series)
                {
                    if (!IsHistogram)
                    {
                        text.Append(name).Append(Braces(labels)).Append(' ').Append(Format(series.Sum)).Append('\n');
                        continue;
                    }
                    long cumulative = 0;
                    for (var i = 0; i < _bounds.Length; i++)
                    {
                        cumulative += series.Buckets[i];
                        text.Append(name).Append("_bucket").Append(Braces(Join(labels, $"le=\"{Format(_bounds[i])}\""))).Append(' ').Append(cumulative).Append('\n');
                    }
                    text.Append(name).Append("_bucket").Append(Braces(Join(labels, "le=\"+Inf\""))).Append(' ').Append(series.Count).Append('\n');
                    text.Append(name).Append("_sum").Append(Braces(labels)).Append(' ').Append(Format(series.Sum)).Append('\n');
                    text.Append(name).Append("_count").Append(Braces(labels)).Append(' ').Append(series.Count).Append('\n');
                }
            }
        }

        private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.IsEmpty)
            {
                return "";
            }
            var pairs = new List<string>(tags.Length);
            foreach (var tag in tags)
            {
                var value = Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? "";
                pairs.Add($"{Sanitize(tag.Key)}=\"{Escape(value)}\"");
            }
            pairs.Sort(StringComparer.Ordinal);
            return string.Join(',', pairs);
        }

        private static string Join(string labels, string extra) => labels.Length == 0 ? extra : $"{labels},{extra}";

        private static string Braces(string labels) => labels.Length == 0 ? "" : $"{{{labels}}}";

        private static string Escape(string value) =>
            value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

        private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);

        private static string Sanitize(string name)
        {
            var chars = name.ToCharArray();
            for (var i = 0; i < chars.Length; i++)
            {
                if (!char.IsAsciiLetterOrDigit(chars[i]) && chars[i] != '_' && chars[i] != ':')
                {
                    chars[i] = '_';
                }
            }
            return new string(chars);
        }
    }

    private sealed class Series(int buckets)
    {
        public long[] Buckets { get; } = new long[buckets];

        public long Count { get; set; }

        public double Sum { get; set; }
    }
}
