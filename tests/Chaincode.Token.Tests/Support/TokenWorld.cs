using System.Globalization;
using System.Text.Json;
using ZonCoin.Chaincode.Contracts;

namespace ZonCoin.Chaincode.Token.Tests.Support;

/// <summary>A ledger with the ZonCoin contract and identities of the issuer org and two customer orgs.</summary>
internal sealed class TokenWorld : IDisposable
{
    public const string IssuerMsp = "ZonMSP";

    private readonly TestOrg _issuer = new(IssuerMsp);
    private readonly TestOrg _org1 = new("Org1MSP");
    private readonly TestOrg _org2 = new("Org2MSP");
    private readonly ContractChaincode _chaincode = new(new ZonCoinContract());

    public TokenWorld()
    {
        Minter = _issuer.User("minter1", attributes: new Dictionary<string, string> { ["role"] = "minter" });
        FlagMinter = _issuer.User("minter2", attributes: new Dictionary<string, string> { ["zoncoin.minter"] = "true" });
        Admin = _issuer.User("Admin@zon", ou: "admin");
        IssuerClient = _issuer.User("clerk", attributes: new Dictionary<string, string> { ["role"] = "auditor" });
        ForeignMinter = _org1.User("fake-minter", attributes: new Dictionary<string, string> { ["role"] = "minter" });
        Alice = _org1.User("alice");
        Bob = _org1.User("bob");
        Carol = _org2.User("carol");
        Dave = _org2.User("dave");
    }

    /// <summary>Committed state; each call runs one transaction that commits only when it succeeds.</summary>
    public InMemoryLedger Ledger { get; } = new() { ChannelId = "zoncoin", ChaincodeName = "zoncoin" };

    public TestUser Minter { get; }

    public TestUser FlagMinter { get; }

    public TestUser Admin { get; }

    public TestUser IssuerClient { get; }

    public TestUser ForeignMinter { get; }

    public TestUser Alice { get; }

    public TestUser Bob { get; }

    public TestUser Carol { get; }

    /// <summary>Never opens an account unless a test does.</summary>
    public TestUser Dave { get; }

    public TransactionResult Call(TestUser user, string function, params string[] args)
    {
        ArgumentNullException.ThrowIfNull(user);
        return Ledger.SubmitAsync(_chaincode, user.Creator, function, args).GetAwaiter().GetResult();
    }

    public string Ok(TestUser user, string function, params string[] args)
    {
        var result = Call(user, function, args);
        Assert.True(result.Ok, $"{user} {function}({string.Join(", ", args)}): {result}");
        return result.Text;
    }

    /// <summary>Calls a function that must fail, checks it changed nothing, and returns the error message.</summary>
    public string Fail(TestUser user, string function, params string[] args)
    {
        var before = Ledger.Snapshot();
        var result = Call(user, function, args);
        Assert.False(result.Ok, $"{user} {function}({string.Join(", ", args)}) should fail but returned {result.Text}");
        Assert.Equal(before, Ledger.Snapshot());
        return result.Message;
    }

    public void Initialize(string basisPoints = "150") => Ok(Minter, "Initialize", "ZonCoin", "ZON", "2", IssuerMsp, basisPoints);

    /// <summary>Initializes, opens the accounts of Alice, Bob and Carol and mints them 1000 each.</summary>
    public void Fund()
    {
        Initialize();
        foreach (var user in new[] { Alice, Bob, Carol })
        {
            Ok(user, "OpenAccount");
            Ok(Minter, "Mint", user.Account, "1000", "seed");
        }
    }

    public long Balance(TestUser user) => Balance(user.Account);

    public long Balance(string account) => long.Parse(Ok(Alice, "BalanceOf", account), CultureInfo.InvariantCulture);

    public long Supply() => long.Parse(Ok(Alice, "TotalSupply"), CultureInfo.InvariantCulture);

    public static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();

    public void Dispose()
    {
        _issuer.Dispose();
        _org1.Dispose();
        _org2.Dispose();
    }
}
