using System.Security.Cryptography.X509Certificates;
using ZonCoin.Chaincode.Contracts;
using ZonCoin.Chaincode.Shim;

namespace ZonCoin.Chaincode.Token;

/// <summary>
/// The ZonCoin token: balances, transfers and allowances, usage rewards as cashback minted by the issuer org, a
/// services catalogue redeemed by burning, and escrow holds. Arguments are strings as Fabric passes them; amounts are
/// decimal integers in the smallest unit; times are ISO-8601 UTC. See README.md for the state layout.
/// </summary>
public sealed class ZonCoinContract : Contract
{
    /// <summary>The Fabric CA attribute that marks a minter (value <see cref="MinterRole"/>).</summary>
    public const string RoleAttribute = "role";

    /// <summary>The role value of a minter.</summary>
    public const string MinterRole = "minter";

    /// <summary>The alternative boolean attribute that marks a minter (value <c>true</c>).</summary>
    public const string MinterAttribute = "zoncoin.minter";

    /// <summary>The NodeOU organisational unit of admins.</summary>
    public const string AdminOu = "admin";

    private const string OuOid = "2.5.4.11";

    private static readonly string[] Kinds = ["compute-credit", "subscription", "support", "catalog-item"];

    /// <summary>Creates the contract, named <c>ZonCoin</c>.</summary>
    public ZonCoinContract()
        : base("ZonCoin")
    {
    }

    /// <inheritdoc/>
    public override ContractInfo Info => new("ZonCoin token", "1.0.0") { Description = "ZonCoin: cashback rewards, services catalogue and escrow holds" };

    /// <summary>Sets the token up once; the caller must be a minter or admin of <paramref name="issuerMspId"/>. Emits <c>Initialized</c>.</summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="name">The token name.</param>
    /// <param name="symbol">The ticker symbol.</param>
    /// <param name="decimals">Decimal places of the display unit, 0–18.</param>
    /// <param name="issuerMspId">The MSP ID of the issuer org.</param>
    /// <param name="cashbackBasisPoints">Cashback per billed amount in basis points, 1–10000.</param>
    public async Task<string> Initialize(Context ctx, string name, string symbol, string decimals, string issuerMspId, string cashbackBasisPoints)
    {
        var ledger = Ledger(ctx);
        if (await ledger.TryConfigAsync().ConfigureAwait(false) is not null)
        {
            throw new InvalidOperationException("ZonCoin is already initialized");
        }
        var config = new TokenConfig(
            Inputs.Text(name, "name", required: true),
            Inputs.Id(symbol, "symbol"),
            Inputs.Integer(decimals, "decimals", 0, 18),
            Inputs.Id(issuerMspId, "issuerMspId"),
            Inputs.Integer(cashbackBasisPoints, "cashbackBasisPoints", 1, 10_000),
            ledger.Now);
        RequireMinter(ctx, config, nameof(Initialize));
        await ledger.PutAsync(Keys.Config, config).ConfigureAwait(false);
        ctx.Stub.SetEvent("Initialized", Json.Bytes(config));
        return Json.Text(config);
    }

    /// <summary>The token's settings and total supply as JSON.</summary>
    /// <param name="ctx">The transaction context.</param>
    [Evaluate]
    public async Task<string> TokenInfo(Context ctx)
    {
        var ledger = Ledger(ctx);
        var config = await ledger.ConfigAsync().ConfigureAwait(false);
        var supply = await ledger.TotalSupplyAsync().ConfigureAwait(false);
        return Json.Text(new TokenSummary(config.Name, config.Symbol, config.Decimals, config.IssuerMspId, config.CashbackBasisPoints, config.InitializedAt,
            TokenLedger.Format(supply)));
    }

    /// <summary>The total supply (sum of the <c>supply~delta</c> entries) as a decimal integer.</summary>
    /// <param name="ctx">The transaction context.</param>
    [Evaluate]
    public async Task<string> TotalSupply(Context ctx)
    {
        var ledger = Ledger(ctx);
        await ledger.ConfigAsync().ConfigureAwait(false);
        return TokenLedger.Format(await ledger.TotalSupplyAsync().ConfigureAwait(false));
    }

    /// <summary>The balance of an existing account as a decimal integer.</summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="account">The account id.</param>
    [Evaluate]
    public async Task<string> BalanceOf(Context ctx, string account)
    {
        var ledger = Ledger(ctx);
        await ledger.ConfigAsync().ConfigureAwait(false);
        Inputs.Account(account, "account", out _);
        await ledger.RequireAccountAsync(account).ConfigureAwait(false);
        return TokenLedger.Format(await ledger.BalanceAsync(account).ConfigureAwait(false));
    }

    /// <summary>The caller's account id (whether or not it is open yet).</summary>
    /// <param name="ctx">The transaction context.</param>
    [Evaluate]
    public string ClientAccountId(Context ctx) => AccountIds.For(Identity(ctx));

    /// <summary>Opens the caller's account (idempotent) and returns its id. Emits <c>AccountOpened</c> when it opens it now.</summary>
    /// <param name="ctx">The transaction context.</param>
    public async Task<string> OpenAccount(Context ctx)
    {
        var ledger = Ledger(ctx);
        await ledger.ConfigAsync().ConfigureAwait(false);
        var identity = Identity(ctx);
        var account = AccountIds.For(identity);
        if (await ledger.OpenAsync(account, identity.MspId).ConfigureAwait(false))
        {
            ctx.Stub.SetEvent("AccountOpened", Json.Bytes(new AccountRecord(account, identity.MspId, ledger.Now)));
        }
        return account;
    }

    /// <summary>Moves <paramref name="amount"/> from the caller to <paramref name="to"/>. Emits <c>Transfer</c>.</summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="to">The recipient's account id (must exist).</param>
    /// <param name="amount">The amount in the smallest unit.</param>
    /// <param name="memo">Free text.</param>
    public async Task<string> Transfer(Context ctx, string to, string amount, string memo)
    {
        var (ledger, _, caller) = await BeginAsync(ctx).ConfigureAwait(false);
        Inputs.Account(to, "to", out _);
        var value = Inputs.PositiveAmount(amount, "amount");
        memo = Inputs.Text(memo, "memo");
        if (to == caller)
        {
            throw new InvalidOperationException($"self-transfer: account {caller} cannot transfer to itself");
        }
        await ledger.RequireAccountAsync(to).ConfigureAwait(false);
        await ledger.DebitAsync(caller, value).ConfigureAwait(false);
        ledger.Credit(to, value);
        await ledger.FlushAsync().ConfigureAwait(false);
        ctx.Stub.SetEvent("Transfer", Json.Bytes(new TransferEvent(caller, to, amount, memo, null, ctx.Stub.TxId)));
        return ctx.Stub.TxId;
    }

    /// <summary>Lets <paramref name="spender"/> take up to <paramref name="amount"/> from the caller (replaces the allowance; 0 revokes). Emits <c>Approval</c>.</summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="spender">The spender's account id (must exist).</param>
    /// <param name="amount">The allowance in the smallest unit; 0 revokes it.</param>
    public async Task<string> Approve(Context ctx, string spender, string amount)
    {
        var (ledger, _, caller) = await BeginAsync(ctx).ConfigureAwait(false);
        Inputs.Account(spender, "spender", out _);
        var value = Inputs.Amount(amount, "amount");
        if (spender == caller)
        {
            throw new InvalidOperationException($"account {caller} cannot approve itself as spender");
        }
        await ledger.RequireAccountAsync(spender).ConfigureAwait(false);
        if (value == 0)
        {
            await ctx.Stub.DeleteStateAsync(Keys.Allowance(caller, spender), ctx.CancellationToken).ConfigureAwait(false);
        }
        else
        {
            await ledger.PutTextAsync(Keys.Allowance(caller, spender), TokenLedger.Format(value)).ConfigureAwait(false);
        }
        ctx.Stub.SetEvent("Approval", Json.Bytes(new ApprovalEvent(caller, spender, TokenLedger.Format(value))));
        return TokenLedger.Format(value);
    }

    /// <summary>What <paramref name="spender"/> may still take from <paramref name="owner"/>, as a decimal integer.</summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="owner">The owner's account id.</param>
    /// <param name="spender">The spender's account id.</param>
    [Evaluate]
    public async Task<string> Allowance(Context ctx, string owner, string spender)
    {
        var ledger = Ledger(ctx);
        await ledger.ConfigAsync().ConfigureAwait(false);
        Inputs.Account(owner, "owner", out _);
        Inputs.Account(spender, "spender", out _);
        return TokenLedger.Format(await ledger.GetAmountAsync(Keys.Allowance(owner, spender)).ConfigureAwait(false));
    }

    /// <summary>Moves <paramref name="amount"/> from <paramref name="from"/> to <paramref name="to"/> within the caller's allowance. Emits <c>Transfer</c> (with <c>spender</c>).</summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="from">The owner's account id.</param>
    /// <param name="to">The recipient's account id (must exist).</param>
    /// <param name="amount">The amount in the smallest unit.</param>
    public async Task<string> TransferFrom(Context ctx, string from, string to, string amount)
    {
        var (ledger, _, caller) = await BeginAsync(ctx).ConfigureAwait(false);
        Inputs.Account(from, "from", out _);
        Inputs.Account(to, "to", out _);
        var value = Inputs.PositiveAmount(amount, "amount");
        if (from == to)
        {
            throw new InvalidOperationException($"self-transfer: account {from} cannot transfer to itself");
        }
        if (from == caller)
        {
            throw new InvalidOperationException("TransferFrom spends another account's allowance: use Transfer for your own funds");
        }
        await ledger.RequireAccountAsync(from).ConfigureAwait(false);
        await ledger.RequireAccountAsync(to).ConfigureAwait(false);
        var allowance = await ledger.GetAmountAsync(Keys.Allowance(from, caller)).ConfigureAwait(false);
        if (allowance < value)
        {
            throw new InvalidOperationException($"insufficient allowance: {caller} may take {TokenLedger.Format(allowance)} from {from}, needs {amount}");
        }
        await ledger.DebitAsync(from, value).ConfigureAwait(false);
        ledger.Credit(to, value);
        await ledger.FlushAsync().ConfigureAwait(false);
        var rest = allowance - value;
        if (rest == 0)
        {
            await ctx.Stub.DeleteStateAsync(Keys.Allowance(from, caller), ctx.CancellationToken).ConfigureAwait(false);
        }
        else
        {
            await ledger.PutTextAsync(Keys.Allowance(from, caller), TokenLedger.Format(rest)).ConfigureAwait(false);
        }
        ctx.Stub.SetEvent("Transfer", Json.Bytes(new TransferEvent(from, to, amount, "", caller, ctx.Stub.TxId)));
        return ctx.Stub.TxId;
    }

    /// <summary>
    /// Mints cashback for a billed usage report: <c>billedAmountCents × cashbackBasisPoints / 10000</c> (floor) to
    /// <paramref name="account"/>, once per report id. Issuer minters only. Reads and writes only keys of this report,
    /// this account and this transaction, so rewards to different customers never conflict. Emits <c>Reward</c>.
    /// </summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="account">The customer's account id (opened if new).</param>
    /// <param name="usageReportId">The usage report's id.</param>
    /// <param name="billedAmountCents">The billed amount in cents.</param>
    /// <param name="period">The billing period (free text, e.g. 2026-10).</param>
    public async Task<string> RewardUsage(Context ctx, string account, string usageReportId, string billedAmountCents, string period)
    {
        var ledger = Ledger(ctx);
        var config = await ledger.ConfigAsync().ConfigureAwait(false);
        var minter = RequireMinter(ctx, config, nameof(RewardUsage));
        Inputs.Account(account, "account", out var mspId);
        Inputs.Id(usageReportId, "usageReportId");
        var billed = Inputs.PositiveAmount(billedAmountCents, "billedAmountCents");
        period = Inputs.Text(period, "period", required: true);
        var reward = (Int128)billed * config.CashbackBasisPoints / 10_000;
        if (reward == 0)
        {
            throw new InvalidOperationException($"reward for billed amount {billed} at {config.CashbackBasisPoints} basis points is zero");
        }
        if (await ledger.GetAsync<Reward>(Keys.Reward(usageReportId)).ConfigureAwait(false) is { } earlier)
        {
            throw new InvalidOperationException($"usage report {usageReportId} was already rewarded in transaction {earlier.TxId}");
        }
        await ledger.OpenAsync(account, mspId).ConfigureAwait(false);
        ledger.Credit(account, reward);
        ledger.ChangeSupply(reward);
        await ledger.FlushAsync().ConfigureAwait(false);
        var record = new Reward(usageReportId, account, billedAmountCents, period, TokenLedger.Format(reward), minter, ctx.Stub.TxId, ledger.Now);
        await ledger.PutAsync(Keys.Reward(usageReportId), record).ConfigureAwait(false);
        ctx.Stub.SetEvent("Reward", Json.Bytes(record));
        return record.Amount;
    }

    /// <summary>Mints <paramref name="amount"/> to <paramref name="account"/> (opened if new). Issuer minters only. Emits <c>Mint</c>.</summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="account">The account id.</param>
    /// <param name="amount">The amount in the smallest unit.</param>
    /// <param name="reason">Free text.</param>
    public async Task<string> Mint(Context ctx, string account, string amount, string reason)
    {
        var ledger = Ledger(ctx);
        var config = await ledger.ConfigAsync().ConfigureAwait(false);
        var minter = RequireMinter(ctx, config, nameof(Mint));
        Inputs.Account(account, "account", out var mspId);
        var value = Inputs.PositiveAmount(amount, "amount");
        reason = Inputs.Text(reason, "reason");
        await ledger.OpenAsync(account, mspId).ConfigureAwait(false);
        ledger.Credit(account, value);
        ledger.ChangeSupply(value);
        await ledger.FlushAsync().ConfigureAwait(false);
        ctx.Stub.SetEvent("Mint", Json.Bytes(new MintEvent(account, amount, reason, minter, ctx.Stub.TxId)));
        return ctx.Stub.TxId;
    }

    /// <summary>Burns <paramref name="amount"/> from the calling issuer minter's own account. Emits <c>Burn</c>.</summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="amount">The amount in the smallest unit.</param>
    /// <param name="reason">Free text.</param>
    public async Task<string> Burn(Context ctx, string amount, string reason)
    {
        var (ledger, config, caller) = await BeginAsync(ctx).ConfigureAwait(false);
        RequireMinter(ctx, config, nameof(Burn));
        var value = Inputs.PositiveAmount(amount, "amount");
        reason = Inputs.Text(reason, "reason");
        await ledger.DebitAsync(caller, value).ConfigureAwait(false);
        ledger.ChangeSupply(-(Int128)value);
        await ledger.FlushAsync().ConfigureAwait(false);
        ctx.Stub.SetEvent("Burn", Json.Bytes(new BurnEvent(caller, amount, reason, ctx.Stub.TxId)));
        return ctx.Stub.TxId;
    }

    /// <summary>Creates or replaces a catalogue offer. Issuer minters only. Emits <c>OfferUpserted</c>.</summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="id">The offer id.</param>
    /// <param name="description">What it is.</param>
    /// <param name="kind">compute-credit, subscription, support or catalog-item.</param>
    /// <param name="priceInZon">The price per unit in the smallest unit.</param>
    /// <param name="active"><c>true</c> or <c>false</c>.</param>
    public async Task<string> UpsertOffer(Context ctx, string id, string description, string kind, string priceInZon, string active)
    {
        var (ledger, config, _) = await BeginAsync(ctx).ConfigureAwait(false);
        RequireMinter(ctx, config, nameof(UpsertOffer));
        var offer = new Offer(
            Inputs.Id(id, "offer id"),
            Inputs.Text(description, "description", required: true),
            Kinds.Contains(kind) ? kind : throw new ArgumentException($"unknown kind '{kind}': use one of {string.Join(", ", Kinds)}"),
            TokenLedger.Format(Inputs.PositiveAmount(priceInZon, "priceInZon")),
            Inputs.Boolean(active, "active"),
            ledger.Now);
        await ledger.PutAsync(Keys.Offer(offer.Id), offer).ConfigureAwait(false);
        ctx.Stub.SetEvent("OfferUpserted", Json.Bytes(offer));
        return Json.Text(offer);
    }

    /// <summary>An offer as JSON.</summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="id">The offer id.</param>
    [Evaluate]
    public async Task<string> GetOffer(Context ctx, string id)
    {
        var ledger = Ledger(ctx);
        await ledger.ConfigAsync().ConfigureAwait(false);
        return Json.Text(await RequireOfferAsync(ledger, id).ConfigureAwait(false));
    }

    /// <summary>Every offer as a JSON array, ordered by id.</summary>
    /// <param name="ctx">The transaction context.</param>
    [Evaluate]
    public async Task<string> ListOffers(Context ctx)
    {
        var ledger = Ledger(ctx);
        await ledger.ConfigAsync().ConfigureAwait(false);
        var offers = new List<Offer>();
        await foreach (var entry in ctx.Stub.GetStateByPartialCompositeKey(Keys.OfferType).WithCancellation(ctx.CancellationToken).ConfigureAwait(false))
        {
            offers.Add(Json.Read<Offer>(entry.Value));
        }
        return Json.Text(offers.OrderBy(o => o.Id, StringComparer.Ordinal).ToList());
    }

    /// <summary>Buys <paramref name="quantity"/> units of an active offer: burns price × quantity from the caller and records a redemption (id = txid). Emits <c>Redeemed</c>.</summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="offerId">The offer id.</param>
    /// <param name="quantity">A positive integer.</param>
    public async Task<string> Redeem(Context ctx, string offerId, string quantity)
    {
        var (ledger, _, caller) = await BeginAsync(ctx).ConfigureAwait(false);
        var count = Inputs.PositiveAmount(quantity, "quantity");
        var offer = await RequireOfferAsync(ledger, offerId).ConfigureAwait(false);
        if (!offer.Active)
        {
            throw new InvalidOperationException($"offer {offer.Id} is not active");
        }
        var amount = checked(Int128.Parse(offer.PriceInZon, System.Globalization.CultureInfo.InvariantCulture) * count);
        await ledger.DebitAsync(caller, amount).ConfigureAwait(false);
        ledger.ChangeSupply(-amount);
        await ledger.FlushAsync().ConfigureAwait(false);
        var redemption = new Redemption(ctx.Stub.TxId, offer.Id, offer.Kind, count, TokenLedger.Format(amount), caller, ledger.Now);
        await ledger.PutAsync(Keys.Redemption(redemption.RedemptionId), redemption).ConfigureAwait(false);
        ctx.Stub.SetEvent("Redeemed", Json.Bytes(redemption));
        return Json.Text(redemption);
    }

    /// <summary>A redemption as JSON.</summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="id">The redemption id (the redeeming transaction's id).</param>
    [Evaluate]
    public async Task<string> GetRedemption(Context ctx, string id)
    {
        var ledger = Ledger(ctx);
        await ledger.ConfigAsync().ConfigureAwait(false);
        Inputs.Id(id, "redemption id");
        var redemption = await ledger.GetAsync<Redemption>(Keys.Redemption(id)).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"unknown redemption {id}");
        return Json.Text(redemption);
    }

    /// <summary>Moves <paramref name="amount"/> from the caller (payer) into escrow for <paramref name="payee"/>, decided by <paramref name="notary"/>. Emits <c>HoldCreated</c>.</summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="holdId">A new hold id.</param>
    /// <param name="payee">The payee's account id (must exist).</param>
    /// <param name="notary">The notary's account id (must exist).</param>
    /// <param name="amount">The amount in the smallest unit.</param>
    /// <param name="expiresAt">ISO-8601 UTC time after which the hold can no longer be executed.</param>
    /// <param name="reference">Free text, e.g. a supply-chain shipment id.</param>
    public async Task<string> Hold(Context ctx, string holdId, string payee, string notary, string amount, string expiresAt, string reference)
    {
        var (ledger, _, caller) = await BeginAsync(ctx).ConfigureAwait(false);
        Inputs.Id(holdId, "holdId");
        Inputs.Account(payee, "payee", out _);
        Inputs.Account(notary, "notary", out _);
        var value = Inputs.PositiveAmount(amount, "amount");
        var expiry = Inputs.Time(expiresAt, "expiresAt");
        reference = Inputs.Text(reference, "reference");
        if (payee == caller)
        {
            throw new InvalidOperationException($"self-transfer: account {caller} cannot hold funds for itself");
        }
        if (expiry <= ctx.Stub.TxTimestamp)
        {
            throw new InvalidOperationException($"expiresAt {expiresAt} is not after the transaction time {ledger.Now}");
        }
        if (await ledger.GetAsync<Hold>(Keys.Hold(holdId)).ConfigureAwait(false) is not null)
        {
            throw new InvalidOperationException($"hold {holdId} already exists");
        }
        await ledger.RequireAccountAsync(payee).ConfigureAwait(false);
        await ledger.RequireAccountAsync(notary).ConfigureAwait(false);
        await ledger.DebitAsync(caller, value).ConfigureAwait(false);
        await ledger.FlushAsync().ConfigureAwait(false);
        var hold = new Hold(holdId, caller, payee, notary, TokenLedger.Format(value), Inputs.FormatTime(expiry), reference, Token.Hold.Open, ledger.Now);
        await ledger.PutAsync(Keys.Hold(holdId), hold).ConfigureAwait(false);
        ctx.Stub.SetEvent("HoldCreated", Json.Bytes(hold));
        return Json.Text(hold);
    }

    /// <summary>The notary pays <paramref name="amount"/> of an open, unexpired hold to the payee; the rest goes back to the payer. Emits <c>HoldExecuted</c>.</summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="holdId">The hold id.</param>
    /// <param name="amount">At most the held amount.</param>
    public async Task<string> ExecuteHold(Context ctx, string holdId, string amount)
    {
        var (ledger, _, caller) = await BeginAsync(ctx).ConfigureAwait(false);
        var hold = await RequireOpenHoldAsync(ledger, holdId).ConfigureAwait(false);
        if (caller != hold.Notary)
        {
            throw new InvalidOperationException($"only the notary {hold.Notary} may execute hold {holdId}");
        }
        if (ctx.Stub.TxTimestamp >= Inputs.Time(hold.ExpiresAt, "expiresAt"))
        {
            throw new InvalidOperationException($"hold {holdId} expired at {hold.ExpiresAt}");
        }
        var value = Inputs.PositiveAmount(amount, "amount");
        var held = Int128.Parse(hold.Amount, System.Globalization.CultureInfo.InvariantCulture);
        if (value > held)
        {
            throw new InvalidOperationException($"amount {amount} exceeds the {hold.Amount} held by hold {holdId}");
        }
        ledger.Credit(hold.Payee, value);
        if (held > value)
        {
            ledger.Credit(hold.Payer, held - value);
        }
        await ledger.FlushAsync().ConfigureAwait(false);
        hold = hold with
        {
            Status = Token.Hold.Executed,
            ExecutedAmount = TokenLedger.Format(value),
            ReturnedAmount = TokenLedger.Format(held - value),
            ClosedAt = ledger.Now,
            ClosedBy = caller,
        };
        await ledger.PutAsync(Keys.Hold(holdId), hold).ConfigureAwait(false);
        ctx.Stub.SetEvent("HoldExecuted", Json.Bytes(hold));
        return Json.Text(hold);
    }

    /// <summary>Returns everything held to the payer; the payee or notary may do so any time, anyone after expiry. Emits <c>HoldReleased</c>.</summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="holdId">The hold id.</param>
    public async Task<string> ReleaseHold(Context ctx, string holdId)
    {
        var (ledger, _, caller) = await BeginAsync(ctx).ConfigureAwait(false);
        var hold = await RequireOpenHoldAsync(ledger, holdId).ConfigureAwait(false);
        var expired = ctx.Stub.TxTimestamp >= Inputs.Time(hold.ExpiresAt, "expiresAt");
        if (!expired && caller != hold.Payee && caller != hold.Notary)
        {
            throw new InvalidOperationException($"only the payee or the notary may release hold {holdId} before it expires at {hold.ExpiresAt}");
        }
        ledger.Credit(hold.Payer, Int128.Parse(hold.Amount, System.Globalization.CultureInfo.InvariantCulture));
        await ledger.FlushAsync().ConfigureAwait(false);
        hold = hold with { Status = Token.Hold.Released, ReturnedAmount = hold.Amount, ClosedAt = ledger.Now, ClosedBy = caller };
        await ledger.PutAsync(Keys.Hold(holdId), hold).ConfigureAwait(false);
        ctx.Stub.SetEvent("HoldReleased", Json.Bytes(hold));
        return Json.Text(hold);
    }

    /// <summary>A hold as JSON (status open, executed or released).</summary>
    /// <param name="ctx">The transaction context.</param>
    /// <param name="holdId">The hold id.</param>
    [Evaluate]
    public async Task<string> GetHold(Context ctx, string holdId)
    {
        var ledger = Ledger(ctx);
        await ledger.ConfigAsync().ConfigureAwait(false);
        return Json.Text(await RequireHoldAsync(ledger, holdId).ConfigureAwait(false));
    }

    private static TokenLedger Ledger(Context ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        return new TokenLedger(ctx.Stub, ctx.CancellationToken);
    }

    private static ClientIdentity Identity(Context ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        return ctx.ClientIdentity;
    }

    /// <summary>The start of a submitting call by an account holder: the token must be initialized; the caller's account is opened if new.</summary>
    private static async Task<(TokenLedger Ledger, TokenConfig Config, string Caller)> BeginAsync(Context ctx)
    {
        var ledger = Ledger(ctx);
        var config = await ledger.ConfigAsync().ConfigureAwait(false);
        var identity = Identity(ctx);
        var caller = AccountIds.For(identity);
        await ledger.OpenAsync(caller, identity.MspId).ConfigureAwait(false);
        return (ledger, config, caller);
    }

    /// <summary>Checks the caller is a minter of the issuer org and returns its account id.</summary>
    private static string RequireMinter(Context ctx, TokenConfig config, string function)
    {
        var identity = Identity(ctx);
        var account = AccountIds.For(identity);
        if (identity.MspId != config.IssuerMspId || !IsMinter(identity))
        {
            throw new UnauthorizedAccessException(
                $"{function} needs a minter of the issuer org {config.IssuerMspId} (attribute role=minter or zoncoin.minter=true, or OU admin); caller {account} is not one");
        }
        return account;
    }

    private static bool IsMinter(ClientIdentity identity) =>
        identity.AssertAttributeValue(RoleAttribute, MinterRole)
        || identity.AssertAttributeValue(MinterAttribute, "true")
        || IsAdmin(identity.Certificate);

    private static bool IsAdmin(X509Certificate2 certificate) =>
        certificate.SubjectName.EnumerateRelativeDistinguishedNames().Any(rdn =>
            !rdn.HasMultipleElements && rdn.GetSingleElementType().Value == OuOid
            && string.Equals(rdn.GetSingleElementValue(), AdminOu, StringComparison.Ordinal));

    private static async Task<Offer> RequireOfferAsync(TokenLedger ledger, string id)
    {
        Inputs.Id(id, "offer id");
        return await ledger.GetAsync<Offer>(Keys.Offer(id)).ConfigureAwait(false) ?? throw new InvalidOperationException($"unknown offer {id}");
    }

    private static async Task<Hold> RequireHoldAsync(TokenLedger ledger, string holdId)
    {
        Inputs.Id(holdId, "holdId");
        return await ledger.GetAsync<Hold>(Keys.Hold(holdId)).ConfigureAwait(false) ?? throw new InvalidOperationException($"unknown hold {holdId}");
    }

    private static async Task<Hold> RequireOpenHoldAsync(TokenLedger ledger, string holdId)
    {
        var hold = await RequireHoldAsync(ledger, holdId).ConfigureAwait(false);
        return hold.Status == Token.Hold.Open ? hold : throw new InvalidOperationException($"hold {holdId} is already {hold.Status}");
    }
}
