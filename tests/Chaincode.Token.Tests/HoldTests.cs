using ZonCoin.Chaincode.Token.Tests.Support;

namespace ZonCoin.Chaincode.Token.Tests;

public sealed class HoldTests : IDisposable
{
    private const string Expiry = "2026-11-25T12:00:00Z";
    private readonly TokenWorld _w = new();

    public HoldTests() => _w.Fund();

    public void Dispose() => _w.Dispose();

    private TransactionResult HoldFromAlice(string holdId = "h1", string amount = "400") =>
        _w.Call(_w.Alice, "Hold", holdId, _w.Bob.Account, _w.Carol.Account, amount, Expiry, "shipment SH-42");

    [Fact]
    public void Hold_moves_funds_into_escrow()
    {
        var result = HoldFromAlice();
        Assert.True(result.Ok, result.ToString());
        Assert.Equal("HoldCreated", result.EventName);
        Assert.Equal(600, _w.Balance(_w.Alice));
        Assert.Equal(1000, _w.Balance(_w.Bob));
        Assert.Equal(3000, _w.Supply());
        var hold = TokenWorld.Parse(_w.Ok(_w.Dave, "GetHold", "h1"));
        Assert.Equal("open", hold.GetProperty("status").GetString());
        Assert.Equal(_w.Alice.Account, hold.GetProperty("payer").GetString());
        Assert.Equal(_w.Bob.Account, hold.GetProperty("payee").GetString());
        Assert.Equal(_w.Carol.Account, hold.GetProperty("notary").GetString());
        Assert.Equal("400", hold.GetProperty("amount").GetString());
        Assert.Equal(Expiry, hold.GetProperty("expiresAt").GetString());
        Assert.Equal("shipment SH-42", hold.GetProperty("reference").GetString());
    }

    [Fact]
    public void Notary_executes_in_full()
    {
        HoldFromAlice();
        var result = _w.Call(_w.Carol, "ExecuteHold", "h1", "400");
        Assert.True(result.Ok, result.ToString());
        Assert.Equal("HoldExecuted", result.EventName);
        Assert.Equal(600, _w.Balance(_w.Alice));
        Assert.Equal(1400, _w.Balance(_w.Bob));
        Assert.Equal(1000, _w.Balance(_w.Carol));
        var hold = TokenWorld.Parse(_w.Ok(_w.Dave, "GetHold", "h1"));
        Assert.Equal("executed", hold.GetProperty("status").GetString());
        Assert.Equal("400", hold.GetProperty("executedAmount").GetString());
        Assert.Equal("0", hold.GetProperty("returnedAmount").GetString());
        Assert.Contains("hold h1 is already executed", _w.Fail(_w.Carol, "ExecuteHold", "h1", "1"), StringComparison.Ordinal);
        Assert.Contains("hold h1 is already executed", _w.Fail(_w.Carol, "ReleaseHold", "h1"), StringComparison.Ordinal);
    }

    [Fact]
    public void Notary_executes_in_part_and_the_rest_returns_to_the_payer()
    {
        HoldFromAlice();
        _w.Ok(_w.Carol, "ExecuteHold", "h1", "150");
        Assert.Equal(850, _w.Balance(_w.Alice));
        Assert.Equal(1150, _w.Balance(_w.Bob));
        Assert.Equal(3000, _w.Supply());
        var hold = TokenWorld.Parse(_w.Ok(_w.Dave, "GetHold", "h1"));
        Assert.Equal("150", hold.GetProperty("executedAmount").GetString());
        Assert.Equal("250", hold.GetProperty("returnedAmount").GetString());
    }

    [Fact]
    public void ExecuteHold_is_for_the_notary_within_the_held_amount_before_expiry()
    {
        HoldFromAlice();
        Assert.Contains("only the notary", _w.Fail(_w.Bob, "ExecuteHold", "h1", "100"), StringComparison.Ordinal);
        Assert.Contains("only the notary", _w.Fail(_w.Alice, "ExecuteHold", "h1", "100"), StringComparison.Ordinal);
        Assert.Contains("amount 401 exceeds the 400 held by hold h1", _w.Fail(_w.Carol, "ExecuteHold", "h1", "401"), StringComparison.Ordinal);
        Assert.Contains("amount must be positive", _w.Fail(_w.Carol, "ExecuteHold", "h1", "0"), StringComparison.Ordinal);
        Assert.Contains("unknown hold h2", _w.Fail(_w.Carol, "ExecuteHold", "h2", "1"), StringComparison.Ordinal);
        _w.Ledger.Now = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal("hold h1 expired at 2026-11-25T12:00:00Z", _w.Fail(_w.Carol, "ExecuteHold", "h1", "100"));
    }

    [Fact]
    public void Payee_or_notary_may_release_before_expiry_anyone_after()
    {
        HoldFromAlice("h1");
        HoldFromAlice("h2", "100");
        HoldFromAlice("h3", "50");
        Assert.Equal(450, _w.Balance(_w.Alice));
        Assert.Contains("only the payee or the notary may release hold h1 before it expires at 2026-11-25T12:00:00Z", _w.Fail(_w.Alice, "ReleaseHold", "h1"), StringComparison.Ordinal);
        Assert.Contains("only the payee or the notary", _w.Fail(_w.Dave, "ReleaseHold", "h1"), StringComparison.Ordinal);

        var released = _w.Call(_w.Bob, "ReleaseHold", "h1");
        Assert.True(released.Ok, released.ToString());
        Assert.Equal("HoldReleased", released.EventName);
        _w.Ok(_w.Carol, "ReleaseHold", "h2");
        Assert.Equal(950, _w.Balance(_w.Alice));

        _w.Ledger.Now = new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero);
        _w.Ok(_w.Dave, "ReleaseHold", "h3");
        Assert.Equal(1000, _w.Balance(_w.Alice));
        Assert.Equal(1000, _w.Balance(_w.Bob));
        var hold = TokenWorld.Parse(_w.Ok(_w.Dave, "GetHold", "h3"));
        Assert.Equal("released", hold.GetProperty("status").GetString());
        Assert.Equal(_w.Dave.Account, hold.GetProperty("closedBy").GetString());
        Assert.Contains("hold h3 is already released", _w.Fail(_w.Carol, "ExecuteHold", "h3", "1"), StringComparison.Ordinal);
        Assert.Contains("unknown hold nope", _w.Fail(_w.Carol, "GetHold", "nope"), StringComparison.Ordinal);
    }

    [Fact]
    public void Hold_validates_its_arguments()
    {
        var (bob, carol) = (_w.Bob.Account, _w.Carol.Account);
        Assert.Contains("bad time format for expiresAt: 'tomorrow'", _w.Fail(_w.Alice, "Hold", "h1", bob, carol, "1", "tomorrow", ""), StringComparison.Ordinal);
        Assert.Contains("bad time format", _w.Fail(_w.Alice, "Hold", "h1", bob, carol, "1", "2026-11-25 12:00:00", ""), StringComparison.Ordinal);
        Assert.Contains("bad time format", _w.Fail(_w.Alice, "Hold", "h1", bob, carol, "1", "2026-11-25T12:00:00+01:00", ""), StringComparison.Ordinal);
        Assert.Contains("is not after the transaction time 2026-11-21T12:00:00Z", _w.Fail(_w.Alice, "Hold", "h1", bob, carol, "1", "2026-11-21T12:00:00Z", ""), StringComparison.Ordinal);
        Assert.Contains("self-transfer", _w.Fail(_w.Alice, "Hold", "h1", _w.Alice.Account, carol, "1", Expiry, ""), StringComparison.Ordinal);
        Assert.Contains($"unknown account {_w.Dave.Account}", _w.Fail(_w.Alice, "Hold", "h1", _w.Dave.Account, carol, "1", Expiry, ""), StringComparison.Ordinal);
        Assert.Contains($"unknown account {_w.Dave.Account}", _w.Fail(_w.Alice, "Hold", "h1", bob, _w.Dave.Account, "1", Expiry, ""), StringComparison.Ordinal);
        Assert.Contains("amount must be positive", _w.Fail(_w.Alice, "Hold", "h1", bob, carol, "0", Expiry, ""), StringComparison.Ordinal);
        Assert.Contains("amount must not be negative", _w.Fail(_w.Alice, "Hold", "h1", bob, carol, "-3", Expiry, ""), StringComparison.Ordinal);
        Assert.Contains("holdId '' is not valid", _w.Fail(_w.Alice, "Hold", "", bob, carol, "1", Expiry, ""), StringComparison.Ordinal);
        Assert.Equal($"insufficient funds: account {_w.Alice.Account} has 1000, needs 1001", _w.Fail(_w.Alice, "Hold", "h1", bob, carol, "1001", Expiry, ""));
        HoldFromAlice();
        Assert.Contains("hold h1 already exists", _w.Fail(_w.Alice, "Hold", "h1", bob, carol, "1", Expiry, ""), StringComparison.Ordinal);
        // A fractional second is accepted.
        _w.Ok(_w.Alice, "Hold", "h2", bob, carol, "1", "2026-11-25T12:00:00.5Z", "");
        Assert.Equal("2026-11-25T12:00:00.5Z", TokenWorld.Parse(_w.Ok(_w.Alice, "GetHold", "h2")).GetProperty("expiresAt").GetString());
    }
}
