using System.Collections.Concurrent;

namespace ZonCoin.Core.Identity;

/// <summary>
/// Parsed identities by their serialized bytes, so the certificate of a frequent signer is parsed once (as
/// Fabric's MSP cache does). Bounded: it starts over when full. Lookups by span allocate nothing.
/// </summary>
internal sealed class IdentityCache
{
    private const int Capacity = 4096;

    private readonly ConcurrentDictionary<byte[], MspIdentity> _entries = new(ByteArrayComparer.Instance);
    private readonly ConcurrentDictionary<byte[], MspIdentity>.AlternateLookup<ReadOnlySpan<byte>> _bySpan;

    public IdentityCache()
    {
        _bySpan = _entries.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    public MspIdentity GetOrParse(ReadOnlySpan<byte> serialized)
    {
        if (_bySpan.TryGetValue(serialized, out var cached))
        {
            return cached;
        }
        var identity = MspIdentity.Parse(serialized);
        if (_entries.Count >= Capacity)
        {
            _entries.Clear();
        }
        _entries.TryAdd(serialized.ToArray(), identity);
        return identity;
    }

    private sealed class ByteArrayComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly ByteArrayComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x is null ? y is null : y is not null && x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => Hash(obj);

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate) => Hash(alternate);

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();

        private static int Hash(ReadOnlySpan<byte> bytes)
        {
            var hash = new HashCode();
            hash.AddBytes(bytes);
            return hash.ToHashCode();
        }
    }
}
