using System.Globalization;
using System.Text;
using System.Text.Json;
using ZonCoin.Chaincode.Shim;
using ZonCoin.Chaincode.Token.Tests.Support;

namespace ZonCoin.Chaincode.Token.Tests;

/// <summary>
/// A seeded random sequence of calls by several identities, valid and invalid. After every transaction: the total
/// supply equals the sum of balances plus the open holds, every balance moved exactly as the call implies, a failed
/// call changed nothing, and nothing but Initialize wrote the config.
/// </summary>
public sealed class InvariantTests : IDisposable
{
    private static readonly string UnknownAccount = "Org9MSP:" + new string('0', 40);
    private readonly TokenWorld _w = new();

    public void Dispose() => _w.Dispose();

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(2026)]
    public void Supply_equals_balances_plus_open_holds_after_every_transaction(int seed)
    {
        var random = new Random(seed);
        _w.Initialize("250");
        var users = new[] { _w.Minter, _w.FlagMinter, _w.Admin, _w.IssuerClient, _w.ForeignMinter, _w.Alice, _w.Bob, _w.Carol, _w.Dave };
        var minters = new[] { _w.Minter, _w.FlagMinter, _w.Admin };
        var targets = users.Select(u => u.Account).Append(UnknownAccount).Append("not-an-account").ToArray();
        var offers = new[] { "gpu", "plan", "mug" };
        var holdIds = new List<string>();
        var successes = new Dictionary<string, int>(StringComparer.Ordinal);
        var failures = 0;
        var byAccount = users.ToDictionary(u => u.Account, StringComparer.Ordinal);
        var approvals = new List<(TestUser Owner, TestUser Spender)>();
        string Amount(int max) => random.Next(15) switch
        {
            0 => "0",
            1 => "-" + random.Next(1, 50).ToString(CultureInfo.InvariantCulture),
            2 => "1.5",
            _ => random.Next(1, max).ToString(CultureInfo.InvariantCulture),
        };
        T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

        var caller = _w.Alice;
        string[] opened = [];
        var current = Balances();
        string Target() => opened.Length > 0 && random.Next(4) != 0 ? Pick(opened) : Pick(targets);

        for (var step = 0; step < 600; step++)
        {
            _w.Ledger.Now = _w.Ledger.Now.AddMinutes(random.Next(0, 60));
            caller = random.Next(4) == 0 ? Pick(minters) : Pick(users);
            opened = [.. current.Keys];
            var (function, args) = random.Next(13) switch
            {
                0 => ("OpenAccount", Array.Empty<string>()),
                1 or 2 => ("Transfer", new[] { Target(), Amount(400), "memo" }),
                3 => ("Approve", new[] { Target(), Amount(600) }),
                4 when approvals.Count > 0 && random.Next(4) != 0 => TransferFromApproval(),
                4 => ("TransferFrom", new[] { Target(), Target(), Amount(300) }),
                5 or 6 => ("RewardUsage", new[] { Target(), "u-" + random.Next(80).ToString(CultureInfo.InvariantCulture), Amount(200_000), "2026-11" }),
                7 => ("Mint", new[] { Target(), Amount(2000), "grant" }),
                8 => ("Burn", new[] { Amount(300), "burn" }),
                9 => random.Next(3) == 0 || step < 40
                    ? Upsert(new[] { Pick(offers), "offer", Pick(new[] { "compute-credit", "support", "catalog-item", "bogus" }), Amount(150), random.Next(6) == 0 ? "false" : "true" })
                    : Redeem(new[] { Pick(offers), Amount(4) }),
                10 => ("Hold", new[] { NewHoldId(holdIds, random), Target(), Target(), Amount(500), Inputs.FormatTime(_w.Ledger.Now.AddHours(random.Next(-2, 48))), "SH-" + step.ToString(CultureInfo.InvariantCulture) }),
                11 when OpenHoldIds().ToList() is { Count: > 0 } open && random.Next(4) != 0 => ExecuteAsNotary(Pick(open)),
                11 => ("ExecuteHold", new[] { holdIds.Count > 0 ? Pick(holdIds) : "none", Amount(500) }),
                _ when OpenHoldIds().ToList() is { Count: > 0 } open && random.Next(3) != 0 => ReleaseAsParty(Pick(open)),
                _ => ("ReleaseHold", new[] { holdIds.Count > 0 ? Pick(holdIds) : "none" }),
            };

            if (function == "Approve" && byAccount.TryGetValue(args[0], out var approved))
            {
                approvals.Add((caller, approved));
            }
            var before = _w.Ledger.Snapshot();
            var balancesBefore = current;
            var holdBefore = function is "ExecuteHold" or "ReleaseHold" ? ReadHold(args[0]) : default;
            var result = _w.Call(caller, function, args);
            var balancesAfter = current = Balances();
            if (result.Ok)
            {
                successes[function] = successes.GetValueOrDefault(function) + 1;
                Assert.DoesNotContain(CompositeKeys.Create("zon~config"), result.Writes.Keys);
                if (function == "OpenAccount")
                {
                    Assert.True(result.Event is null || result.EventName == "AccountOpened", result.EventName);
                }
                else
                {
                    Assert.Equal(Event(function), result.EventName);
                }
                var expected = ExpectedChanges(caller, function, args, result, holdBefore);
                foreach (var account in balancesAfter.Keys.Union(balancesBefore.Keys))
                {
                    var change = balancesAfter.GetValueOrDefault(account) - balancesBefore.GetValueOrDefault(account);
                    Assert.True(expected.GetValueOrDefault(account) == change, $"step {step} {caller} {function}({string.Join(", ", args)}): {account} changed by {change}, expected {expected.GetValueOrDefault(account)}");
                }
            }
            else
            {
                failures++;
                Assert.Equal(before, _w.Ledger.Snapshot());
                Assert.NotEmpty(result.Message);
            }
            Assert.All(balancesAfter.Values, b => Assert.True(b >= 0));
            var openHolds = OpenHolds().Sum();
            Assert.True(Supply() == balancesAfter.Values.Sum() + openHolds, $"step {step} {caller} {function}({string.Join(", ", args)}) -> {result}: supply {Supply()} != balances {balancesAfter.Values.Sum()} + holds {openHolds}");
        }

        Assert.True(failures >= 150, $"only {failures} failures");
        Assert.True(successes.Values.Sum() >= 200, $"only {successes.Values.Sum()} successes");
        foreach (var function in new[] { "Transfer", "Approve", "TransferFrom", "RewardUsage", "Mint", "Burn", "Redeem", "Hold", "ExecuteHold", "ReleaseHold" })
        {
            Assert.True(successes.GetValueOrDefault(function) >= 2, $"{function} succeeded {successes.GetValueOrDefault(function)} times: {string.Join(", ", successes)}");
        }
        Assert.True(Supply() > 0);

        (string, string[]) Upsert(string[] args)
        {
            caller = random.Next(4) == 0 ? caller : Pick(minters);
            return ("UpsertOffer", args);
        }

        (string, string[]) Redeem(string[] args)
        {
            var funded = current.Where(p => p.Value > 600 && byAccount.ContainsKey(p.Key)).Select(p => byAccount[p.Key]).ToList();
            caller = funded.Count > 0 && random.Next(4) != 0 ? Pick(funded) : caller;
            return ("Redeem", args);
        }

        (string, string[]) ReleaseAsParty(string holdId)
        {
            var hold = JsonDocument.Parse(_w.Ledger.State[CompositeKeys.Create("zon~hold", holdId)]).RootElement;
            var party = hold.GetProperty(random.Next(2) == 0 ? "payee" : "notary").GetString()!;
            caller = byAccount.TryGetValue(party, out var user) ? user : caller;
            return ("ReleaseHold", new[] { holdId });
        }

        (string, string[]) TransferFromApproval()
        {
            var (owner, spender) = Pick(approvals);
            caller = spender;
            return ("TransferFrom", new[] { owner.Account, Target(), Amount(300) });
        }

        (string, string[]) ExecuteAsNotary(string holdId)
        {
            var key = CompositeKeys.Create("zon~hold", holdId);
            if (_w.Ledger.State.TryGetValue(key, out var bytes)
                && byAccount.TryGetValue(JsonDocument.Parse(bytes).RootElement.GetProperty("notary").GetString()!, out var notary))
            {
                caller = notary;
                var held = long.Parse(JsonDocument.Parse(bytes).RootElement.GetProperty("amount").GetString()!, CultureInfo.InvariantCulture);
                return ("ExecuteHold", new[] { holdId, random.Next(1, (int)Math.Min(held + 2, int.MaxValue)).ToString(CultureInfo.InvariantCulture) });
            }
            return ("ExecuteHold", new[] { holdId, "1" });
        }
    }

    private static string Event(string function) => function switch
    {
        "Approve" => "Approval",
        "UpsertOffer" => "OfferUpserted",
        "TransferFrom" => "Transfer",
        "RewardUsage" => "Reward",
        "Redeem" => "Redeemed",
        "Hold" => "HoldCreated",
        "ExecuteHold" => "HoldExecuted",
        "ReleaseHold" => "HoldReleased",
        _ => function,
    };

    private static string NewHoldId(List<string> holdIds, Random random)
    {
        var id = "hold-" + random.Next(1000).ToString(CultureInfo.InvariantCulture);
        if (!holdIds.Contains(id))
        {
            holdIds.Add(id);
        }
        return id;
    }

    private Dictionary<string, long> ExpectedChanges(TestUser caller, string function, string[] args, TransactionResult result, (string Payer, string Payee, long Amount) hold)
    {
        var changes = new Dictionary<string, long>(StringComparer.Ordinal);
        void Add(string account, long amount) => changes[account] = changes.GetValueOrDefault(account) + amount;
        long Number(string text) => long.Parse(text, CultureInfo.InvariantCulture);
        switch (function)
        {
            case "Transfer":
                Add(caller.Account, -Number(args[1]));
                Add(args[0], Number(args[1]));
                break;
            case "TransferFrom":
                Add(args[0], -Number(args[2]));
                Add(args[1], Number(args[2]));
                break;
            case "RewardUsage":
                Assert.Equal(Number(args[2]) * 250 / 10_000, Number(result.Text));
                Add(args[0], Number(result.Text));
                break;
            case "Mint":
                Add(args[0], Number(args[1]));
                break;
            case "Burn":
                Add(caller.Account, -Number(args[0]));
                break;
            case "Redeem":
                Add(caller.Account, -Number(JsonDocument.Parse(result.Text).RootElement.GetProperty("amount").GetString()!));
                break;
            case "Hold":
                Add(caller.Account, -Number(args[3]));
                break;
            case "ExecuteHold":
                Add(hold.Payee, Number(args[1]));
                Add(hold.Payer, hold.Amount - Number(args[1]));
                break;
            case "ReleaseHold":
                Add(hold.Payer, hold.Amount);
                break;
        }
        return changes;
    }

    private (string Payer, string Payee, long Amount) ReadHold(string holdId)
    {
        var key = CompositeKeys.Create("zon~hold", holdId);
        if (!_w.Ledger.State.TryGetValue(key, out var bytes))
        {
            return ("", "", 0);
        }
        var hold = JsonDocument.Parse(bytes).RootElement;
        return (hold.GetProperty("payer").GetString()!, hold.GetProperty("payee").GetString()!, long.Parse(hold.GetProperty("amount").GetString()!, CultureInfo.InvariantCulture));
    }

    private long Supply() => _w.Supply();

    /// <summary>Every account's balance, read through the contract.</summary>
    private Dictionary<string, long> Balances()
    {
        var prefix = CompositeKeys.Create("zon~account");
        return _w.Ledger.State.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
            .Select(k => CompositeKeys.Split(k).Attributes[0])
            .ToDictionary(a => a, _w.Balance, StringComparer.Ordinal);
    }

    private IEnumerable<string> OpenHoldIds()
    {
        var prefix = CompositeKeys.Create("zon~hold");
        return _w.Ledger.State.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal)
                && JsonDocument.Parse(p.Value).RootElement.GetProperty("status").GetString() == "open")
            .Select(p => CompositeKeys.Split(p.Key).Attributes[0]);
    }

    private IEnumerable<long> OpenHolds()
    {
        var prefix = CompositeKeys.Create("zon~hold");
        foreach (var (key, value) in _w.Ledger.State.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var hold = JsonDocument.Parse(Encoding.UTF8.GetString(value)).RootElement;
            if (hold.GetProperty("status").GetString() == "open")
            {
                yield return long.Parse(hold.GetProperty("amount").GetString()!, CultureInfo.InvariantCulture);
            }
        }
    }
}
