namespace ZonCoin.Orderer.Channels;

/// <summary>Why a join request failed.</summary>
public enum ChannelJoinError
{
    /// <summary>The block is not a genesis config block this orderer can serve.</summary>
    BadBlock,

    /// <summary>The channel is already served here.</summary>
    AlreadyExists,
}

/// <summary>A channel join that was refused; the message says why.</summary>
public sealed class ChannelJoinException : Exception
{
    public ChannelJoinException()
    {
    }

    public ChannelJoinException(string message)
        : base(message)
    {
    }

    public ChannelJoinException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ChannelJoinException(ChannelJoinError error, string message)
        : base(message)
    {
        Error = error;
    }

    public ChannelJoinError Error { get; }
}
