using System.Text;
using Grpc.Core;
using ZonCoin.Gateway.Client;
using ZonCoin.Integration.Tests.Support;
using GatewayClient = ZonCoin.Gateway.Client.Gateway;

namespace ZonCoin.Integration.Tests;

/// <summary>
/// The gateway's concurrency limit (Fabric's <c>peer.limits.concurrency.gatewayService</c>) on a real gateway process
/// started with <c>--concurrency-limit 1</c> in front of the <see cref="GatewayNetwork"/> peers: an open chaincode
/// events stream holds the only slot (as in Fabric, streams count against the limit), so an Evaluate is refused with
/// RESOURCE_EXHAUSTED ("too many requests") until the stream closes. The gateway's in-flight gauge tells when the
/// stream holds the slot, so no request races it; waits are bounded by a cancellation deadline, not asserted.
/// </summary>
[Collection(GatewayNetworkCollectionDefinition.Name)]
public sealed class GatewayConcurrencyLimitTests(GatewayNetwork network)
{
    [Fact]
    public async Task An_open_chaincode_events_stream_holds_the_only_slot_until_it_closes()
    {
        await using var gateway = await GatewayNode.StartAsync(network.Org1, [network.Peer1.Endpoint, $"{network.Org2.MspId}@{network.Peer2.Endpoint}"],
            "--concurrency-limit", "1");
        using var channel = gateway.Connect();
        using var client = network.Org1.ConnectGateway(channel);
        var fabric = client.GetNetwork(PeerNetwork.ChannelId);
        var contract = fabric.GetContract(PeerNetwork.Chaincode);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));

        // With the slot free, requests go through one after another.
        Assert.Equal("false", Encoding.UTF8.GetString(await contract.EvaluateTransactionAsync("AssetExists", "no-such-asset").WaitAsync(deadline.Token)));
        await PollAsync(async () => await gateway.RequestsInFlightAsync(deadline.Token) == 0 ? "free" : null, gateway, deadline.Token);

        // An open chaincode events stream takes the only slot (the gateway's in-flight gauge shows when it has).
        using var closeStream = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
        var events = fabric.GetChaincodeEvents(PeerNetwork.Chaincode, cancellationToken: closeStream.Token).GetAsyncEnumerator(closeStream.Token);
        var firstEvent = events.MoveNextAsync().AsTask();
        await PollAsync(async () =>
        {
            if (firstEvent.IsCompleted)
            {
                await firstEvent;
                Assert.Fail("the chaincode events stream ended while it should hold the slot");
            }
            return await gateway.RequestsInFlightAsync(deadline.Token) == 1 ? "held" : null;
        }, gateway, deadline.Token);

        var refused = await Assert.ThrowsAsync<GatewayException>(() => contract.EvaluateTransactionAsync("AssetExists", "no-such-asset").WaitAsync(deadline.Token));
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Contains("too many requests", refused.StatusMessage, StringComparison.Ordinal);
        Assert.Contains("concurrency limit (1)", refused.StatusMessage, StringComparison.Ordinal);
        Assert.False(firstEvent.IsCompleted);

        // Closing the stream frees the slot: Evaluate succeeds again.
        await closeStream.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => firstEvent);
        await events.DisposeAsync();
        var result = await PollAsync(async () =>
        {
            try
            {
                return await contract.EvaluateTransactionAsync("AssetExists", "no-such-asset").WaitAsync(deadline.Token);
            }
            catch (GatewayException ex) when (ex.StatusCode == StatusCode.ResourceExhausted)
            {
                return null;
            }
        }, gateway, deadline.Token);
        Assert.Equal("false", Encoding.UTF8.GetString(result));
    }

    /// <summary>Repeats <paramref name="attempt"/> until it returns a value; the deadline (not a timing assertion) bounds it.</summary>
    private static async Task<T> PollAsync<T>(Func<Task<T?>> attempt, GatewayNode gateway, CancellationToken deadline)
        where T : class
    {
        while (true)
        {
            if (deadline.IsCancellationRequested)
            {
                throw new TimeoutException($"the gateway never reached the expected state:\n{gateway.Output}");
            }
            if (await attempt() is { } value)
            {
                return value;
            }
            try
            {
                await Task.Delay(50, deadline);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
