using Google.Protobuf;
using ZonCoin.Core.Protocol;
using ZonCoin.Ledger.Blocks;
using ZonCoin.Protos.Common;

namespace ZonCoin.Orderer.Channels;

/// <summary>
/// Builds the channel's next block and commits it to the block store with the orderer's metadata: LAST_CONFIG
/// (the number of the newest config block), SIGNATURES (<c>OrdererBlockMetadata{last_config, consenter_metadata}</c>
/// signed by this orderer over value ‖ signature header ‖ block header DER) and, when the consenter passes
/// metadata (Kafka offsets), the ORDERER slot. Only the chain's loop calls it.
/// </summary>
internal sealed class BlockWriter
{
    private readonly BlockStore _store;
    private readonly SigningIdentity _signer;

    public BlockWriter(BlockStore store, SigningIdentity signer, ulong lastConfigBlock)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _signer = signer ?? throw new ArgumentNullException(nameof(signer));
        LastConfigBlock = lastConfigBlock;
    }

    /// <summary>The number of the newest config block.</summary>
    public ulong LastConfigBlock { get; private set; }

    /// <summary>The block after the store's newest one, holding <paramref name="envelopes"/>; not yet written.</summary>
    public Block CreateNextBlock(IReadOnlyList<Envelope> envelopes)
    {
        ArgumentNullException.ThrowIfNull(envelopes);
        var previous = _store.LastHeaderHash ?? throw new InvalidOperationException("the channel has no genesis block");
        return Blocks.Create(_store.Height, previous, envelopes.Select(envelope => envelope.ToByteString()));
    }

    /// <summary>Signs and durably appends a block of normal messages.</summary>
    public void WriteBlock(Block block, ByteString consenterMetadata) => Commit(block, consenterMetadata);

    /// <summary>Signs and durably appends a config block, which becomes the channel's last config.</summary>
    public void WriteConfigBlock(Block block, ByteString consenterMetadata)
    {
        ArgumentNullException.ThrowIfNull(block);
        LastConfigBlock = block.Header.Number;
        Commit(block, consenterMetadata);
    }

    private void Commit(Block block, ByteString consenterMetadata)
    {
        ArgumentNullException.ThrowIfNull(block);
        var metadata = block.Metadata.Metadata;
        metadata[(int)BlockMetadataIndex.LastConfig] = new Metadata
        {
            Value = new LastConfig { Index = LastConfigBlock }.ToByteString(),
        }.ToByteString();
        if (!consenterMetadata.IsEmpty)
        {
            metadata[(int)BlockMetadataIndex.Orderer] = new Metadata { Value = consenterMetadata }.ToByteString();
        }
        var value = new OrdererBlockMetadata
        {
            LastConfig = new LastConfig { Index = LastConfigBlock },
            ConsenterMetadata = consenterMetadata,
        }.ToByteString();
        var signatureHeader = new SignatureHeader
        {
            Creator = ByteString.CopyFrom(_signer.Creator),
            Nonce = ByteString.CopyFrom(TransactionIds.NewNonce()),
        }.ToByteString();
        var signature = _signer.Sign([.. value.Span, .. signatureHeader.Span, .. BlockHashing.HeaderBytes(block.Header)]);
        metadata[(int)BlockMetadataIndex.Signatures] = new Metadata
        {
            Value = value,
            Signatures = { new MetadataSignature { SignatureHeader = signatureHeader, Signature = ByteString.CopyFrom(signature) } },
        }.ToByteString();
        _store.Append(block);
    }
}
