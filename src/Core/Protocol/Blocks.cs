using Google.Protobuf;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Core.Protocol;

/// <summary>Builds and unpacks blocks: header, data hash and the five metadata slots Fabric clients expect.</summary>
public static class Blocks
{
    /// <summary>Number of <c>BlockMetadata</c> slots (SIGNATURES … COMMIT_HASH).</summary>
    public const int MetadataSlots = 5;

    /// <summary>A block over the given envelopes, chained to <paramref name="previousHash"/>, with empty metadata slots.</summary>
    public static Block Create(ulong number, ReadOnlySpan<byte> previousHash, IEnumerable<ByteString> envelopes)
    {
        var data = new BlockData();
        data.Data.AddRange(envelopes);
        var block = new Block
        {
            Header = new BlockHeader
            {
                Number = number,
                PreviousHash = ByteString.CopyFrom(previousHash),
                DataHash = ByteString.CopyFrom(BlockHashing.DataHash(data)),
            },
            Data = data,
            Metadata = new BlockMetadata(),
        };
        for (var i = 0; i < MetadataSlots; i++)
        {
            block.Metadata.Metadata.Add(ByteString.Empty);
        }
        return block;
    }

    /// <summary>
    /// The genesis block of a channel: block 0 holding one CONFIG envelope, LAST_CONFIG pointing at itself, and a
    /// TRANSACTIONS_FILTER marking that envelope valid.
    /// </summary>
    public static Block Genesis(Envelope configEnvelope)
    {
        ArgumentNullException.ThrowIfNull(configEnvelope);
        var block = Create(0, [], [configEnvelope.ToByteString()]);
        var lastConfig = new Metadata { Value = new LastConfig { Index = 0 }.ToByteString() };
        block.Metadata.Metadata[(int)BlockMetadataIndex.LastConfig] = lastConfig.ToByteString();
        block.Metadata.Metadata[(int)BlockMetadataIndex.Signatures] = new Metadata
        {
            Value = new OrdererBlockMetadata { LastConfig = new LastConfig { Index = 0 } }.ToByteString(),
        }.ToByteString();
        block.Metadata.Metadata[(int)BlockMetadataIndex.TransactionsFilter] = ByteString.CopyFrom((byte)TxValidationCode.Valid);
        return block;
    }

    /// <summary>Checks that the header's data hash matches the data; false when the block was tampered with.</summary>
    /// <summary>The configuration a block carries when it is a config block (one CONFIG envelope), else null.</summary>
    public static Protos.Config.ChannelConfig? ConfigOf(Block block)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (block.Data?.Data.Count != 1)
        {
            return null;
        }
        var envelope = Envelopes.Unpack(block.Data.Data[0]);
        return envelope.Type == HeaderType.Config ? ConfigUpdates.ReadConfig(envelope).Config : null;
    }

    /// <summary>
    /// The number of the last configuration block as a block's LAST_CONFIG metadata records it (0 for a genesis
    /// block or when the slot is empty).
    /// </summary>
    public static ulong LastConfigIndex(Block block)
    {
        ArgumentNullException.ThrowIfNull(block);
        var slots = block.Metadata?.Metadata;
        if (block.Header.Number == 0 || slots is null || slots.Count <= (int)BlockMetadataIndex.LastConfig || slots[(int)BlockMetadataIndex.LastConfig].IsEmpty)
        {
            return 0;
        }
        var metadata = Messages.Parse(Metadata.Parser, slots[(int)BlockMetadataIndex.LastConfig], "BlockMetadata[LAST_CONFIG]");
        return Messages.Parse(LastConfig.Parser, metadata.Value, "Metadata.value (LastConfig)").Index;
    }

    public static bool HasValidDataHash(Block block)
    {
        ArgumentNullException.ThrowIfNull(block);
        return block.Header is not null && block.Data is not null
            && block.Header.DataHash.Span.SequenceEqual(BlockHashing.DataHash(block.Data));
    }

    /// <summary>Parses block bytes; throws <see cref="MalformedMessageException"/> when they are not a block with a header.</summary>
    public static Block Parse(ReadOnlySpan<byte> bytes)
    {
        var block = Messages.Parse(Block.Parser, bytes, "Block");
        if (block.Header is null || block.Data is null)
        {
            throw new MalformedMessageException("Block", "header or data is missing");
        }
        return block;
    }
}
