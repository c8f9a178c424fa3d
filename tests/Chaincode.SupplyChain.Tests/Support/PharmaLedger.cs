using System.Text.Json;
using ZonCoin.Chaincode.Contracts;

namespace ZonCoin.Chaincode.SupplyChain.Tests.Support;

/// <summary>
/// The supply-chain contract on an <see cref="InMemoryLedger"/> (channel <c>supplychain</c>, transactions one minute
/// apart), with the submit-and-assert shortcuts the tests use. Rich queries fail as on a SQLite peer until a test sets
/// <see cref="InMemoryLedger.RichQueries"/>.
/// </summary>
internal sealed class PharmaLedger : InMemoryLedger
{
    private readonly ContractChaincode _chaincode = new(new SupplyChainContract());

    public PharmaLedger()
    {
        ChannelId = "supplychain";
        ChaincodeName = "supplychain";
        ClockStep = TimeSpan.FromMinutes(1);
    }

    /// <summary>Runs a transaction as <paramref name="caller"/>, commits it when it succeeds, and advances the clock.</summary>
    public Task<TransactionResult> Submit(TestIdentity caller, string function, params string[] args) =>
        SubmitAsync(_chaincode, caller.Creator, function, args);

    /// <summary>Runs a transaction that must succeed; returns its result parsed as JSON.</summary>
    public async Task<JsonElement> Ok(TestIdentity caller, string function, params string[] args)
    {
        var (response, _) = await Submit(caller, function, args);
        Assert.True(response.IsSuccess, $"{function} failed: {response.Message}");
        using var document = JsonDocument.Parse(response.Payload);
        return document.RootElement.Clone();
    }

    /// <summary>Runs a transaction that must fail without changing state; returns its message.</summary>
    public async Task<string> Fails(TestIdentity caller, string function, params string[] args)
    {
        var before = Snapshot();
        var events = Events.Count;
        var (response, _) = await Submit(caller, function, args);
        Assert.False(response.IsSuccess, $"{function} succeeded but should have failed");
        Assert.Equal(before, Snapshot());
        Assert.Equal(events, Events.Count);
        return response.Message;
    }
}
