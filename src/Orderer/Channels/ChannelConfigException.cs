namespace ZonCoin.Orderer.Channels;

/// <summary>A channel configuration that cannot be put in force; the message names the offending part.</summary>
public sealed class ChannelConfigException : Exception
{
    public ChannelConfigException()
    {
    }

    public ChannelConfigException(string message)
        : base(message)
    {
    }

    public ChannelConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
