using ZonCoin.Chaincode.Shim;
using ZonCoin.Chaincode.Token.Tests.Support;

namespace ZonCoin.Chaincode.Token.Tests;

public sealed class RewardAndMintTests : IDisposable
{
    private readonly TokenWorld _w = new();

    public RewardAndMintTests() => _w.Initialize("150");

    public void Dispose() => _w.Dispose();

    [Fact]
    public void RewardUsage_mints_floor_of_billed_times_basis_points_and_opens_the_account()
    {
        // 12345 cents at 150 bp = 185.175 -> 185
        var result = _w.Call(_w.Minter, "RewardUsage", _w.Dave.Account, "usage-2026-10-dave", "12345", "2026-10");
        Assert.True(result.Ok, result.ToString());
        Assert.Equal("185", result.Text);
        Assert.Equal(185, _w.Balance(_w.Dave));
        Assert.Equal(185, _w.Supply());
        Assert.Equal("Reward", result.EventName);
        var payload = TokenWorld.Parse(result.EventJson);
        Assert.Equal(_w.Dave.Account, payload.GetProperty("account").GetString());
        Assert.Equal("usage-2026-10-dave", payload.GetProperty("usageReportId").GetString());
        Assert.Equal("12345", payload.GetProperty("billedAmountCents").GetString());
        Assert.Equal("2026-10", payload.GetProperty("period").GetString());
        Assert.Equal("185", payload.GetProperty("amount").GetString());
        // Dave's account now exists and holds the reward; the minter's own account was not opened by rewarding.
        _w.Ok(_w.Alice, "OpenAccount");
        _w.Ok(_w.Dave, "Transfer", _w.Alice.Account, "5", "");
        Assert.Contains($"unknown account {_w.Minter.Account}", _w.Fail(_w.Dave, "Transfer", _w.Minter.Account, "5", ""), StringComparison.Ordinal);
    }

    [Fact]
    public void A_usage_report_is_rewarded_once()
    {
        _w.Ok(_w.Minter, "RewardUsage", _w.Alice.Account, "u-1", "10000", "2026-10");
        var message = _w.Fail(_w.FlagMinter, "RewardUsage", _w.Alice.Account, "u-1", "10000", "2026-10");
        Assert.Contains("usage report u-1 was already rewarded", message, StringComparison.Ordinal);
        Assert.Equal("usage report u-1 was already rewarded in transaction tx000002", _w.Fail(_w.Minter, "RewardUsage", _w.Bob.Account, "u-1", "99999", "2026-11"));
        Assert.Equal(150, _w.Balance(_w.Alice));
        Assert.Equal(150, _w.Supply());
    }

    [Fact]
    public void RewardUsage_validates_its_arguments()
    {
        Assert.Contains("is zero", _w.Fail(_w.Minter, "RewardUsage", _w.Alice.Account, "u-1", "66", "2026-10"), StringComparison.Ordinal);
        Assert.Contains("billedAmountCents must be positive", _w.Fail(_w.Minter, "RewardUsage", _w.Alice.Account, "u-1", "0", "2026-10"), StringComparison.Ordinal);
        Assert.Contains("billedAmountCents must not be negative", _w.Fail(_w.Minter, "RewardUsage", _w.Alice.Account, "u-1", "-100", "2026-10"), StringComparison.Ordinal);
        Assert.Contains("must be an unsigned decimal integer", _w.Fail(_w.Minter, "RewardUsage", _w.Alice.Account, "u-1", "100.00", "2026-10"), StringComparison.Ordinal);
        Assert.Contains("period must not be empty", _w.Fail(_w.Minter, "RewardUsage", _w.Alice.Account, "u-1", "100", " "), StringComparison.Ordinal);
        Assert.Contains("usageReportId '' is not valid", _w.Fail(_w.Minter, "RewardUsage", _w.Alice.Account, "", "100", "2026-10"), StringComparison.Ordinal);
        Assert.Contains("is not an account id", _w.Fail(_w.Minter, "RewardUsage", "alice", "u-1", "100", "2026-10"), StringComparison.Ordinal);
        // The largest billed amount still fits: the product is computed in 128 bits.
        Assert.Equal("138350580552821637", _w.Ok(_w.Minter, "RewardUsage", _w.Alice.Account, "u-max", long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture), "2026-10"));
    }

    [Fact]
    public void Only_issuer_minters_and_admins_may_reward_mint_and_burn()
    {
        foreach (var outsider in new[] { _w.Alice, _w.ForeignMinter, _w.IssuerClient })
        {
            Assert.Contains("RewardUsage needs a minter of the issuer org ZonMSP", _w.Fail(outsider, "RewardUsage", _w.Alice.Account, "u-x", "1000", "2026-10"), StringComparison.Ordinal);
            Assert.Contains("Mint needs a minter", _w.Fail(outsider, "Mint", _w.Alice.Account, "10", ""), StringComparison.Ordinal);
            Assert.Contains("Burn needs a minter", _w.Fail(outsider, "Burn", "1", ""), StringComparison.Ordinal);
        }
        _w.Ok(_w.Minter, "RewardUsage", _w.Alice.Account, "u-1", "1000", "2026-10");
        _w.Ok(_w.FlagMinter, "RewardUsage", _w.Alice.Account, "u-2", "1000", "2026-10");
        _w.Ok(_w.Admin, "RewardUsage", _w.Alice.Account, "u-3", "1000", "2026-10");
        Assert.Equal(45, _w.Balance(_w.Alice));
    }

    [Fact]
    public void Mint_and_Burn_change_the_supply()
    {
        var mint = _w.Call(_w.Minter, "Mint", _w.Minter.Account, "500", "treasury");
        Assert.True(mint.Ok, mint.ToString());
        Assert.Equal("Mint", mint.EventName);
        Assert.Equal("treasury", TokenWorld.Parse(mint.EventJson).GetProperty("reason").GetString());
        Assert.Equal(500, _w.Supply());
        var burn = _w.Call(_w.Minter, "Burn", "200", "buyback");
        Assert.True(burn.Ok, burn.ToString());
        Assert.Equal("Burn", burn.EventName);
        Assert.Equal(_w.Minter.Account, TokenWorld.Parse(burn.EventJson).GetProperty("account").GetString());
        Assert.Equal(300, _w.Supply());
        Assert.Equal(300, _w.Balance(_w.Minter));
        Assert.Equal($"insufficient funds: account {_w.Minter.Account} has 300, needs 301", _w.Fail(_w.Minter, "Burn", "301", ""));
        Assert.Contains("amount must be positive", _w.Fail(_w.Minter, "Mint", _w.Alice.Account, "0", ""), StringComparison.Ordinal);
        Assert.Contains("amount must be positive", _w.Fail(_w.Minter, "Burn", "0", ""), StringComparison.Ordinal);
        Assert.Contains("is not an account id", _w.Fail(_w.Minter, "Mint", "nobody", "1", ""), StringComparison.Ordinal);
        // Burning from an empty account of another minter fails.
        Assert.Contains("insufficient funds", _w.Fail(_w.FlagMinter, "Burn", "1", ""), StringComparison.Ordinal);
    }

    [Fact]
    public void Two_rewards_to_different_customers_write_disjoint_keys_and_share_no_read_but_the_immutable_config()
    {
        _w.Ok(_w.Alice, "OpenAccount");
        _w.Ok(_w.Minter, "Mint", _w.Minter.Account, "1000", "issuer float");
        _w.Ok(_w.Minter, "RewardUsage", _w.Alice.Account, "u-0", "1000", "2026-09");
        _w.Ok(_w.Minter, "RewardUsage", _w.Bob.Account, "u-00", "1000", "2026-09");

        var first = _w.Call(_w.Minter, "RewardUsage", _w.Alice.Account, "u-1", "1000", "2026-10");
        var second = _w.Call(_w.Minter, "RewardUsage", _w.Bob.Account, "u-2", "2000", "2026-10");
        Assert.True(first.Ok && second.Ok, $"{first} / {second}");

        Assert.Empty(first.Writes.Keys.Intersect(second.Writes.Keys));
        var configKey = CompositeKeys.Create("zon~config");
        Assert.Equal([configKey], first.Reads.Intersect(second.Reads));
        Assert.Empty(first.RangeReads);
        Assert.Empty(second.RangeReads);
        Assert.DoesNotContain(second.Writes.Keys, first.ReadCovers);
        Assert.DoesNotContain(first.Writes.Keys, second.ReadCovers);
        // Neither reads the supply, the issuer's (the caller's) account or balance, nor the customers' balances.
        foreach (var reward in new[] { first, second })
        {
            Assert.DoesNotContain(reward.Reads, k => k.Contains("supply~delta", StringComparison.Ordinal) || k.Contains("zon~balance", StringComparison.Ordinal)
                || k.Contains(_w.Minter.Account, StringComparison.Ordinal));
            Assert.DoesNotContain(reward.Writes.Keys, k => k.Contains(_w.Minter.Account, StringComparison.Ordinal));
        }
        Assert.Contains(CompositeKeys.Create("supply~delta", first.TxId), first.Writes.Keys);
        Assert.Contains(CompositeKeys.Create("zon~credit", _w.Alice.Account, first.TxId), first.Writes.Keys);
    }

    [Fact]
    public void A_debit_reads_the_range_a_concurrent_credit_writes_into()
    {
        _w.Ok(_w.Minter, "RewardUsage", _w.Alice.Account, "u-1", "100000", "2026-10");
        _w.Ok(_w.Bob, "OpenAccount");
        // Endorse a transfer from Alice and a reward to Alice against the same committed state.
        var snapshot = new Dictionary<string, byte[]>(_w.Ledger.State, StringComparer.Ordinal);
        var debit = _w.Call(_w.Alice, "Transfer", _w.Bob.Account, "1", "");
        _w.Ledger.State.Clear();
        foreach (var (key, value) in snapshot)
        {
            _w.Ledger.State[key] = value;
        }
        var credit = _w.Call(_w.Minter, "RewardUsage", _w.Alice.Account, "u-2", "1000", "2026-10");
        Assert.True(debit.Ok && credit.Ok, $"{debit} / {credit}");
        var creditKey = CompositeKeys.Create("zon~credit", _w.Alice.Account, credit.TxId);
        Assert.Contains(creditKey, credit.Writes.Keys);
        // The phantom check would invalidate whichever of the two commits second.
        Assert.True(debit.ReadCovers(creditKey));
    }
}
