using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Google.Protobuf;
using ZonCoin.Core.Protocol;
using ZonCoin.Interop.Tests.Support;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Interop.Tests;

/// <summary>
/// Block data hashes and header hashes computed by <see cref="BlockHashing"/> for the blocks of the Node
/// vectors (fabric-protos-vectors.json), for header edge cases and for a chain built by <see cref="Blocks"/>,
/// written to tests/interop/vectors/block-hashes.json. test/block-hashes.test.js recomputes every value
/// independently with node:crypto and a hand-written DER encoder, so a wrong or stale value fails one side.
/// </summary>
public sealed class BlockHashVectorTests
{
    private const string FileName = "block-hashes.json";

    /// <summary>Block numbers around every DER INTEGER length boundary, including the sign-bit cases.</summary>
    private static readonly ulong[] HeaderNumbers =
    [
        0, 1, 127, 128, 255, 256, 32767, 32768, 65535, 65536, int.MaxValue, 1UL << 31, 1UL << 32,
        (1UL << 53) - 1, long.MaxValue, 1UL << 63, ulong.MaxValue,
    ];

    [Fact]
    public void Committed_block_hashes_file_is_current()
    {
        // Rewritten when stale so a local run leaves it current; the test still fails so that a stale committed
        // copy cannot pass CI. The Node test checks the same file independently.
        var expected = Render();
        var path = Path.Combine(RepoPaths.VectorsDirectory, FileName);
        var committed = File.Exists(path) ? File.ReadAllBytes(path) : [];
        if (!committed.AsSpan().SequenceEqual(expected))
        {
            File.WriteAllBytes(path, expected);
            Assert.Fail($"{path} was stale and has been rewritten; review and commit it.");
        }
    }

    [Theory]
    [InlineData(0UL, "", "", "3007020100" + "0400" + "0400")]
    [InlineData(127UL, "", "", "300702017f" + "0400" + "0400")]
    [InlineData(128UL, "", "", "30080202" + "0080" + "0400" + "0400")]
    [InlineData(256UL, "ab", "cdef", "300b0202" + "0100" + "0401ab" + "0402cdef")]
    [InlineData(ulong.MaxValue, "", "", "300f0209" + "00ffffffffffffffff" + "0400" + "0400")]
    public void Header_DER_is_a_minimal_SEQUENCE_of_INTEGER_and_two_OCTET_STRINGs(ulong number, string previous, string data, string der)
    {
        var header = new BlockHeader
        {
            Number = number,
            PreviousHash = ByteString.CopyFrom(Convert.FromHexString(previous)),
            DataHash = ByteString.CopyFrom(Convert.FromHexString(data)),
        };
        Assert.Equal(der, Convert.ToHexStringLower(BlockHashing.HeaderBytes(header)));
        Assert.Equal(SHA256.HashData(Convert.FromHexString(der)), BlockHashing.HeaderHash(header));
    }

    [Fact]
    public void Data_hash_is_SHA256_of_the_concatenated_entries()
    {
        var data = new BlockData();
        data.Data.Add(ByteString.CopyFromUtf8("ab"));
        data.Data.Add(ByteString.Empty);
        data.Data.Add(ByteString.CopyFromUtf8("c"));
        Assert.Equal(SHA256.HashData("abc"u8), BlockHashing.DataHash(data));
        Assert.Equal(SHA256.HashData([]), BlockHashing.DataHash(new BlockData()));
    }

    private static byte[] Render()
    {
        using var fabric = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(RepoPaths.VectorsDirectory, "fabric-protos-vectors.json")));
        byte[] Vector(string name) => Convert.FromBase64String(fabric.RootElement.GetProperty(name).GetProperty("base64").GetString()!);

        using var stream = new MemoryStream();
        var options = new JsonWriterOptions { Indented = true, NewLine = "\n", Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        using (var writer = new Utf8JsonWriter(stream, options))
        {
            writer.WriteStartObject();
            writer.WriteString("comment", "Written by tests/Interop.Tests (BlockHashVectorTests) with ZonCoin.Core.Protocol.BlockHashing; checked by tests/interop/test/block-hashes.test.js.");

            writer.WriteStartArray("vectorBlocks");
            WriteVectorBlock(writer, "Block", "block", Block.Parser.ParseFrom(Vector("Block")));
            WriteVectorBlock(writer, "DeliverResponseBlock", "deliverResponse.block", DeliverResponse.Parser.ParseFrom(Vector("DeliverResponseBlock")).Block);
            writer.WriteEndArray();

            writer.WriteStartArray("headers");
            foreach (var number in HeaderNumbers)
            {
                var header = number == 0
                    ? new BlockHeader()
                    : new BlockHeader { Number = number, PreviousHash = Sha("previous", number), DataHash = Sha("data", number) };
                WriteHeader(writer, header);
            }
            // Hashes longer than 127 and 255 bytes: long-form DER lengths.
            WriteHeader(writer, new BlockHeader
            {
                Number = 5,
                PreviousHash = ByteString.CopyFrom(Enumerable.Range(0, 130).Select(i => (byte)i).ToArray()),
                DataHash = ByteString.CopyFrom(Enumerable.Range(0, 300).Select(i => (byte)(i * 7)).ToArray()),
            });
            WriteHeader(writer, new BlockHeader { Number = 2, DataHash = Sha("data", 2) });
            writer.WriteEndArray();

            writer.WriteStartArray("chain");
            var previous = Array.Empty<byte>();
            var envelopes = new[] { Vector("Envelope"), Vector("EnvelopeUnsigned") };
            for (ulong number = 0; number < 3; number++)
            {
                var block = Blocks.Create(number, previous, envelopes.Take((int)number + 1).Select(ByteString.CopyFrom));
                writer.WriteStartObject();
                writer.WriteString("base64", Convert.ToBase64String(block.ToByteArray()));
                writer.WriteString("dataHash", Hex(BlockHashing.DataHash(block.Data)));
                writer.WriteString("headerHash", Hex(BlockHashing.HeaderHash(block.Header)));
                writer.WriteEndObject();
                previous = BlockHashing.HeaderHash(block.Header);
            }
            writer.WriteEndArray();

            writer.WriteEndObject();
        }
        stream.WriteByte((byte)'\n');
        return stream.ToArray();
    }

    private static void WriteVectorBlock(Utf8JsonWriter writer, string vector, string path, Block block)
    {
        writer.WriteStartObject();
        writer.WriteString("vector", vector);
        writer.WriteString("path", path);
        writer.WriteNumber("dataEntries", block.Data.Data.Count);
        writer.WriteString("dataHash", Hex(BlockHashing.DataHash(block.Data)));
        writer.WritePropertyName("header");
        WriteHeader(writer, block.Header);
        writer.WriteEndObject();
    }

    private static void WriteHeader(Utf8JsonWriter writer, BlockHeader header)
    {
        writer.WriteStartObject();
        writer.WriteString("number", header.Number.ToString(CultureInfo.InvariantCulture));
        writer.WriteString("previousHash", Hex(header.PreviousHash.ToByteArray()));
        writer.WriteString("dataHash", Hex(header.DataHash.ToByteArray()));
        writer.WriteString("der", Hex(BlockHashing.HeaderBytes(header)));
        writer.WriteString("hash", Hex(BlockHashing.HeaderHash(header)));
        writer.WriteEndObject();
    }

    private static ByteString Sha(string label, ulong number) =>
        ByteString.CopyFrom(SHA256.HashData(Encoding.UTF8.GetBytes($"{label} {new BigInteger(number)}")));

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
