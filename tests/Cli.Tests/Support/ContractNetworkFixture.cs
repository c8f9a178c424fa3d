using System.Globalization;
using System.Text;
using ZonCoin.Gateway.Client;
using ClientGateway = ZonCoin.Gateway.Client.Gateway;

namespace ZonCoin.Cli.Tests.Support;

/// <summary>
/// One local network of the default topology (TLS, Amazon's peer on PostgreSQL) for a test class, started with
/// <c>zoncoin network up</c> and purged with <c>network down --purge</c>; connects six identities through the C#
/// gateway SDK: each org's admin and user (Amazon's admin is the ZonCoin issuer's minter). It also records every
/// ZonCoin account the tests credit and every hold they open, so the supply invariant can be checked over all of them.
/// </summary>
public sealed class ContractNetworkFixture : IAsyncLifetime, IDisposable
{
    private readonly LocalNetworkFolder _folder = new();
    private readonly List<ClientGateway> _gateways = [];
    private readonly HashSet<string> _accounts = new(StringComparer.Ordinal);
    private readonly HashSet<string> _holds = new(StringComparer.Ordinal);

    public Party AmazonAdmin { get; private set; } = null!;
    public Party AmazonUser { get; private set; } = null!;
    public Party ManufacturerAdmin { get; private set; } = null!;
    public Party ManufacturerUser { get; private set; } = null!;
    public Party DistributorAdmin { get; private set; } = null!;
    public Party DistributorUser { get; private set; } = null!;

    /// <summary>Every identity, Amazon's admin first.</summary>
    public IReadOnlyList<Party> Parties => [AmazonAdmin, AmazonUser, ManufacturerAdmin, ManufacturerUser, DistributorAdmin, DistributorUser];

    /// <summary>The accounts credited so far by any test of the class.</summary>
    public IReadOnlyCollection<string> Accounts => _accounts;

    /// <summary>The holds opened so far by any test of the class (open or not any more).</summary>
    public IReadOnlyCollection<string> Holds => _holds;

    public async Task InitializeAsync()
    {
        var topology = _folder.WriteFreePortTopology();
        var up = CliProcess.Run("network", "up", "--topology", topology, "--dir", _folder.NetworkDir);
        if (up.ExitCode != 0)
        {
            throw new InvalidOperationException($"network up failed:\n{up.StandardOutput}\n{up.StandardError}");
        }
        AmazonAdmin = await ConnectAsync("Amazon", asAdmin: true).ConfigureAwait(false);
        AmazonUser = await ConnectAsync("Amazon", asAdmin: false).ConfigureAwait(false);
        ManufacturerAdmin = await ConnectAsync("Manufacturer", asAdmin: true).ConfigureAwait(false);
        ManufacturerUser = await ConnectAsync("Manufacturer", asAdmin: false).ConfigureAwait(false);
        DistributorAdmin = await ConnectAsync("Distributor", asAdmin: true).ConfigureAwait(false);
        DistributorUser = await ConnectAsync("Distributor", asAdmin: false).ConfigureAwait(false);
    }

    // xUnit calls Dispose after DisposeAsync: the gateways are closed and the network purged there.
    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        foreach (var gateway in _gateways)
        {
            gateway.Dispose();
        }
        _folder.Dispose();
    }

    public void RecordAccount(string account) => _accounts.Add(account);

    public void RecordHold(string holdId) => _holds.Add(holdId);

    /// <summary>
    /// Submits, requires a VALID commit, then waits until every org's peer has the block, so the next endorsement
    /// sees the same state on each endorser. Returns the result and the commit status.
    /// </summary>
    public async Task<(string Result, CommitStatus Status)> SubmitAsync(Contract contract, string function, params string[] args)
    {
        var submitted = await contract.SubmitAsync(function, ProposalOptions.WithArguments(args)).ConfigureAwait(false);
        var status = await submitted.GetStatusAsync().ConfigureAwait(false);
        Assert.True(status.Successful, $"{function} {status.TransactionId} committed as {status.Code}");
        await EveryOrgHasAsync(contract.ChannelName, status.BlockNumber).ConfigureAwait(false);
        return (Encoding.UTF8.GetString(submitted.Result), status);
    }

    /// <summary>Waits for a block event of <paramref name="block"/> from each org's gateway (each follows its own peer).</summary>
    public async Task EveryOrgHasAsync(string channel, ulong block)
    {
        // A failure guard, not a timing assertion: a block that never arrives fails the test instead of hanging it.
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        foreach (var party in new[] { AmazonUser, ManufacturerUser, DistributorUser })
        {
            await foreach (var _ in party.Gateway.GetNetwork(channel).GetFilteredBlockEvents(new BlockEventsOptions { StartBlock = block }, guard.Token).ConfigureAwait(false))
            {
                break;
            }
        }
    }

    public static async Task<string> EvaluateAsync(Contract contract, string function, params string[] args) =>
        Encoding.UTF8.GetString(await contract.EvaluateTransactionAsync(function, args).ConfigureAwait(false));

    public static async Task<long> BalanceAsync(Contract token, string account) =>
        long.Parse(await EvaluateAsync(token, "BalanceOf", account).ConfigureAwait(false), CultureInfo.InvariantCulture);

    private async Task<Party> ConnectAsync(string org, bool asAdmin)
    {
        var gateway = ClientGateway.Connect(ConnectionProfile.Load(_folder.ProfilePath(org)), asAdmin: asAdmin);
        _gateways.Add(gateway);
        var token = gateway.GetNetwork("zoncoin").GetContract("zoncoin");
        var account = await EvaluateAsync(token, "ClientAccountId").ConfigureAwait(false);
        return new Party($"{org} {(asAdmin ? "admin" : "user")}", gateway, token, gateway.GetNetwork("supplychain").GetContract("supplychain"), account);
    }
}

/// <summary>An identity connected through its org's gateway: its ZonCoin and supply-chain contracts and its account id.</summary>
public sealed record Party(string Name, ClientGateway Gateway, Contract Token, Contract Supply, string Account)
{
    public override string ToString() => Name;
}
