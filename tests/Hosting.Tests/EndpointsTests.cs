using System.Net;

namespace ZonCoin.Hosting.Tests;

public sealed class EndpointsTests
{
    [Fact]
    public void Parses_an_ipv4_address()
    {
        Assert.Equal(new IPEndPoint(IPAddress.Parse("127.0.0.1"), 1), Endpoints.Parse("127.0.0.1:1"));
    }

    [Fact]
    public void Parses_a_bracketed_ipv6_address()
    {
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 2), Endpoints.Parse("[::1]:2"));
    }

    [Fact]
    public void Parses_localhost_as_loopback()
    {
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 3), Endpoints.Parse("localhost:3"));
    }

    [Fact]
    public void Parses_any_address_and_the_top_port()
    {
        Assert.Equal(new IPEndPoint(IPAddress.Any, 65535), Endpoints.Parse("0.0.0.0:65535"));
    }

    [Theory]
    [InlineData("x")]
    [InlineData("host:port")]
    [InlineData("1.2.3.4:99999")]
    [InlineData("orderer.example.com:7050")]
    [InlineData(":7050")]
    [InlineData("127.0.0.1:")]
    [InlineData("127.0.0.1:-1")]
    public void Rejects_anything_else_with_FormatException_naming_it(string address)
    {
        var ex = Assert.Throws<FormatException>(() => Endpoints.Parse(address));

        Assert.Contains(address, ex.Message, StringComparison.Ordinal);
        Assert.False(Endpoints.IsValid(address));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void IsValid_is_false_for_empty(string? address)
    {
        Assert.False(Endpoints.IsValid(address));
    }

    [Fact]
    public void IsValid_is_true_for_a_good_address()
    {
        Assert.True(Endpoints.IsValid("127.0.0.1:7050"));
    }

    [Theory]
    [InlineData("peer0.org1.example.com:7051")]
    [InlineData("zoncoin-chaincode.amazon.zoncoin.local:7100")]
    [InlineData("127.0.0.1:7051")]
    [InlineData("[::1]:7051")]
    [InlineData("localhost:1")]
    public void A_dial_address_may_name_a_host(string address)
    {
        Assert.True(Endpoints.IsDialable(address));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("peer0.org1.example.com")]
    [InlineData("peer0.org1.example.com:0")]
    [InlineData("peer0.org1.example.com:70000")]
    [InlineData(":7051")]
    [InlineData("bad host:7051")]
    [InlineData("[not-ipv6]:7051")]
    public void A_dial_address_needs_a_valid_host_and_port(string? address)
    {
        Assert.False(Endpoints.IsDialable(address));
    }
}
