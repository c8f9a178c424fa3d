using Google.Protobuf;
using ZonCoin.Core.Crypto;
using ZonCoin.Core.Protocol;
using ZonCoin.Protos.Common;

namespace ZonCoin.Core.Tests.Protocol;

public sealed class BlocksTests
{
    [Fact]
    public void Header_bytes_are_fabrics_der_sequence_with_minimal_integer_and_empty_octet_strings()
    {
        var header = new BlockHeader { Number = 0 };
        Assert.Equal("3007020100040004 00".Replace(" ", "", StringComparison.Ordinal), Convert.ToHexStringLower(BlockHashing.HeaderBytes(header)));

        var dataHash = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var prev = Enumerable.Repeat((byte)0xAB, 32).ToArray();
        var full = new BlockHeader { Number = 256, PreviousHash = ByteString.CopyFrom(prev), DataHash = ByteString.CopyFrom(dataHash) };
        var expected = "3048" + "02020100" + "0420" + Convert.ToHexStringLower(prev) + "0420" + Convert.ToHexStringLower(dataHash);
        Assert.Equal(expected, Convert.ToHexStringLower(BlockHashing.HeaderBytes(full)));
        Assert.Equal(Hashing.Sha256(Convert.FromHexString(expected)), BlockHashing.HeaderHash(full));

        // 128 needs a leading zero byte to stay positive.
        Assert.StartsWith("30080202008004000400", Convert.ToHexStringLower(BlockHashing.HeaderBytes(new BlockHeader { Number = 128 })), StringComparison.Ordinal);
    }

    [Fact]
    public void Data_hash_is_sha256_of_the_concatenated_envelopes()
    {
        var data = new BlockData();
        data.Data.Add(ByteString.CopyFromUtf8("ab"));
        data.Data.Add(ByteString.CopyFromUtf8("cd"));
        Assert.Equal(Hashing.Sha256("abcd"u8), BlockHashing.DataHash(data));
        Assert.Equal(Hashing.Sha256([]), BlockHashing.DataHash(new BlockData()));
    }

    [Fact]
    public void Blocks_carry_five_metadata_slots_and_chain_by_header_hash()
    {
        var first = Blocks.Create(0, [], [ByteString.CopyFromUtf8("tx1")]);
        var second = Blocks.Create(1, BlockHashing.HeaderHash(first.Header), [ByteString.CopyFromUtf8("tx2")]);
        Assert.Equal(Blocks.MetadataSlots, first.Metadata.Metadata.Count);
        Assert.True(Blocks.HasValidDataHash(second));
        Assert.Equal(BlockHashing.HeaderHash(first.Header), second.Header.PreviousHash.ToByteArray());

        second.Data.Data[0] = ByteString.CopyFromUtf8("tampered");
        Assert.False(Blocks.HasValidDataHash(second));
    }

    [Fact]
    public void Garbage_block_bytes_are_MalformedMessage()
    {
        Assert.Throws<MalformedMessageException>(() => Blocks.Parse([0x0a, 0x10, 0x01]));
        Assert.Throws<MalformedMessageException>(() => Blocks.Parse([]));
    }
}
