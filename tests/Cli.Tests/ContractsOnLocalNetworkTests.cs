using System.Globalization;
using System.Text.Json;
using ZonCoin.Cli.Demo;
using ZonCoin.Cli.Tests.Support;
using ZonCoin.Gateway.Client;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Cli.Tests;

/// <summary>
/// The ZonCoin and supply-chain contracts end to end on one local network of the default topology (real processes,
/// TLS, Amazon's peer on PostgreSQL), through the C# gateway SDK with each org's connection profile.
/// </summary>
public sealed class ContractsOnLocalNetworkTests(ContractNetworkFixture net) : IClassFixture<ContractNetworkFixture>
{
    private const string MinterError = "needs a minter of the issuer org AmazonMSP";
    private const long CashbackBasisPoints = 500; // network.yaml's Initialize

    [Fact]
    public async Task Supply_equals_balances_plus_open_holds_after_every_call_of_a_seeded_random_sequence()
    {
        var random = new Random(20261122);
        var minter = net.AmazonAdmin;
        var actors = net.Parties;
        foreach (var party in actors)
        {
            var (opened, _) = await net.SubmitAsync(party.Token, "OpenAccount");
            Assert.Equal(party.Account, opened);
            net.RecordAccount(party.Account);
        }
        // An opening balance for everyone, the minter included (so it has something to burn).
        foreach (var party in actors)
        {
            await net.SubmitAsync(minter.Token, "Mint", party.Account, "10000", "opening balance");
        }
        var offerId = "offer-" + Guid.NewGuid().ToString("N")[..8];
        const long price = 70;
        await net.SubmitAsync(minter.Token, "UpsertOffer", offerId, "compute credits", "compute-credit", Amount(price), "true");
        var rewarded = new List<string>();
        var tag = Guid.NewGuid().ToString("N")[..8];
        var expiresAt = DateTimeOffset.UtcNow.AddDays(1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

        var failures = 0;
        var ran = new HashSet<string>(StringComparer.Ordinal);
        for (var step = 0; step < 60; step++)
        {
            var before = await SnapshotAsync();
            before.AssertInvariant();
            var actor = actors[random.Next(actors.Count)];
            var other = actors.Where(p => p != actor).ElementAt(random.Next(actors.Count - 1));
            var balance = before.Balances[actor.Account];
            var expected = new Dictionary<string, long>(StringComparer.Ordinal);
            string? failsWith = null;
            Func<Task> call;
            switch (balance == 0 && step % 2 == 0 ? 0 : random.Next(12))
            {
                case 0:
                {
                    ran.Add("reward");
                    var billed = random.Next(100, 200_000);
                    var report = $"usage-{tag}-{step}";
                    var minted = billed * CashbackBasisPoints / 10_000;
                    call = async () =>
                    {
                        var (result, _) = await net.SubmitAsync(minter.Token, "RewardUsage", actor.Account, report, Amount(billed), "2026-11");
                        Assert.Equal(Amount(minted), result);
                    };
                    expected[actor.Account] = minted;
                    rewarded.Add(report);
                    break;
                }
                case 1 when rewarded.Count > 0:
                {
                    ran.Add("duplicate reward");
                    var report = rewarded[random.Next(rewarded.Count)];
                    call = () => net.SubmitAsync(minter.Token, "RewardUsage", actor.Account, report, "100000", "2026-11");
                    failsWith = $"usage report {report} was already rewarded";
                    break;
                }
                case 2:
                {
                    ran.Add("mint");
                    var amount = random.Next(1, 5_000);
                    call = () => net.SubmitAsync(minter.Token, "Mint", actor.Account, Amount(amount), "random sequence");
                    expected[actor.Account] = amount;
                    break;
                }
                case 3 or 4 when balance > 0:
                {
                    ran.Add("transfer");
                    var amount = random.NextInt64(1, balance + 1);
                    call = () => net.SubmitAsync(actor.Token, "Transfer", other.Account, Amount(amount), "step " + step);
                    expected[actor.Account] = -amount;
                    expected[other.Account] = amount;
                    break;
                }
                case 5:
                {
                    ran.Add("overdraft");
                    call = () => net.SubmitAsync(actor.Token, "Transfer", other.Account, Amount(balance + 1 + random.Next(1000)), "too much");
                    failsWith = $"insufficient funds: account {actor.Account} has {balance}";
                    break;
                }
                case 6:
                {
                    ran.Add("self-transfer");
                    call = () => net.SubmitAsync(actor.Token, "Transfer", actor.Account, "1", "to myself");
                    failsWith = "self-transfer";
                    break;
                }
                case 7 when balance > 0:
                {
                    ran.Add("approve+transferFrom");
                    // Approve, then the spender moves part of the allowance to a third account.
                    var third = actors.Where(p => p != actor && p != other).ElementAt(random.Next(actors.Count - 2));
                    var allowance = random.NextInt64(1, balance + 1);
                    var taken = random.NextInt64(1, allowance + 1);
                    call = async () =>
                    {
                        await net.SubmitAsync(actor.Token, "Approve", other.Account, Amount(allowance));
                        await net.SubmitAsync(other.Token, "TransferFrom", actor.Account, third.Account, Amount(taken));
                        Assert.Equal(Amount(allowance - taken), await ContractNetworkFixture.EvaluateAsync(other.Token, "Allowance", actor.Account, other.Account));
                        var overdraw = await Assert.ThrowsAsync<EndorseException>(() => net.SubmitAsync(other.Token, "TransferFrom", actor.Account, third.Account, Amount(allowance - taken + 1)));
                        Assert.Contains("insufficient allowance", overdraw.Message, StringComparison.Ordinal);
                    };
                    expected[actor.Account] = -taken;
                    expected[third.Account] = taken;
                    break;
                }
                case 8 when balance > 0:
                {
                    ran.Add("hold");
                    var notary = actors.Where(p => p != actor && p != other).ElementAt(random.Next(actors.Count - 2));
                    var holdId = $"hold-{tag}-{step}";
                    var amount = random.NextInt64(1, balance + 1);
                    call = async () =>
                    {
                        await net.SubmitAsync(actor.Token, "Hold", holdId, other.Account, notary.Account, Amount(amount), expiresAt, "shipment-" + step);
                        net.RecordHold(holdId);
                    };
                    expected[actor.Account] = -amount;
                    break;
                }
                case 9 when before.OpenHolds.Count > 0:
                {
                    ran.Add("execute hold");
                    var hold = before.OpenHolds.Values.ElementAt(random.Next(before.OpenHolds.Count));
                    var notary = actors.Single(p => p.Account == hold.Notary);
                    var executed = random.NextInt64(1, hold.Amount + 1);
                    call = () => net.SubmitAsync(notary.Token, "ExecuteHold", hold.Id, Amount(executed));
                    Add(expected, hold.Payee, executed);
                    Add(expected, hold.Payer, hold.Amount - executed);
                    break;
                }
                case 10 when before.OpenHolds.Count > 0:
                {
                    ran.Add("release hold");
                    var hold = before.OpenHolds.Values.ElementAt(random.Next(before.OpenHolds.Count));
                    var releaserAccount = random.Next(2) == 0 ? hold.Payee : hold.Notary;
                    var releaser = actors.Single(p => p.Account == releaserAccount);
                    call = () => net.SubmitAsync(releaser.Token, "ReleaseHold", hold.Id);
                    Add(expected, hold.Payer, hold.Amount);
                    break;
                }
                case 11 when balance >= price:
                {
                    ran.Add("redeem");
                    var quantity = random.NextInt64(1, (balance / price) + 1);
                    call = () => net.SubmitAsync(actor.Token, "Redeem", offerId, Amount(quantity));
                    expected[actor.Account] = -price * quantity;
                    break;
                }
                default:
                {
                    // Burn: the minter from its own account, sometimes more than it has.
                    var own = before.Balances[minter.Account];
                    if (own > 0 && random.Next(3) > 0)
                    {
                        var amount = random.NextInt64(1, own + 1);
                        call = () => net.SubmitAsync(minter.Token, "Burn", Amount(amount), "random sequence");
                        ran.Add("burn");
                        expected[minter.Account] = -amount;
                    }
                    else
                    {
                        call = () => net.SubmitAsync(minter.Token, "Burn", Amount(own + 1), "more than it has");
                        ran.Add("overburn");
                        failsWith = $"insufficient funds: account {minter.Account} has {own}";
                    }
                    break;
                }
            }

            if (failsWith is null)
            {
                await call();
                var after = await SnapshotAsync();
                after.AssertInvariant();
                foreach (var (account, was) in before.Balances)
                {
                    Assert.True(was + expected.GetValueOrDefault(account) == after.Balances[account],
                        $"step {step}: {account} has {after.Balances[account]}, expected {was} + {expected.GetValueOrDefault(account)}");
                }
            }
            else
            {
                failures++;
                var error = await Assert.ThrowsAsync<EndorseException>(call);
                Assert.Contains(failsWith, error.Message, StringComparison.Ordinal);
                (await SnapshotAsync()).AssertSameAs(before);
            }
        }
        Assert.True(failures >= 5, $"the sequence tried only {failures} calls that must fail");
        // The seed drives every kind of call at least once (a changed contract or seed must not thin the sequence out).
        Assert.Equal(
            ["approve+transferFrom", "burn", "duplicate reward", "execute hold", "hold", "mint", "overburn", "overdraft", "redeem", "release hold", "reward", "self-transfer", "transfer"],
            ran.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Twenty_concurrent_rewards_to_different_customers_all_commit_valid()
    {
        var random = new Random(7);
        var tag = Guid.NewGuid().ToString("N")[..8];
        var customers = Enumerable.Range(0, 20).Select(_ => "CustomerMSP:" + Convert.ToHexStringLower(RandomBytes(random, 20))).ToArray();
        var billed = customers.Select(_ => (long)random.Next(1_000, 100_000)).ToArray();
        var supplyBefore = long.Parse(await ContractNetworkFixture.EvaluateAsync(net.AmazonUser.Token, "TotalSupply"), CultureInfo.InvariantCulture);

        // Endorse and submit all twenty at once, then wait for every commit status.
        var submitted = await Task.WhenAll(customers.Select((customer, i) =>
            net.AmazonAdmin.Token.SubmitAsync("RewardUsage", ProposalOptions.WithArguments(customer, $"usage-{tag}-{i}", Amount(billed[i]), "2026-11"))));
        var statuses = await Task.WhenAll(submitted.Select(s => s.GetStatusAsync()));
        foreach (var customer in customers)
        {
            net.RecordAccount(customer);
        }
        Assert.All(statuses, s => Assert.Equal(TxValidationCode.Valid, s.Code));
        await net.EveryOrgHasAsync("zoncoin", statuses.Max(s => s.BlockNumber));

        for (var i = 0; i < customers.Length; i++)
        {
            var minted = billed[i] * CashbackBasisPoints / 10_000;
            Assert.Equal(Amount(minted), System.Text.Encoding.UTF8.GetString(submitted[i].Result));
            Assert.Equal(minted, await ContractNetworkFixture.BalanceAsync(net.ManufacturerUser.Token, customers[i]));
        }
        var supplyAfter = long.Parse(await ContractNetworkFixture.EvaluateAsync(net.DistributorUser.Token, "TotalSupply"), CultureInfo.InvariantCulture);
        Assert.Equal(billed.Sum(b => b * CashbackBasisPoints / 10_000), supplyAfter - supplyBefore);
        (await SnapshotAsync()).AssertInvariant();
    }

    [Fact]
    public async Task Role_violations_are_rejected_with_the_contracts_error_and_change_nothing()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        // A hold to try ExecuteHold on: the distributor pays the manufacturer, Amazon's user notarises.
        foreach (var party in new[] { net.DistributorUser, net.ManufacturerUser, net.AmazonUser })
        {
            await net.SubmitAsync(party.Token, "OpenAccount");
            net.RecordAccount(party.Account);
        }
        await net.SubmitAsync(net.AmazonAdmin.Token, "Mint", net.DistributorUser.Account, "1000", "role tests");
        var holdId = "hold-roles-" + tag;
        await net.SubmitAsync(net.DistributorUser.Token, "Hold", holdId, net.ManufacturerUser.Account, net.AmazonUser.Account, "400",
            DateTimeOffset.UtcNow.AddDays(1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), "po-" + tag);
        net.RecordHold(holdId);

        var before = await SnapshotAsync();
        before.AssertInvariant();
        foreach (var outsider in new[] { net.ManufacturerUser, net.AmazonUser })
        {
            await Rejected(outsider.Token, MinterError, "RewardUsage", outsider.Account, $"usage-roles-{tag}", "100000", "2026-11");
            await Rejected(outsider.Token, MinterError, "Mint", outsider.Account, "1000", "not allowed");
            await Rejected(outsider.Token, MinterError, "UpsertOffer", "offer-" + tag, "free stuff", "support", "1", "true");
        }
        foreach (var notNotary in new[] { net.ManufacturerUser, net.DistributorUser })
        {
            await Rejected(notNotary.Token, $"only the notary {net.AmazonUser.Account} may execute hold {holdId}", "ExecuteHold", holdId, "400");
        }
        (await SnapshotAsync()).AssertSameAs(before);
        await Assert.ThrowsAnyAsync<GatewayException>(() => net.AmazonUser.Token.EvaluateTransactionAsync("GetOffer", "offer-" + tag));

        // Supply chain: the manufacturer registers a product and a batch and ships it to the distributor.
        var gtin = Gtins.New(new Random(11));
        var lot = "L" + tag;
        var expiry = DateTimeOffset.UtcNow.AddYears(1).ToString("yyyy-MM-ddT00:00:00Z", CultureInfo.InvariantCulture);
        await net.SubmitAsync(net.ManufacturerUser.Supply, "RegisterProduct", gtin, "Metformin 850mg");
        await net.SubmitAsync(net.ManufacturerUser.Supply, "RegisterBatch", gtin, lot, expiry, "2", JsonSerializer.Serialize(new[] { $"S{tag}1", $"S{tag}2" }));
        await Rejected(net.DistributorUser.Supply, $"only ManufacturerMSP, the manufacturer of {gtin}, may register its batches; the caller is DistributorMSP",
            "RegisterBatch", gtin, "X" + tag, expiry, "1", JsonSerializer.Serialize(new[] { $"X{tag}1" }));
        await Assert.ThrowsAnyAsync<GatewayException>(() => net.ManufacturerUser.Supply.EvaluateTransactionAsync("GetBatch", gtin, "X" + tag));
        var shipmentId = "shp-" + tag;
        await net.SubmitAsync(net.ManufacturerUser.Supply, "CreateShipment", shipmentId,
            JsonSerializer.Serialize(new[] { new { gtin, lot } }), "DistributorMSP", "2", "8", "");
        var batch = await ContractNetworkFixture.EvaluateAsync(net.DistributorUser.Supply, "GetBatch", gtin, lot);
        var shipment = await ContractNetworkFixture.EvaluateAsync(net.DistributorUser.Supply, "GetShipment", shipmentId);

        await Rejected(net.AmazonUser.Supply, $"only DistributorMSP, the receiver of shipment {shipmentId}, may accept it; the caller is AmazonMSP", "AcceptShipment", shipmentId);
        await Rejected(net.ManufacturerUser.Supply, $"only DistributorMSP, the receiver of shipment {shipmentId}, may accept it; the caller is ManufacturerMSP", "AcceptShipment", shipmentId);
        await Rejected(net.DistributorUser.Supply, $"only ManufacturerMSP, the manufacturer of batch {gtin}/{lot}, may recall it; the caller is DistributorMSP", "RecallBatch", gtin, lot, "not mine");
        await Rejected(net.AmazonUser.Supply, $"only ManufacturerMSP, the manufacturer of batch {gtin}/{lot}, may recall it; the caller is AmazonMSP", "RecallBatch", gtin, lot, "not mine");

        foreach (var reader in new[] { net.AmazonUser, net.ManufacturerUser, net.DistributorUser })
        {
            Assert.Equal(batch, await ContractNetworkFixture.EvaluateAsync(reader.Supply, "GetBatch", gtin, lot));
            Assert.Equal(shipment, await ContractNetworkFixture.EvaluateAsync(reader.Supply, "GetShipment", shipmentId));
        }
        using var doc = JsonDocument.Parse(batch);
        Assert.Equal("in-transit", doc.RootElement.GetProperty("status").GetString());
        Assert.Equal("ManufacturerMSP", doc.RootElement.GetProperty("custodian").GetString());

        // The rightful parties can: the receiver accepts, the notary executes.
        await net.SubmitAsync(net.DistributorUser.Supply, "AcceptShipment", shipmentId);
        await net.SubmitAsync(net.AmazonUser.Token, "ExecuteHold", holdId, "400");
        Assert.Equal(before.Balances[net.ManufacturerUser.Account] + 400, await ContractNetworkFixture.BalanceAsync(net.AmazonUser.Token, net.ManufacturerUser.Account));
    }

    [Fact]
    public async Task Rich_queries_answer_on_the_PostgreSQL_peer_and_name_the_need_on_SQLite_peers()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var gtin = Gtins.New(new Random(29));
        await net.SubmitAsync(net.ManufacturerUser.Supply, "RegisterProduct", gtin, "Omeprazole 20mg");
        var lots = new[] { ("A" + tag, DateTimeOffset.UtcNow.AddYears(2)), ("B" + tag, DateTimeOffset.UtcNow.AddYears(1)) };
        foreach (var (lot, expiry) in lots)
        {
            await net.SubmitAsync(net.ManufacturerUser.Supply, "RegisterBatch", gtin, lot, expiry.ToString("yyyy-MM-ddT00:00:00Z", CultureInfo.InvariantCulture), "1",
                JsonSerializer.Serialize(new[] { "S" + lot }));
        }

        // Amazon's peer (PostgreSQL) answers the rich query, soonest expiry first.
        var active = Batches(await ContractNetworkFixture.EvaluateAsync(net.AmazonUser.Supply, "QueryBatchesByStatus", "active", ""));
        Assert.Equal(["B" + tag, "A" + tag], active.Where(b => b.Gtin == gtin).Select(b => b.Lot));
        Assert.All(active, b => Assert.Equal("active", b.Status));
        var soon = Batches(await ContractNetworkFixture.EvaluateAsync(net.AmazonUser.Supply, "QueryBatchesByStatus", "active",
            DateTimeOffset.UtcNow.AddMonths(18).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)));
        Assert.Equal(["B" + tag], soon.Where(b => b.Gtin == gtin).Select(b => b.Lot));

        // The SQLite peers say they need PostgreSQL.
        foreach (var party in new[] { net.ManufacturerUser, net.DistributorUser })
        {
            var error = await Assert.ThrowsAnyAsync<GatewayException>(() => party.Supply.EvaluateTransactionAsync("QueryBatchesByStatus", "active", ""));
            Assert.Contains("QueryBatchesByStatus needs a peer with the PostgreSQL state database (rich queries)", error.Message, StringComparison.Ordinal);
        }

        // The custodian index works on every state database.
        foreach (var party in new[] { net.AmazonUser, net.ManufacturerUser, net.DistributorUser })
        {
            var held = Batches(await ContractNetworkFixture.EvaluateAsync(party.Supply, "QueryBatchesByCustodian", "ManufacturerMSP"));
            Assert.Equal(lots.Select(l => l.Item1).Order(StringComparer.Ordinal), held.Where(b => b.Gtin == gtin).Select(b => b.Lot).Order(StringComparer.Ordinal));
            Assert.All(held, b => Assert.Equal("ManufacturerMSP", b.Custodian));
        }
    }

    private static async Task Rejected(Contract contract, string error, string function, params string[] args)
    {
        var failure = await Assert.ThrowsAsync<EndorseException>(() => contract.SubmitAsync(function, ProposalOptions.WithArguments(args)));
        Assert.Contains(error, failure.Message, StringComparison.Ordinal);
    }

    private static List<BatchRow> Batches(string json) =>
        JsonDocument.Parse(json).RootElement.EnumerateArray().Select(b => new BatchRow(
            b.GetProperty("gtin").GetString()!, b.GetProperty("lot").GetString()!, b.GetProperty("status").GetString()!, b.GetProperty("custodian").GetString()!)).ToList();

    private sealed record BatchRow(string Gtin, string Lot, string Status, string Custodian);

    /// <summary>Total supply, the balance of every account the tests credited and the open holds, read through Amazon's user.</summary>
    private async Task<TokenSnapshot> SnapshotAsync()
    {
        var token = net.AmazonUser.Token;
        var accounts = net.Accounts.ToArray();
        var holds = net.Holds.ToArray();
        var supply = ContractNetworkFixture.EvaluateAsync(token, "TotalSupply");
        var balances = Task.WhenAll(accounts.Select(a => ContractNetworkFixture.BalanceAsync(token, a)));
        var holdDocs = Task.WhenAll(holds.Select(h => ContractNetworkFixture.EvaluateAsync(token, "GetHold", h)));
        await Task.WhenAll(supply, balances, holdDocs);
        var open = new Dictionary<string, HoldRow>(StringComparer.Ordinal);
        foreach (var text in holdDocs.Result)
        {
            using var doc = JsonDocument.Parse(text);
            var h = doc.RootElement;
            if (h.GetProperty("status").GetString() == "open")
            {
                var row = new HoldRow(h.GetProperty("holdId").GetString()!, h.GetProperty("payer").GetString()!, h.GetProperty("payee").GetString()!,
                    h.GetProperty("notary").GetString()!, long.Parse(h.GetProperty("amount").GetString()!, CultureInfo.InvariantCulture));
                open[row.Id] = row;
            }
        }
        return new TokenSnapshot(
            long.Parse(supply.Result, CultureInfo.InvariantCulture),
            accounts.Zip(balances.Result).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal),
            open);
    }

    private sealed record HoldRow(string Id, string Payer, string Payee, string Notary, long Amount);

    private sealed record TokenSnapshot(long Supply, Dictionary<string, long> Balances, Dictionary<string, HoldRow> OpenHolds)
    {
        public void AssertInvariant()
        {
            var balances = Balances.Values.Sum();
            var held = OpenHolds.Values.Sum(h => h.Amount);
            Assert.True(Supply == balances + held, $"total supply {Supply} != balances {balances} + open holds {held}");
        }

        public void AssertSameAs(TokenSnapshot before)
        {
            Assert.Equal(before.Supply, Supply);
            Assert.Equal(before.Balances.OrderBy(p => p.Key, StringComparer.Ordinal), Balances.OrderBy(p => p.Key, StringComparer.Ordinal));
            Assert.Equal(before.OpenHolds.Values.OrderBy(h => h.Id, StringComparer.Ordinal), OpenHolds.Values.OrderBy(h => h.Id, StringComparer.Ordinal));
        }
    }

    private static void Add(Dictionary<string, long> expected, string account, long amount) =>
        expected[account] = expected.GetValueOrDefault(account) + amount;

    private static string Amount(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
