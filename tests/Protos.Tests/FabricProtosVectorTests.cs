using Google.Protobuf;

namespace ZonCoin.Protos.Tests;

/// <summary>
/// Vectors encoded by the official @hyperledger/fabric-protos (google-protobuf JS), from
/// tests/interop/vectors/fabric-protos-vectors.json: every field must parse to the known value, and our
/// re-serialization must be byte-identical.
/// </summary>
public sealed class FabricProtosVectorTests
{
    private static readonly Lazy<IReadOnlyList<Vector>> Vectors = new(() => VectorFiles.Load(VectorFiles.FabricFileName));

    private static readonly Lazy<Dictionary<string, byte[]>> Set = new(() => VectorFiles.ToDictionary(Vectors.Value));

    public static TheoryData<string> Names => [.. VectorAssertions.Parsers.Keys];

    [Fact]
    public void File_holds_exactly_the_expected_vectors()
    {
        Assert.Equal(VectorAssertions.Parsers.Keys.Order(StringComparer.Ordinal), Vectors.Value.Select(v => v.Name).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Vector_type_matches_our_message_full_name(string name)
    {
        var vector = Vectors.Value.Single(v => v.Name == name);
        Assert.Equal(vector.Type, VectorAssertions.Parsers[name].ParseFrom(vector.Bytes).Descriptor.FullName);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_field_parses_to_the_known_value(string name)
    {
        VectorAssertions.ParseAndAssert(name, Set.Value);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Reserializes_byte_identically(string name)
    {
        var message = VectorAssertions.ParseAndAssert(name, Set.Value);
        Assert.Equal(Set.Value[name], message.ToByteArray());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Csharp_encoding_of_the_same_values_is_byte_identical(string name)
    {
        var ours = CSharpVectors.Build().Single(v => v.Name == name).Message.ToByteArray();
        Assert.Equal(Set.Value[name], ours);
    }

    [Fact]
    public void Unknown_fields_survive_a_round_trip()
    {
        // Rule zero is to hash received bytes, but re-serialization must not drop fields a newer Fabric adds either.
        var original = Set.Value["ChannelHeader"];
        byte[] extra = [0x78, 0x2a, 0x82, 0x01, 0x03, 0x61, 0x62, 0x63]; // field 15 varint 42, field 16 bytes "abc"
        var withUnknown = original.Concat(extra).ToArray();
        var parsed = Common.ChannelHeader.Parser.ParseFrom(withUnknown);
        Assert.Equal(withUnknown, parsed.ToByteArray());
    }
}
