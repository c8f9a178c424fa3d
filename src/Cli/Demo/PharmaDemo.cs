using System.Globalization;
using System.Text;
using System.Text.Json;
using Spectre.Console;
using ZonCoin.Gateway.Client;
using ClientGateway = ZonCoin.Gateway.Client.Gateway;

namespace ZonCoin.Cli.Demo;

/// <summary>
/// The consortium's pharma scenario, run through the C# gateway SDK with each organisation's connection profile:
/// the manufacturer registers a product and a serialised batch; the distributor pays through a ZonCoin escrow hold;
/// the batch ships with temperature readings (one out of range); the distributor accepts custody; the notary
/// executes the hold; Amazon rewards both businesses' cloud usage as cashback; the distributor redeems compute
/// credits; a serial is verified, then its batch recalled and verified again. Every step checks what the ledger
/// answers; the first surprise stops the run with <see cref="DemoFailedException"/>.
/// </summary>
internal sealed class PharmaDemo : IAsyncDisposable
{
    public const string TokenChannel = "zoncoin";
    public const string TokenChaincode = "zoncoin";
    public const string SupplyChannel = "supplychain";
    public const string SupplyChaincode = "supplychain";

    private const long OpeningBalance = 50_000;
    private const long Price = 12_000;
    private const long BilledCents = 250_000;

    private readonly IAnsiConsole _console;
    private readonly List<ClientGateway> _gateways = [];
    private readonly List<ClientGateway> _orgGateways = [];
    private readonly List<StepRecord> _steps = [];
    private readonly string _run = DateTimeOffset.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..4];

    private PharmaDemo(IAnsiConsole console)
    {
        _console = console;
    }

    /// <summary>The steps run so far, in order.</summary>
    public IReadOnlyList<StepRecord> Steps => _steps;

    /// <summary>
    /// Connects the four identities the scenario needs: Amazon's admin (the issuer's minter), Amazon's user (the
    /// escrow notary), and the manufacturer's and distributor's users. <paramref name="profiles"/> are keyed by MSP ID.
    /// </summary>
    public static async Task<int> RunAsync(IReadOnlyDictionary<string, ConnectionProfile> profiles, IAnsiConsole console, CancellationToken cancellationToken)
    {
        await using var demo = new PharmaDemo(console);
        try
        {
            await demo.RunAsync(profiles, cancellationToken).ConfigureAwait(false);
            return 0;
        }
        catch (DemoFailedException ex)
        {
            demo.PrintSteps();
            console.MarkupLine($"[red]demo failed:[/] {Markup.Escape(ex.Message)}");
            return 1;
        }
    }

    private async Task RunAsync(IReadOnlyDictionary<string, ConnectionProfile> profiles, CancellationToken cancellationToken)
    {
        var amazon = Profile(profiles, "AmazonMSP");
        var issuer = Party("Amazon (issuer)", amazon, asAdmin: true);
        var notary = Party("Amazon (notary)", amazon, asAdmin: false);
        var manufacturer = Party("Manufacturer", Profile(profiles, "ManufacturerMSP"), asAdmin: false);
        var distributor = Party("Distributor", Profile(profiles, "DistributorMSP"), asAdmin: false);
        _orgGateways.AddRange([notary.Gateway, manufacturer.Gateway, distributor.Gateway]);

        var gtin = Gtins.New(Random.Shared);
        var tag = Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var lot = "LOT" + tag;
        var serials = Enumerable.Range(1, 4).Select(i => $"SN{tag}{i:D2}").ToArray();
        var holdId = "hold-" + _run;
        var shipmentId = "shp-" + _run;
        var offerId = "compute-credits-100";
        var expiry = DateTimeOffset.UtcNow.AddYears(2).ToString("yyyy-MM-ddT00:00:00Z", CultureInfo.InvariantCulture);

        _console.Write(new Rule("[bold]ZonCoin pharma scenario[/]"));
        var accounts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var party in new[] { manufacturer, distributor, notary })
        {
            accounts[party.Name] = Text(await Submit(party, party.Token, "OpenAccount", [], "opens its ZonCoin account").ConfigureAwait(false));
        }
        var supplyBefore = long.Parse(Text(await Evaluate(issuer.Token, "TotalSupply")), CultureInfo.InvariantCulture);
        // The accounts belong to the profiles' identities, so a second run on the same network finds them funded:
        // each payment is checked against the balance this run started from.
        var distributorBefore = await Balance(issuer, accounts[distributor.Name]).ConfigureAwait(false);
        var manufacturerBefore = await Balance(issuer, accounts[manufacturer.Name]).ConfigureAwait(false);

        await Submit(manufacturer, manufacturer.Supply, "RegisterProduct", [gtin, "Insulin glargine 100 U/ml"], $"registers product {gtin}").ConfigureAwait(false);
        await Submit(manufacturer, manufacturer.Supply, "RegisterBatch", [gtin, lot, expiry, serials.Length.ToString(CultureInfo.InvariantCulture), JsonSerializer.Serialize(serials)],
            $"registers batch {lot} with {serials.Length} serials").ConfigureAwait(false);
        await Submit(issuer, issuer.Token, "Mint", [accounts[distributor.Name], Amount(OpeningBalance), "opening balance"], "credits the distributor's opening balance").ConfigureAwait(false);
        await Submit(distributor, distributor.Token, "Hold",
            [holdId, accounts[manufacturer.Name], accounts[notary.Name], Amount(Price), DateTimeOffset.UtcNow.AddDays(1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), shipmentId],
            $"pays {Amount(Price)} ZON into escrow hold {holdId}").ConfigureAwait(false);
        Expect(await Balance(issuer, accounts[distributor.Name]) == distributorBefore + OpeningBalance - Price, "the hold did not take the price from the distributor");

        await Submit(manufacturer, manufacturer.Supply, "CreateShipment",
            [shipmentId, JsonSerializer.Serialize(new[] { new { gtin, lot } }), "DistributorMSP", "2", "8", holdId], $"ships {lot} to the distributor (2–8 °C)").ConfigureAwait(false);
        var now = DateTimeOffset.UtcNow;
        foreach (var (minutes, temperature) in new[] { (-30, "5.0"), (-20, "6.5"), (-10, "9.4") })
        {
            var time = now.AddMinutes(minutes).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            await Submit(manufacturer, manufacturer.Supply, "RecordReading", [shipmentId, "logger-7", temperature, time], $"reads {temperature} °C").ConfigureAwait(false);
        }
        using (var shipment = Json(await Evaluate(distributor.Supply, "GetShipment", shipmentId)))
        {
            Expect(shipment.RootElement.GetProperty("violation").GetBoolean(), "the 9.4 °C reading did not flag the shipment");
        }
        await Submit(distributor, distributor.Supply, "AcceptShipment", [shipmentId], "accepts custody").ConfigureAwait(false);
        await Submit(notary, notary.Token, "ExecuteHold", [holdId, Amount(Price)], "executes the hold: the manufacturer is paid").ConfigureAwait(false);
        Expect(await Balance(issuer, accounts[manufacturer.Name]) == manufacturerBefore + Price, "the manufacturer was not paid by the hold");

        var rewards = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var party in new[] { manufacturer, distributor })
        {
            var minted = Text(await Submit(issuer, issuer.Token, "RewardUsage",
                [accounts[party.Name], $"usage-{_run}-{party.Name.ToLowerInvariant()}", BilledCents.ToString(CultureInfo.InvariantCulture), now.ToString("yyyy-MM", CultureInfo.InvariantCulture)],
                $"rewards {party.Name}'s cloud usage ({BilledCents / 100:N0} USD billed)").ConfigureAwait(false));
            rewards[party.Name] = long.Parse(minted, CultureInfo.InvariantCulture);
        }
        await Submit(issuer, issuer.Token, "UpsertOffer", [offerId, "100 compute credits", "compute-credit", Amount(rewards[distributor.Name] / 2), "true"], "lists compute credits in the catalogue").ConfigureAwait(false);
        using (var redemption = Json(await Submit(distributor, distributor.Token, "Redeem", [offerId, "1"], "redeems compute credits").ConfigureAwait(false)))
        {
            Expect(redemption.RootElement.GetProperty("offerId").GetString() == offerId, "the redemption names another offer");
        }

        using (var verified = Json(await Evaluate(distributor.Supply, "VerifySerial", serials[0])))
        {
            Expect(verified.RootElement.GetProperty("status").GetString() == "active", $"serial {serials[0]} is not active after delivery");
            Expect(verified.RootElement.GetProperty("custodian").GetString() == "DistributorMSP", "custody did not move to the distributor");
            PrintProvenance(serials[0], verified.RootElement);
        }
        await Submit(manufacturer, manufacturer.Supply, "RecallBatch", [gtin, lot, "cold-chain excursion on shipment " + shipmentId], $"recalls batch {lot}").ConfigureAwait(false);
        using (var recalled = Json(await Evaluate(distributor.Supply, "VerifySerial", serials[^1])))
        {
            Expect(recalled.RootElement.GetProperty("status").GetString() == "recalled", $"serial {serials[^1]} does not verify as recalled");
        }

        PrintSteps();
        await PrintBalancesAsync(issuer, accounts, supplyBefore, rewards).ConfigureAwait(false);
        _console.MarkupLine("[green]demo complete:[/] every step committed and verified.");
    }

    private async Task PrintBalancesAsync(Participant issuer, Dictionary<string, string> accounts, long supplyBefore, Dictionary<string, long> rewards)
    {
        var supply = long.Parse(Text(await Evaluate(issuer.Token, "TotalSupply")), CultureInfo.InvariantCulture);
        var table = new Table().Title("ZonCoin balances (smallest unit)").AddColumn("account").AddColumn("owner").AddColumn(new TableColumn("balance").RightAligned());
        foreach (var (name, account) in accounts)
        {
            table.AddRow(Markup.Escape(account), Markup.Escape(name), (await Balance(issuer, account)).ToString("N0", CultureInfo.InvariantCulture));
        }
        _console.Write(table);
        var minted = OpeningBalance + rewards.Values.Sum();
        var burned = rewards["Distributor"] / 2;
        _console.MarkupLine($"total supply {supply:N0} (this run: +{minted:N0} minted, −{burned:N0} redeemed)");
        Expect(supply - supplyBefore == minted - burned, $"the total supply moved by {supply - supplyBefore}, not {minted - burned}");
    }

    private void PrintProvenance(string serial, JsonElement provenance)
    {
        var table = new Table().Title($"provenance of {Markup.Escape(serial)}").AddColumn("custodian").AddColumn("since").AddColumn("shipment");
        foreach (var entry in provenance.GetProperty("custodyChain").EnumerateArray())
        {
            table.AddRow(
                Markup.Escape(entry.GetProperty("mspId").GetString() ?? ""),
                Markup.Escape(entry.GetProperty("since").GetString() ?? ""),
                Markup.Escape(entry.TryGetProperty("shipmentId", out var shipment) && shipment.ValueKind == JsonValueKind.String ? shipment.GetString()! : "—"));
        }
        _console.Write(table);
    }

    private void PrintSteps()
    {
        var table = new Table().Title("scenario").AddColumn("#").AddColumn("who").AddColumn("did").AddColumn("tx").AddColumn(new TableColumn("block").RightAligned());
        foreach (var step in _steps)
        {
            table.AddRow(step.Number.ToString(CultureInfo.InvariantCulture), Markup.Escape(step.Who), Markup.Escape(step.What), step.TxId[..12], step.Block.ToString(CultureInfo.InvariantCulture));
        }
        _console.Write(table);
    }

    private async Task<byte[]> Submit(Participant party, Contract contract, string function, string[] args, string what)
    {
        try
        {
            var submitted = await contract.SubmitAsync(function, ProposalOptions.WithArguments(args)).ConfigureAwait(false);
            var status = await submitted.GetStatusAsync().ConfigureAwait(false);
            if (!status.Successful)
            {
                throw new DemoFailedException($"{party.Name} {what}: transaction {status.TransactionId} committed as {status.Code}");
            }
            await EveryOrgHasAsync(contract == party.Token ? TokenChannel : SupplyChannel, status.BlockNumber).ConfigureAwait(false);
            _steps.Add(new StepRecord(_steps.Count + 1, party.Name, what, status.TransactionId, status.BlockNumber));
            _console.MarkupLine($"[grey]{_steps.Count,2}[/] {Markup.Escape(party.Name)} {Markup.Escape(what)} [grey](block {status.BlockNumber})[/]");
            return submitted.Result;
        }
        catch (GatewayException ex)
        {
            throw new DemoFailedException($"{party.Name} {what}: {function} failed: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Waits until every organisation's peer has committed <paramref name="block"/> (a block event from each org's
    /// gateway, which follows its own peer). A commit status speaks for the submitting org's peer only; the next
    /// step's endorsers in other orgs must see the same state, or their endorsements would disagree.
    /// </summary>
    private async Task EveryOrgHasAsync(string channel, ulong block)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        foreach (var gateway in _orgGateways)
        {
            try
            {
                await foreach (var _ in gateway.GetNetwork(channel).GetFilteredBlockEvents(new BlockEventsOptions { StartBlock = block }, timeout.Token).ConfigureAwait(false))
                {
                    break;
                }
            }
            catch (OperationCanceledException ex)
            {
                throw new DemoFailedException($"block {block} of channel {channel} did not reach every organisation's peer within 60 s", ex);
            }
        }
    }

    private static async Task<byte[]> Evaluate(Contract contract, string function, params string[] args)
    {
        try
        {
            return await contract.EvaluateTransactionAsync(function, args).ConfigureAwait(false);
        }
        catch (GatewayException ex)
        {
            throw new DemoFailedException($"{function} failed: {ex.Message}", ex);
        }
    }

    private static async Task<long> Balance(Participant reader, string account) =>
        long.Parse(Text(await Evaluate(reader.Token, "BalanceOf", account).ConfigureAwait(false)), CultureInfo.InvariantCulture);

    private Participant Party(string name, ConnectionProfile profile, bool asAdmin)
    {
        var gateway = ClientGateway.Connect(profile, asAdmin: asAdmin);
        _gateways.Add(gateway);
        return new Participant(name, gateway,
            gateway.GetNetwork(TokenChannel).GetContract(TokenChaincode),
            gateway.GetNetwork(SupplyChannel).GetContract(SupplyChaincode));
    }

    private static ConnectionProfile Profile(IReadOnlyDictionary<string, ConnectionProfile> profiles, string mspId) =>
        profiles.TryGetValue(mspId, out var profile) ? profile : throw new DemoFailedException($"no connection profile for {mspId} (have: {string.Join(", ", profiles.Keys)})");

    private static void Expect(bool condition, string message)
    {
        if (!condition)
        {
            throw new DemoFailedException(message);
        }
    }

    private static string Amount(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    private static JsonDocument Json(byte[] bytes) => JsonDocument.Parse(bytes);

    public ValueTask DisposeAsync()
    {
        foreach (var gateway in _gateways)
        {
            gateway.Dispose();
        }
        return ValueTask.CompletedTask;
    }

    private sealed record Participant(string Name, ClientGateway Gateway, Contract Token, Contract Supply);
}

/// <summary>One committed step of the demo.</summary>
internal sealed record StepRecord(int Number, string Who, string What, string TxId, ulong Block);

/// <summary>A demo step that failed or answered unexpectedly; the message says which and why.</summary>
internal sealed class DemoFailedException : Exception
{
    public DemoFailedException(string message) : base(message) { }

    public DemoFailedException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>GS1 GTIN-14 numbers with a valid check digit.</summary>
internal static class Gtins
{
    /// <summary>A random GTIN-14: 13 random digits and the GS1 mod-10 check digit.</summary>
    public static string New(Random random)
    {
        var digits = new StringBuilder(14);
        for (var i = 0; i < 13; i++)
        {
            digits.Append((char)('0' + random.Next(10)));
        }
        return digits.Append(CheckDigit(digits.ToString())).ToString();
    }

    /// <summary>The GS1 check digit of the digits before it: weights 3 and 1 alternating from the right.</summary>
    public static char CheckDigit(string body)
    {
        var sum = 0;
        for (var i = 0; i < body.Length; i++)
        {
            var weight = (body.Length - i) % 2 == 1 ? 3 : 1;
            sum += (body[i] - '0') * weight;
        }
        return (char)('0' + ((10 - (sum % 10)) % 10));
    }
}
