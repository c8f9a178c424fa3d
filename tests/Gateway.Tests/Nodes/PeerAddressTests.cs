using ZonCoin.Gateway.Nodes;

namespace ZonCoin.Gateway.Tests.Nodes;

public sealed class PeerAddressTests
{
    [Theory]
    [InlineData("127.0.0.1:7051", "Org1MSP", "127.0.0.1:7051")]
    [InlineData("localhost:7051", "Org1MSP", "localhost:7051")]
    [InlineData("[::1]:7051", "Org1MSP", "[::1]:7051")]
    [InlineData("peer0.org1.example.com:7051", "Org1MSP", "peer0.org1.example.com:7051")]
    [InlineData("Org2MSP@127.0.0.1:9051", "Org2MSP", "127.0.0.1:9051")]
    [InlineData("Org2MSP@peer0.org2.example.com:9051", "Org2MSP", "peer0.org2.example.com:9051")]
    [InlineData("Org1MSP@10.0.0.5:65535", "Org1MSP", "10.0.0.5:65535")]
    public void Valid_addresses(string text, string mspId, string endpoint)
    {
        Assert.True(PeerAddress.TryParse(text, "Org1MSP", out var peer));
        Assert.Equal(new PeerAddress(mspId, endpoint), peer);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("127.0.0.1")]
    [InlineData("peer0.org1.example.com")]
    [InlineData(":7051")]
    [InlineData("127.0.0.1:")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:65536")]
    [InlineData("127.0.0.1:-1")]
    [InlineData("peer0:port")]
    [InlineData("peer0:+7051")]
    [InlineData("peer0: 7051")]
    [InlineData("peer0:7051 ")]
    [InlineData("peer 0:7051")]
    [InlineData("@127.0.0.1:7051")]
    [InlineData(" @127.0.0.1:7051")]
    [InlineData("Org2MSP@")]
    [InlineData("Org2MSP@Org3MSP@127.0.0.1:7051")]
    [InlineData("http://127.0.0.1:7051")]
    public void Invalid_addresses(string? text)
    {
        Assert.False(PeerAddress.TryParse(text, "Org1MSP", out var peer));
        Assert.Null(peer);
    }

    [Fact]
    public void Renders_endpoint_and_msp()
    {
        Assert.Equal("127.0.0.1:7051 (Org1MSP)", new PeerAddress("Org1MSP", "127.0.0.1:7051").ToString());
    }
}
