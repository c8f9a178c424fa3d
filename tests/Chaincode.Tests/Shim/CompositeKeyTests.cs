using ZonCoin.Chaincode.Shim;

namespace ZonCoin.Chaincode.Tests.Shim;

public sealed class CompositeKeyTests
{
    [Fact]
    public void Create_and_split_round_trip()
    {
        var key = CompositeKeys.Create("owner~asset", "alice", "a1");
        Assert.Equal("\u0000owner~asset\u0000alice\u0000a1\u0000", key);
        var (type, attributes) = CompositeKeys.Split(key);
        Assert.Equal("owner~asset", type);
        Assert.Equal(["alice", "a1"], attributes);
        Assert.Equal(("", Array.Empty<string>()), (CompositeKeys.Split("plain").ObjectType, CompositeKeys.Split("plain").Attributes.ToArray()));
        Assert.Empty(CompositeKeys.Split(CompositeKeys.Create("t")).Attributes);
    }

    [Fact]
    public void Partial_range_ends_at_the_maximum_rune()
    {
        var (start, end) = CompositeKeys.PartialRange("owner~asset", "alice");
        Assert.Equal("\u0000owner~asset\u0000alice\u0000", start);
        Assert.Equal(start + "\U0010FFFF", end);
    }

    [Theory]
    [InlineData("a\u0000b")]
    [InlineData("a\U0010FFFF")]
    public void Reserved_or_invalid_characters_are_refused(string attribute)
    {
        Assert.Throws<ArgumentException>(() => CompositeKeys.Create("type", attribute));
        Assert.Throws<ArgumentException>(() => CompositeKeys.Create(attribute));
    }

    [Fact]
    public void Lone_surrogates_are_not_valid_utf8()
    {
        var lone = "lone" + (char)0xD800;
        Assert.Throws<ArgumentException>(() => CompositeKeys.Create("type", lone));
        Assert.Throws<ArgumentException>(() => CompositeKeys.Create("type", (char)0xDC00 + "x"));
    }
}
