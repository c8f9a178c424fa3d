using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using ZonCoin.Gateway.Client;
using ZonCoin.Integration.Tests.Support;
using ZonCoin.Protos.Peer;
using GatewayClient = ZonCoin.Gateway.Client.Gateway;

namespace ZonCoin.Integration.Tests;

/// <summary>
/// The gateway each peer runs on its own address, as Fabric's: an application pointed at Org1's peer submits with
/// endorsement <c>AND('Org1MSP.peer','Org2MSP.peer')</c> (its own peer endorses in-process, Org2's anchor peer from
/// the channel configuration over the network), waits for the commit, reads events from the same address, and gets
/// Fabric's errors.
/// </summary>
[Collection(PeerNetworkCollectionDefinition.Name)]
public sealed class PeerGatewayTests(PeerNetwork network) : IDisposable
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(90);

    private readonly GrpcChannel _channel = network.Peer1.Connect();

    private GatewayClient Connect() => network.Org1.ConnectGateway(_channel);

    private static Contract Basic(GatewayClient gateway) => gateway.GetNetwork(PeerNetwork.ChannelId).GetContract(PeerNetwork.Chaincode);

    [Fact]
    public async Task An_application_pointed_at_a_peer_submits_evaluates_and_sees_the_commit_on_both_orgs()
    {
        using var gateway = Connect();
        var contract = Basic(gateway);
        var id = PeerNetwork.NewId();

        var submitted = await contract.SubmitAsync("CreateAsset", ProposalOptions.WithArguments(id, "teal", "4", "Dee", "40"));
        var status = await submitted.GetStatusAsync();

        Assert.Equal(TxValidationCode.Valid, status.Code);
        var (block, code) = await network.WaitForTransactionAsync(network.Peer2, submitted.TransactionId);
        Assert.Equal(TxValidationCode.Valid, code);
        Assert.Equal(status.BlockNumber, block);
        var read = await contract.EvaluateTransactionAsync("ReadAsset", id);
        Assert.Equal("Dee", JsonDocument.Parse(read).RootElement.GetProperty("Owner").GetString());
    }

    [Fact]
    public async Task Block_events_come_from_the_same_address()
    {
        using var gateway = Connect();
        var submitted = await Basic(gateway).SubmitAsync("CreateAsset", ProposalOptions.WithArguments(PeerNetwork.NewId(), "olive", "1", "Eve", "1"));
        var status = await submitted.GetStatusAsync();
        using var timeout = new CancellationTokenSource(Guard);

        await foreach (var filtered in gateway.GetNetwork(PeerNetwork.ChannelId).GetFilteredBlockEvents(new BlockEventsOptions { StartBlock = status.BlockNumber }, timeout.Token))
        {
            var transaction = Assert.Single(filtered.FilteredTransactions, t => t.Txid == submitted.TransactionId);
            Assert.Equal(TxValidationCode.Valid, transaction.TxValidationCode);
            break;
        }
    }

    [Fact]
    public async Task A_chaincode_error_from_the_peers_own_endorser_reaches_the_application_as_fabrics()
    {
        using var gateway = Connect();
        var error = await Assert.ThrowsAsync<EndorseException>(() => Basic(gateway).SubmitTransactionAsync("NoSuchFunction"));

        Assert.Equal(StatusCode.Aborted, error.StatusCode);
        Assert.Contains(error.Details, d => d.MspId == network.Org1.MspId && d.Message.Contains("function that does not exist: NoSuchFunction", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unknown_channel_is_not_found()
    {
        using var gateway = Connect();
        var error = await Assert.ThrowsAnyAsync<GatewayException>(() => gateway.GetNetwork("no-such-channel").GetContract(PeerNetwork.Chaincode).EvaluateTransactionAsync("ReadAsset", "a"));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    public void Dispose() => _channel.Dispose();
}
