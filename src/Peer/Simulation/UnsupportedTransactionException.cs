namespace ZonCoin.Peer.Simulation;

/// <summary>
/// A request <see cref="TxSimulator"/> refuses in the transaction so far, as Fabric's simulator does: a write after a
/// paginated query, or a paginated query after a write (a page's range cannot be checked for phantoms at commit).
/// </summary>
internal sealed class UnsupportedTransactionException : Exception
{
    public UnsupportedTransactionException()
    {
    }

    public UnsupportedTransactionException(string message)
        : base(message)
    {
    }

    public UnsupportedTransactionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
