using System.Buffers.Binary;
using System.Security.Cryptography;

namespace ZonCoin.Core.Crypto;

/// <summary>
/// The most recent signatures a node made itself, each with the exact message it signed, so that the node can
/// recognise one coming back (its own endorsement in a block it validates) and skip verifying what it knows it
/// signed. Only its own identity with an exact (message, signature) pair it recorded matches; anything else, or a
/// pair already evicted, is verified as usual. Thread-safe; holds at most <see cref="Capacity"/> pairs (32 bytes each), oldest evicted first.
/// </summary>
public sealed class OwnSignatures
{
    private readonly Lock _lock = new();
    private readonly byte[] _identity;
    private readonly HashSet<Key> _keys;
    private readonly Key[] _order;
    private int _next;

    /// <param name="identity">The node's serialized identity (its <c>SerializedIdentity</c> bytes), which signs.</param>
    /// <param name="capacity">How many recent signatures to remember.</param>
    public OwnSignatures(byte[] identity, int capacity = 65_536)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _identity = identity;
        Capacity = capacity;
        _keys = new HashSet<Key>(capacity);
        _order = new Key[capacity];
    }

    public int Capacity { get; }

    /// <summary>How many pairs are remembered now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _keys.Count;
            }
        }
    }

    /// <summary>A signer that signs with <paramref name="inner"/> and records every signature it makes here.</summary>
    public ISigner Recording(ISigner inner) => new RecordingSigner(inner ?? throw new ArgumentNullException(nameof(inner)), this);

    /// <summary>Remembers that this node signed <paramref name="message"/> with <paramref name="signature"/>.</summary>
    public void Record(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        var key = KeyOf(message, signature);
        lock (_lock)
        {
            if (!_keys.Add(key))
            {
                return;
            }
            if (_keys.Count > Capacity)
            {
                _keys.Remove(_order[_next]);
            }
            _order[_next] = key;
            _next = (_next + 1) % Capacity;
        }
    }

    /// <summary>
    /// True when <paramref name="identity"/> is this node's and it made <paramref name="signature"/> over exactly
    /// <paramref name="message"/> (recently).
    /// </summary>
    public bool Made(ReadOnlySpan<byte> identity, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (!identity.SequenceEqual(_identity))
        {
            return false;
        }
        var key = KeyOf(message, signature);
        lock (_lock)
        {
            return _keys.Contains(key);
        }
    }

    /// <summary>SHA-256 over the message's SHA-256 and the signature: one pair, in 32 bytes.</summary>
    private static Key KeyOf(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        // On the validation path for every endorsement: one buffer on the stack (ECDSA signatures are about 72 bytes), no hasher object.
        var length = SHA256.HashSizeInBytes + signature.Length;
        Span<byte> pair = length <= 512 ? stackalloc byte[length] : new byte[length];
        SHA256.HashData(message, pair);
        signature.CopyTo(pair[SHA256.HashSizeInBytes..]);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(pair, digest);
        return new Key(BinaryPrimitives.ReadUInt128LittleEndian(digest), BinaryPrimitives.ReadUInt128LittleEndian(digest[16..]));
    }

    private readonly record struct Key(UInt128 Low, UInt128 High);

    private sealed class RecordingSigner(ISigner inner, OwnSignatures signatures) : ISigner
    {
        public byte[] Sign(ReadOnlySpan<byte> message)
        {
            var signature = inner.Sign(message);
            signatures.Record(message, signature);
            return signature;
        }
    }
}
