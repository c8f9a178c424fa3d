using System.Security.Cryptography;
using System.Text;
using ZonCoin.Chaincode.Token.Tests.Support;

namespace ZonCoin.Chaincode.Token.Tests;

public sealed class InitializeAndAccountTests : IDisposable
{
    private readonly TokenWorld _w = new();

    public void Dispose() => _w.Dispose();

    [Fact]
    public void Every_function_fails_with_not_initialized_before_Initialize()
    {
        var calls = new (string Function, string[] Args)[]
        {
            ("TotalSupply", []), ("TokenInfo", []), ("BalanceOf", [_w.Alice.Account]), ("OpenAccount", []),
            ("Transfer", [_w.Bob.Account, "1", ""]), ("Approve", [_w.Bob.Account, "1"]), ("Allowance", [_w.Alice.Account, _w.Bob.Account]),
            ("TransferFrom", [_w.Alice.Account, _w.Bob.Account, "1"]), ("RewardUsage", [_w.Alice.Account, "u1", "100", "2026-10"]),
            ("Mint", [_w.Alice.Account, "1", ""]), ("Burn", ["1", ""]), ("UpsertOffer", ["o1", "d", "support", "1", "true"]),
            ("GetOffer", ["o1"]), ("ListOffers", []), ("Redeem", ["o1", "1"]), ("GetRedemption", ["tx1"]),
            ("Hold", ["h1", _w.Bob.Account, _w.Carol.Account, "1", "2027-01-01T00:00:00Z", ""]), ("ExecuteHold", ["h1", "1"]),
            ("ReleaseHold", ["h1"]), ("GetHold", ["h1"]),
        };
        foreach (var (function, args) in calls)
        {
            Assert.Contains("not initialized", _w.Fail(_w.Minter, function, args), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Initialize_stores_the_settings_once_and_TokenInfo_returns_them()
    {
        var result = _w.Call(_w.Minter, "Initialize", "ZonCoin", "ZON", "2", TokenWorld.IssuerMsp, "150");
        Assert.True(result.Ok, result.ToString());
        Assert.Equal("Initialized", result.EventName);
        var info = TokenWorld.Parse(_w.Ok(_w.Bob, "TokenInfo"));
        Assert.Equal("ZonCoin", info.GetProperty("name").GetString());
        Assert.Equal("ZON", info.GetProperty("symbol").GetString());
        Assert.Equal(2, info.GetProperty("decimals").GetInt32());
        Assert.Equal(TokenWorld.IssuerMsp, info.GetProperty("issuerMspId").GetString());
        Assert.Equal(150, info.GetProperty("cashbackBasisPoints").GetInt32());
        Assert.Equal("0", info.GetProperty("totalSupply").GetString());
        Assert.Equal("2026-11-21T12:00:00Z", info.GetProperty("initializedAt").GetString());
        Assert.Contains("already initialized", _w.Fail(_w.Minter, "Initialize", "Other", "OTH", "0", TokenWorld.IssuerMsp, "10"), StringComparison.Ordinal);
        Assert.Equal("0", _w.Ok(_w.Alice, "TotalSupply"));
    }

    [Theory]
    [InlineData("", "ZON", "2", "150", "name must not be empty")]
    [InlineData("ZonCoin", "Z O N", "2", "150", "symbol 'Z O N' is not valid")]
    [InlineData("ZonCoin", "ZON", "19", "150", "decimals must be an integer from 0 to 18")]
    [InlineData("ZonCoin", "ZON", "-1", "150", "decimals must be an integer from 0 to 18")]
    [InlineData("ZonCoin", "ZON", "2", "0", "cashbackBasisPoints must be an integer from 1 to 10000")]
    [InlineData("ZonCoin", "ZON", "2", "10001", "cashbackBasisPoints must be an integer from 1 to 10000")]
    [InlineData("ZonCoin", "ZON", "2", "1.5", "cashbackBasisPoints must be an integer from 1 to 10000")]
    public void Initialize_validates_its_arguments(string name, string symbol, string decimals, string basisPoints, string error)
    {
        Assert.Contains(error, _w.Fail(_w.Minter, "Initialize", name, symbol, decimals, TokenWorld.IssuerMsp, basisPoints), StringComparison.Ordinal);
    }

    [Fact]
    public void Initialize_needs_a_minter_or_admin_of_the_issuer_org()
    {
        Assert.Contains("needs a minter of the issuer org ZonMSP", _w.Fail(_w.Alice, "Initialize", "ZonCoin", "ZON", "2", TokenWorld.IssuerMsp, "150"), StringComparison.Ordinal);
        Assert.Contains("needs a minter", _w.Fail(_w.ForeignMinter, "Initialize", "ZonCoin", "ZON", "2", TokenWorld.IssuerMsp, "150"), StringComparison.Ordinal);
        Assert.Contains("needs a minter", _w.Fail(_w.IssuerClient, "Initialize", "ZonCoin", "ZON", "2", TokenWorld.IssuerMsp, "150"), StringComparison.Ordinal);
        _w.Ok(_w.Admin, "Initialize", "ZonCoin", "ZON", "2", TokenWorld.IssuerMsp, "150");
    }

    [Fact]
    public void Account_id_is_the_msp_id_and_20_bytes_of_sha256_of_the_client_id()
    {
        // Computed here from the documented rule and the certificate names the test CA wrote (X500DistinguishedNameBuilder encodes the last component added first).
        var clientId = "x509::/CN=alice/OU=client/O=Org1MSP::/O=Org1MSP/CN=ca.org1msp";
        Assert.Equal(clientId, _w.Alice.ClientId);
        var expected = "Org1MSP:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(clientId))[..20]);
        Assert.Equal(expected, _w.Ok(_w.Alice, "ClientAccountId"));
        Assert.Equal(expected, AccountIds.For("Org1MSP", clientId));
        Assert.NotEqual(_w.Ok(_w.Alice, "ClientAccountId"), _w.Ok(_w.Bob, "ClientAccountId"));
    }

    [Fact]
    public void OpenAccount_is_idempotent_and_BalanceOf_needs_an_existing_account()
    {
        _w.Initialize();
        Assert.Contains($"unknown account {_w.Alice.Account}", _w.Fail(_w.Bob, "BalanceOf", _w.Alice.Account), StringComparison.Ordinal);
        var first = _w.Call(_w.Alice, "OpenAccount");
        Assert.Equal(_w.Alice.Account, first.Text);
        Assert.Equal("AccountOpened", first.EventName);
        var second = _w.Call(_w.Alice, "OpenAccount");
        Assert.Equal(_w.Alice.Account, second.Text);
        Assert.Null(second.Event);
        Assert.Empty(second.Writes);
        Assert.Equal(0, _w.Balance(_w.Alice));
        Assert.Contains("is not an account id", _w.Fail(_w.Bob, "BalanceOf", "alice"), StringComparison.Ordinal);
        Assert.Contains("is not an account id", _w.Fail(_w.Bob, "BalanceOf", "Org1MSP:" + new string('A', 40)), StringComparison.Ordinal);
    }

    [Fact]
    public void Any_submitting_call_opens_the_callers_account()
    {
        _w.Fund();
        Assert.Contains("unknown account", _w.Fail(_w.Alice, "BalanceOf", _w.Dave.Account), StringComparison.Ordinal);
        _w.Ok(_w.Dave, "Approve", _w.Alice.Account, "5");
        Assert.Equal(0, _w.Balance(_w.Dave));
        _w.Ok(_w.Alice, "Transfer", _w.Dave.Account, "10", "welcome");
        Assert.Equal(10, _w.Balance(_w.Dave));
    }

    [Fact]
    public void Unknown_function_is_reported()
    {
        _w.Initialize();
        Assert.Contains("function that does not exist: Steal", _w.Fail(_w.Alice, "Steal"), StringComparison.Ordinal);
        _w.Ok(_w.Alice, "ZonCoin:OpenAccount");
    }
}
