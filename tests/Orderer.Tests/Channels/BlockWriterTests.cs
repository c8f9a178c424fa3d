using Google.Protobuf;
using ZonCoin.Core.Identity;
using ZonCoin.Core.Protocol;
using ZonCoin.Orderer.MsgProcessor;
using ZonCoin.Orderer.Tests.Support;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Config;

namespace ZonCoin.Orderer.Tests.Channels;

public sealed class BlockWriterTests : IAsyncLifetime, IDisposable
{
    private readonly TestNetwork _network = new();
    private readonly ChainHarness _harness;

    public BlockWriterTests()
    {
        _harness = ChainHarness.Create(_network.Config(), _network.OrdererSigner);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    public void Dispose() => _network.Dispose();

    private Block WriteNormal(int envelopes, ByteString? consenterMetadata = null)
    {
        var support = _harness.Support;
        var block = support.CreateNextBlock([.. Enumerable.Range(0, envelopes).Select(_ => TestNetwork.Transaction(_network.Org1.Client))]);
        support.WriteBlock(block, consenterMetadata ?? ByteString.Empty);
        return _harness.Store.GetBlock(block.Header.Number);
    }

    private Block WriteConfig(ChannelConfig proposed, IEnumerable<Core.Protocol.SigningIdentity> admins)
    {
        var support = _harness.Support;
        var update = TestNetwork.ConfigUpdate(support.State.Config, proposed, admins, _network.Org1.Admin);
        var config = support.Processor.ProcessConfigUpdate(MessageProcessor.Classify(update).Envelope, support.State);
        var block = support.CreateNextBlock([config]);
        support.WriteConfigBlock(block, ByteString.Empty);
        return _harness.Store.GetBlock(block.Header.Number);
    }

    private ChannelConfig WithMaxMessageCount(uint count)
    {
        var next = _harness.Support.State.Config.Clone();
        next.Orderer.BatchSize.MaxMessageCount = count;
        return next;
    }

    private static ulong LastConfigOf(Block block) =>
        LastConfig.Parser.ParseFrom(Metadata.Parser.ParseFrom(block.Metadata.Metadata[(int)BlockMetadataIndex.LastConfig]).Value).Index;

    private static Metadata SignaturesOf(Block block) => Metadata.Parser.ParseFrom(block.Metadata.Metadata[(int)BlockMetadataIndex.Signatures]);

    [Fact]
    public void Blocks_chain_by_header_hash()
    {
        var genesis = _harness.Store.GetBlock(0);
        var first = WriteNormal(2);
        var second = WriteNormal(1);

        Assert.Equal(1UL, first.Header.Number);
        Assert.Equal(2UL, second.Header.Number);
        Assert.Equal(BlockHashing.HeaderHash(genesis.Header), first.Header.PreviousHash.ToByteArray());
        Assert.Equal(BlockHashing.HeaderHash(first.Header), second.Header.PreviousHash.ToByteArray());
        Assert.True(Blocks.HasValidDataHash(first));
        Assert.Equal(2, first.Data.Data.Count);
        Assert.Equal(3UL, _harness.Store.Height);
    }

    [Fact]
    public void Signatures_metadata_is_signed_by_the_orderer_over_value_header_and_block_header()
    {
        var block = WriteNormal(1);

        var signatures = SignaturesOf(block);
        var value = OrdererBlockMetadata.Parser.ParseFrom(signatures.Value);
        Assert.Equal(0UL, value.LastConfig.Index);
        Assert.True(value.ConsenterMetadata.IsEmpty);
        var signature = Assert.Single(signatures.Signatures);
        var header = SignatureHeader.Parser.ParseFrom(signature.SignatureHeader);
        Assert.Equal(_network.OrdererSigner.Creator, header.Creator.ToByteArray());
        Assert.False(header.Nonce.IsEmpty);
        var orderer = MspIdentity.Parse(header.Creator.Span);
        byte[] signed = [.. signatures.Value.Span, .. signature.SignatureHeader.Span, .. BlockHashing.HeaderBytes(block.Header)];
        Assert.True(orderer.Verify(signed, signature.Signature.Span));
        // The signature binds the header: it does not verify for another block's header.
        var other = block.Header.Clone();
        other.Number++;
        byte[] forged = [.. signatures.Value.Span, .. signature.SignatureHeader.Span, .. BlockHashing.HeaderBytes(other)];
        Assert.False(orderer.Verify(forged, signature.Signature.Span));
    }

    [Fact]
    public void Orderer_slot_and_consenter_metadata_are_set_when_given()
    {
        var plain = WriteNormal(1);
        var consenter = ByteString.CopyFromUtf8("offset=42");
        var withMetadata = WriteNormal(1, consenter);

        Assert.True(plain.Metadata.Metadata[(int)BlockMetadataIndex.Orderer].IsEmpty);
        Assert.Equal(consenter, Metadata.Parser.ParseFrom(withMetadata.Metadata.Metadata[(int)BlockMetadataIndex.Orderer]).Value);
        Assert.Equal(consenter, OrdererBlockMetadata.Parser.ParseFrom(SignaturesOf(withMetadata).Value).ConsenterMetadata);
        Assert.Equal(consenter, _harness.Support.LastConsenterMetadata());
    }

    [Fact]
    public void Last_config_points_at_the_newest_config_block()
    {
        var normal = WriteNormal(1);
        var config = WriteConfig(WithMaxMessageCount(20), [_network.OrdererOrg.Admin]);
        var after = WriteNormal(1);

        Assert.Equal(0UL, LastConfigOf(normal));
        Assert.Equal(2UL, config.Header.Number);
        Assert.Equal(2UL, LastConfigOf(config));
        Assert.Equal(2UL, LastConfigOf(after));
        Assert.Equal(2UL, OrdererBlockMetadata.Parser.ParseFrom(SignaturesOf(after).Value).LastConfig.Index);
        Assert.Equal(2UL, _harness.Support.LastConfigBlock);
    }

    [Fact]
    public void A_config_block_puts_the_new_config_in_force()
    {
        Assert.Equal(0UL, _harness.Support.State.Sequence);
        Assert.Equal(10U, _harness.Support.Cutter.Settings.MaxMessageCount);

        WriteConfig(WithMaxMessageCount(20), [_network.OrdererOrg.Admin]);

        Assert.Equal(1UL, _harness.Support.State.Sequence);
        Assert.Equal(20U, _harness.Support.State.Batch.MaxMessageCount);
        Assert.Equal(20U, _harness.Support.Cutter.Settings.MaxMessageCount);
    }

    [Fact]
    public void A_config_block_that_removes_an_org_stops_its_clients()
    {
        var next = _harness.Support.State.Config.Clone();
        next.Application.Organizations.RemoveAt(2);
        WriteConfig(next, [_network.Org1.Admin, _network.Org2.Admin]);

        var ex = Assert.Throws<MessageRejectedException>(() => _harness.Support.Revalidate(TestNetwork.Transaction(_network.Org3.Client)));

        Assert.Equal(Status.Forbidden, ex.Status);
        Assert.Equal(1UL, _harness.Support.Revalidate(TestNetwork.Transaction(_network.Org1.Client)));
    }
}
