using ZonCoin.Chaincode.Token.Tests.Support;

namespace ZonCoin.Chaincode.Token.Tests;

public sealed class TransferTests : IDisposable
{
    private readonly TokenWorld _w = new();

    public TransferTests() => _w.Fund();

    public void Dispose() => _w.Dispose();

    [Fact]
    public void Transfer_moves_funds_and_emits_Transfer()
    {
        var result = _w.Call(_w.Alice, "Transfer", _w.Bob.Account, "250", "lunch");
        Assert.True(result.Ok, result.ToString());
        Assert.Equal(result.TxId, result.Text);
        Assert.Equal(750, _w.Balance(_w.Alice));
        Assert.Equal(1250, _w.Balance(_w.Bob));
        Assert.Equal(3000, _w.Supply());
        Assert.Equal("Transfer", result.EventName);
        var payload = TokenWorld.Parse(result.EventJson);
        Assert.Equal(_w.Alice.Account, payload.GetProperty("from").GetString());
        Assert.Equal(_w.Bob.Account, payload.GetProperty("to").GetString());
        Assert.Equal("250", payload.GetProperty("amount").GetString());
        Assert.Equal("lunch", payload.GetProperty("memo").GetString());
    }

    [Fact]
    public void Transfer_events_have_the_same_fields_in_order_and_a_spender_only_from_TransferFrom()
    {
        var direct = _w.Call(_w.Alice, "Transfer", _w.Bob.Account, "5", "m");
        Assert.Equal($"{{\"from\":\"{_w.Alice.Account}\",\"to\":\"{_w.Bob.Account}\",\"amount\":\"5\",\"memo\":\"m\",\"txId\":\"{direct.TxId}\"}}", direct.EventJson);

        _w.Ok(_w.Alice, "Approve", _w.Carol.Account, "10");
        var spent = _w.Call(_w.Carol, "TransferFrom", _w.Alice.Account, _w.Bob.Account, "3");

        Assert.True(spent.Ok, spent.ToString());
        Assert.Equal(
            $"{{\"from\":\"{_w.Alice.Account}\",\"to\":\"{_w.Bob.Account}\",\"amount\":\"3\",\"memo\":\"\",\"spender\":\"{_w.Carol.Account}\",\"txId\":\"{spent.TxId}\"}}",
            spent.EventJson);
    }

    [Fact]
    public void Debits_consolidate_credit_entries_into_the_base_balance()
    {
        _w.Ok(_w.Bob, "Transfer", _w.Alice.Account, "1", "");
        _w.Ok(_w.Carol, "Transfer", _w.Alice.Account, "2", "");
        var credits = _w.Ledger.State.Keys.Count(k => k.StartsWith("\0zon~credit\0" + _w.Alice.Account + "\0", StringComparison.Ordinal));
        Assert.Equal(3, credits);
        _w.Ok(_w.Alice, "Transfer", _w.Bob.Account, "1003", "all of it");
        Assert.Equal(0, _w.Ledger.State.Keys.Count(k => k.StartsWith("\0zon~credit\0" + _w.Alice.Account + "\0", StringComparison.Ordinal)));
        Assert.Equal(0, _w.Balance(_w.Alice));
        Assert.Equal(3000, _w.Supply());
    }

    [Fact]
    public void Transfer_validates_amount_recipient_and_funds()
    {
        var bob = _w.Bob.Account;
        Assert.Contains("amount must be positive, got 0", _w.Fail(_w.Alice, "Transfer", bob, "0", ""), StringComparison.Ordinal);
        Assert.Contains("amount must not be negative, got -5", _w.Fail(_w.Alice, "Transfer", bob, "-5", ""), StringComparison.Ordinal);
        Assert.Contains("must be an unsigned decimal integer", _w.Fail(_w.Alice, "Transfer", bob, "1.5", ""), StringComparison.Ordinal);
        Assert.Contains("must be an unsigned decimal integer", _w.Fail(_w.Alice, "Transfer", bob, "+5", ""), StringComparison.Ordinal);
        Assert.Contains("must be an unsigned decimal integer", _w.Fail(_w.Alice, "Transfer", bob, "1e3", ""), StringComparison.Ordinal);
        Assert.Contains("must be an unsigned decimal integer", _w.Fail(_w.Alice, "Transfer", bob, " 5", ""), StringComparison.Ordinal);
        Assert.Contains("amount is missing", _w.Fail(_w.Alice, "Transfer", bob, "", ""), StringComparison.Ordinal);
        Assert.Contains("is too large", _w.Fail(_w.Alice, "Transfer", bob, "9223372036854775808", ""), StringComparison.Ordinal);
        Assert.Contains("self-transfer", _w.Fail(_w.Alice, "Transfer", _w.Alice.Account, "1", ""), StringComparison.Ordinal);
        Assert.Contains($"unknown account {_w.Dave.Account}", _w.Fail(_w.Alice, "Transfer", _w.Dave.Account, "1", ""), StringComparison.Ordinal);
        Assert.Contains("is not an account id", _w.Fail(_w.Alice, "Transfer", "bob", "1", ""), StringComparison.Ordinal);
        Assert.Equal($"insufficient funds: account {_w.Alice.Account} has 1000, needs 1001", _w.Fail(_w.Alice, "Transfer", bob, "1001", ""));
        Assert.Contains("memo must not contain control characters", _w.Fail(_w.Alice, "Transfer", bob, "1", "a\nb"), StringComparison.Ordinal);
        Assert.Contains("memo is too long", _w.Fail(_w.Alice, "Transfer", bob, "1", new string('m', 1025)), StringComparison.Ordinal);
        Assert.Contains("Expected 3 parameters", _w.Fail(_w.Alice, "Transfer", bob, "1"), StringComparison.Ordinal);
        Assert.Equal(1000, _w.Balance(_w.Alice));
    }

    [Fact]
    public void Approve_Allowance_and_TransferFrom()
    {
        var approval = _w.Call(_w.Alice, "Approve", _w.Bob.Account, "300");
        Assert.True(approval.Ok, approval.ToString());
        Assert.Equal("Approval", approval.EventName);
        Assert.Equal("300", TokenWorld.Parse(approval.EventJson).GetProperty("amount").GetString());
        Assert.Equal("300", _w.Ok(_w.Carol, "Allowance", _w.Alice.Account, _w.Bob.Account));
        Assert.Equal("0", _w.Ok(_w.Carol, "Allowance", _w.Bob.Account, _w.Alice.Account));

        var moved = _w.Call(_w.Bob, "TransferFrom", _w.Alice.Account, _w.Carol.Account, "120");
        Assert.True(moved.Ok, moved.ToString());
        Assert.Equal("Transfer", moved.EventName);
        Assert.Equal(_w.Bob.Account, TokenWorld.Parse(moved.EventJson).GetProperty("spender").GetString());
        Assert.Equal(880, _w.Balance(_w.Alice));
        Assert.Equal(1120, _w.Balance(_w.Carol));
        Assert.Equal(1000, _w.Balance(_w.Bob));
        Assert.Equal("180", _w.Ok(_w.Carol, "Allowance", _w.Alice.Account, _w.Bob.Account));

        Assert.Equal($"insufficient allowance: {_w.Bob.Account} may take 180 from {_w.Alice.Account}, needs 181",
            _w.Fail(_w.Bob, "TransferFrom", _w.Alice.Account, _w.Carol.Account, "181"));
        _w.Ok(_w.Bob, "TransferFrom", _w.Alice.Account, _w.Bob.Account, "180");
        Assert.Equal("0", _w.Ok(_w.Carol, "Allowance", _w.Alice.Account, _w.Bob.Account));
        Assert.Contains("insufficient allowance", _w.Fail(_w.Bob, "TransferFrom", _w.Alice.Account, _w.Carol.Account, "1"), StringComparison.Ordinal);
        Assert.Equal(3000, _w.Supply());
    }

    [Fact]
    public void Approve_zero_revokes_and_TransferFrom_is_bounded_by_the_owners_funds()
    {
        _w.Ok(_w.Alice, "Approve", _w.Bob.Account, "5000");
        Assert.Equal($"insufficient funds: account {_w.Alice.Account} has 1000, needs 2000",
            _w.Fail(_w.Bob, "TransferFrom", _w.Alice.Account, _w.Carol.Account, "2000"));
        _w.Ok(_w.Alice, "Approve", _w.Bob.Account, "0");
        Assert.Equal("0", _w.Ok(_w.Carol, "Allowance", _w.Alice.Account, _w.Bob.Account));
        Assert.Contains("insufficient allowance", _w.Fail(_w.Bob, "TransferFrom", _w.Alice.Account, _w.Carol.Account, "1"), StringComparison.Ordinal);
    }

    [Fact]
    public void Approve_and_TransferFrom_validate_their_arguments()
    {
        Assert.Contains("cannot approve itself", _w.Fail(_w.Alice, "Approve", _w.Alice.Account, "1"), StringComparison.Ordinal);
        Assert.Contains($"unknown account {_w.Dave.Account}", _w.Fail(_w.Alice, "Approve", _w.Dave.Account, "1"), StringComparison.Ordinal);
        Assert.Contains("amount must not be negative", _w.Fail(_w.Alice, "Approve", _w.Bob.Account, "-1"), StringComparison.Ordinal);
        Assert.Contains("is not an account id", _w.Fail(_w.Alice, "Allowance", "x", _w.Bob.Account), StringComparison.Ordinal);
        _w.Ok(_w.Alice, "Approve", _w.Bob.Account, "100");
        Assert.Contains("self-transfer", _w.Fail(_w.Bob, "TransferFrom", _w.Alice.Account, _w.Alice.Account, "1"), StringComparison.Ordinal);
        Assert.Contains("use Transfer", _w.Fail(_w.Alice, "TransferFrom", _w.Alice.Account, _w.Bob.Account, "1"), StringComparison.Ordinal);
        Assert.Contains($"unknown account {_w.Dave.Account}", _w.Fail(_w.Bob, "TransferFrom", _w.Alice.Account, _w.Dave.Account, "1"), StringComparison.Ordinal);
        Assert.Contains($"unknown account {_w.Dave.Account}", _w.Fail(_w.Bob, "TransferFrom", _w.Dave.Account, _w.Carol.Account, "1"), StringComparison.Ordinal);
        Assert.Contains("amount must be positive", _w.Fail(_w.Bob, "TransferFrom", _w.Alice.Account, _w.Carol.Account, "0"), StringComparison.Ordinal);
    }
}
