using Google.Protobuf;
using ZonCoin.Core.Protocol;
using ZonCoin.Peer.Sync;
using ZonCoin.Peer.Tests.Support;
using ZonCoin.Protos.Common;

namespace ZonCoin.Peer.Tests.Sync;

public sealed class BlockVerifierTests : IDisposable
{
    private readonly TestNetwork _network = new();
    private readonly byte[] _previousHash;

    public BlockVerifierTests()
    {
        _previousHash = BlockHashing.HeaderHash(_network.Genesis.Header);
    }

    private Block Block1(ulong number = 1, byte[]? previousHash = null)
    {
        var envelope = Tx.Endorsed(_network.Org1.Client, Tx.RwSet(Tx.Writes(("a", "1"))), [_network.Org1.Peer]);
        return ZonCoin.Core.Protocol.Blocks.Create(number, previousHash ?? _previousHash, [envelope.ToByteString()]);
    }

    private string? Check(Block block) => BlockVerifier.Check(block, 1, _previousHash, _network.Resources.Policies);

    [Fact]
    public void Block_signed_by_the_orderer_is_accepted()
    {
        var block = Block1();
        TestNetwork.SignBlock(block, _network.OrdererOrg.Orderer);
        Assert.Null(Check(block));
    }

    [Fact]
    public void Wrong_number_is_refused()
    {
        var block = Block1(number: 2);
        TestNetwork.SignBlock(block, _network.OrdererOrg.Orderer);
        Assert.Contains("expected block 1", Check(block), StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_previous_hash_is_refused()
    {
        var block = Block1(previousHash: new byte[32]);
        TestNetwork.SignBlock(block, _network.OrdererOrg.Orderer);
        Assert.Contains("previous hash", Check(block), StringComparison.Ordinal);
    }

    [Fact]
    public void Data_not_matching_the_data_hash_is_refused()
    {
        var block = Block1();
        TestNetwork.SignBlock(block, _network.OrdererOrg.Orderer);
        block.Data.Data.Add(ByteString.CopyFromUtf8("smuggled"));
        Assert.Contains("data hash", Check(block), StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_signatures_are_refused()
    {
        var unsigned = Block1();
        Assert.Contains("no orderer signatures", Check(unsigned), StringComparison.Ordinal);

        var emptyList = Block1();
        TestNetwork.SignBlock(emptyList);
        Assert.Contains("no orderer signatures", Check(emptyList), StringComparison.Ordinal);

        var garbage = Block1();
        garbage.Metadata.Metadata[(int)BlockMetadataIndex.Signatures] = ByteString.CopyFrom(0x0A, 0x09);
        Assert.Contains("no orderer signatures", Check(garbage), StringComparison.Ordinal);
    }

    [Fact]
    public void Signatures_not_satisfying_block_validation_are_refused()
    {
        var byPeer = Block1();
        TestNetwork.SignBlock(byPeer, _network.Org1.Peer); // a valid identity, but not of an orderer org
        Assert.Contains(BlockVerifier.BlockValidationPolicy, Check(byPeer), StringComparison.Ordinal);

        var byOutsider = Block1();
        TestNetwork.SignBlock(byOutsider, _network.Org9.Orderer);
        Assert.NotNull(Check(byOutsider));
    }

    [Fact]
    public void Signature_over_another_header_is_refused()
    {
        var block = Block1();
        TestNetwork.SignBlock(block, _network.OrdererOrg.Orderer);
        var forged = Block1();
        forged.Metadata.Metadata[(int)BlockMetadataIndex.Signatures] = block.Metadata.Metadata[(int)BlockMetadataIndex.Signatures];
        Assert.Null(Check(block));
        Assert.NotNull(Check(forged)); // different data hash (fresh nonce), so the signed header differs
    }

    [Fact]
    public void Tampered_signature_is_refused()
    {
        var block = Block1();
        TestNetwork.SignBlock(block, _network.OrdererOrg.Orderer);
        var metadata = Metadata.Parser.ParseFrom(block.Metadata.Metadata[(int)BlockMetadataIndex.Signatures]);
        metadata.Value = new OrdererBlockMetadata { LastConfig = new LastConfig { Index = 7 } }.ToByteString();
        block.Metadata.Metadata[(int)BlockMetadataIndex.Signatures] = metadata.ToByteString();
        Assert.NotNull(Check(block));
    }

    public void Dispose() => _network.Dispose();
}
