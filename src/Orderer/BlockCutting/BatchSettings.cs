using ZonCoin.Protos.Config;

namespace ZonCoin.Orderer.BlockCutting;

/// <summary>A channel's block-cutting limits, from <c>OrdererConfig.batch_size</c> and <c>batch_timeout</c>.</summary>
internal sealed record BatchSettings(uint MaxMessageCount, uint AbsoluteMaxBytes, uint PreferredMaxBytes, TimeSpan BatchTimeout)
{
    /// <summary>Reads and checks the settings; throws <see cref="Channels.ChannelConfigException"/> naming a bad one.</summary>
    public static BatchSettings From(OrdererConfig orderer)
    {
        ArgumentNullException.ThrowIfNull(orderer);
        var size = orderer.BatchSize ?? throw new Channels.ChannelConfigException("orderer batch_size is missing");
        if (size.MaxMessageCount == 0)
        {
            throw new Channels.ChannelConfigException("orderer batch_size.max_message_count must be greater than 0");
        }
        if (size.AbsoluteMaxBytes == 0)
        {
            throw new Channels.ChannelConfigException("orderer batch_size.absolute_max_bytes must be greater than 0");
        }
        if (size.PreferredMaxBytes == 0 || size.PreferredMaxBytes > size.AbsoluteMaxBytes)
        {
            throw new Channels.ChannelConfigException(
                $"orderer batch_size.preferred_max_bytes ({size.PreferredMaxBytes}) must be greater than 0 and at most absolute_max_bytes ({size.AbsoluteMaxBytes})");
        }
        var timeout = orderer.BatchTimeout?.ToTimeSpan() ?? TimeSpan.Zero;
        if (timeout <= TimeSpan.Zero)
        {
            throw new Channels.ChannelConfigException("orderer batch_timeout must be a positive duration");
        }
        return new BatchSettings(size.MaxMessageCount, size.AbsoluteMaxBytes, size.PreferredMaxBytes, timeout);
    }
}
