using Google.Protobuf;
using ZonCoin.Protos.Kafka;

namespace ZonCoin.Orderer.Consensus.Kafka;

/// <summary>
/// Where a Kafka chain stands in its topic, as recorded in each block's consenter metadata
/// (<c>KafkaMetadata</c>): the offset of the last message the ledger reflects, the last original offset of a
/// re-posted message that was processed, and the offset of the last config message re-posted for re-validation.
/// </summary>
internal sealed record KafkaOffsets(long LastOffsetPersisted, long LastOriginalOffsetProcessed, long LastResubmittedConfigOffset)
{
    /// <summary>A channel with only its genesis block: nothing of the topic is in the ledger yet.</summary>
    public static KafkaOffsets Initial { get; } = new(-1, 0, 0);

    public static KafkaOffsets Read(ByteString consenterMetadata)
    {
        if (consenterMetadata.IsEmpty)
        {
            return Initial;
        }
        var metadata = KafkaMetadata.Parser.ParseFrom(consenterMetadata);
        return new KafkaOffsets(metadata.LastOffsetPersisted, metadata.LastOriginalOffsetProcessed, metadata.LastResubmittedConfigOffset);
    }

    public ByteString ToMetadata() => new KafkaMetadata
    {
        LastOffsetPersisted = LastOffsetPersisted,
        LastOriginalOffsetProcessed = LastOriginalOffsetProcessed,
        LastResubmittedConfigOffset = LastResubmittedConfigOffset,
    }.ToByteString();
}
