namespace ZonCoin.Core.Crypto;

/// <summary>Key material or a signature that cannot be used: the message says which and why.</summary>
public sealed class CryptoException : Exception
{
    public CryptoException(string message) : base(message) { }

    public CryptoException(string message, Exception inner) : base(message, inner) { }
}
