namespace ZonCoin.Chaincode.Shim;

/// <summary>The peer refused a request of the chaincode (an <c>ERROR</c> reply), or the stream to the peer ended.</summary>
public sealed class ChaincodeStubException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ChaincodeStubException()
    {
    }

    /// <summary>Creates the exception with the peer's message.</summary>
    /// <param name="message">What went wrong.</param>
    public ChaincodeStubException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public ChaincodeStubException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
