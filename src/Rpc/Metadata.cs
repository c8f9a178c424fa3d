using System.Collections;
using System.Text;

namespace ZonCoin.Rpc;

/// <summary>
/// Call headers or trailers (Grpc.Core.Metadata): lowercase keys; keys ending in <c>-bin</c> carry binary values
/// (base64 on the wire), others printable ASCII.
/// </summary>
public sealed class Metadata : IReadOnlyList<Metadata.Entry>
{
    public const string BinarySuffix = "-bin";

    private readonly List<Entry> _entries = [];

    public int Count => _entries.Count;

    public Entry this[int index] => _entries[index];

    public void Add(string key, string value) => _entries.Add(new Entry(key, value));

    public void Add(string key, byte[] value) => _entries.Add(new Entry(key, value));

    public void Add(Entry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        _entries.Add(entry);
    }

    /// <summary>The first entry with that key, or null.</summary>
    public Entry? Get(string key)
    {
        var normalized = key.ToLowerInvariant();
        return _entries.FirstOrDefault(e => e.Key == normalized);
    }

    public string? GetValue(string key) => Get(key)?.Value;

    public byte[]? GetValueBytes(string key) => Get(key)?.ValueBytes;

    public IEnumerator<Entry> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>One header: a key and a string (ASCII) or binary value.</summary>
    public sealed class Entry
    {
        private readonly string? _value;
        private readonly byte[]? _bytes;

        public Entry(string key, string value)
        {
            Key = NormalizeKey(key);
            if (IsBinary)
            {
                throw new ArgumentException($"metadata key '{key}' ends in -bin and needs a binary value", nameof(value));
            }
            ArgumentNullException.ThrowIfNull(value);
            if (value.Any(c => c is < ' ' or > '~'))
            {
                throw new ArgumentException($"metadata value for '{key}' must be printable ASCII; use a -bin key for other data", nameof(value));
            }
            _value = value;
        }

        public Entry(string key, byte[] value)
        {
            Key = NormalizeKey(key);
            if (!IsBinary)
            {
                throw new ArgumentException($"metadata key '{key}' needs the -bin suffix to carry a binary value", nameof(key));
            }
            ArgumentNullException.ThrowIfNull(value);
            _bytes = value;
        }

        public string Key { get; }

        public bool IsBinary => Key.EndsWith(BinarySuffix, StringComparison.Ordinal);

        public string Value => _value ?? throw new InvalidOperationException($"metadata '{Key}' is binary; read ValueBytes");

        public byte[] ValueBytes => _bytes ?? Encoding.ASCII.GetBytes(_value!);

        public override string ToString() => IsBinary ? $"{Key}: <{_bytes!.Length} bytes>" : $"{Key}: {_value}";

        private static string NormalizeKey(string key)
        {
            ArgumentException.ThrowIfNullOrEmpty(key);
            var lower = key.ToLowerInvariant();
            if (!lower.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_' or '.'))
            {
                throw new ArgumentException($"metadata key '{key}' may only contain a-z, 0-9, '-', '_' and '.'", nameof(key));
            }
            return lower;
        }
    }
}
