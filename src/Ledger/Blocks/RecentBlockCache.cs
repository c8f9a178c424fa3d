namespace ZonCoin.Ledger.Blocks;

/// <summary>
/// The bytes of the most recent blocks, so Deliver readers at the tip do not hit the disk. Not thread-safe: the
/// store guards it with its state lock.
/// </summary>
internal sealed class RecentBlockCache
{
    private readonly byte[]?[] _bytes;
    private readonly ulong[] _numbers;

    public RecentBlockCache(int capacity)
    {
        _bytes = new byte[Math.Max(capacity, 0)][];
        _numbers = new ulong[_bytes.Length];
    }

    public void Add(ulong number, byte[] bytes)
    {
        if (_bytes.Length == 0)
        {
            return;
        }
        var slot = (int)(number % (ulong)_bytes.Length);
        _numbers[slot] = number;
        _bytes[slot] = bytes;
    }

    public bool TryGet(ulong number, out byte[]? bytes)
    {
        bytes = null;
        if (_bytes.Length == 0)
        {
            return false;
        }
        var slot = (int)(number % (ulong)_bytes.Length);
        if (_bytes[slot] is { } found && _numbers[slot] == number)
        {
            bytes = found;
            return true;
        }
        return false;
    }
}
