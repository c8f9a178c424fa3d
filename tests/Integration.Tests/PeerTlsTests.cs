using ZonCoin.Core.Protocol;
using ZonCoin.Integration.Tests.Support;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Peer;
using ZonCoin.Rpc.Services;

namespace ZonCoin.Integration.Tests;

/// <summary>
/// A peer and an orderer with mutual TLS everywhere: joining through the TLS admin endpoint with the org admin's
/// client certificate, pulling blocks from the orderer over mutual TLS, and serving Deliver and DeliverFiltered
/// to a client whose request is bound to its TLS certificate.
/// </summary>
[Collection(ConsortiumCollectionDefinition.Name)]
public sealed class PeerTlsTests : IAsyncLifetime
{
    private const string ChannelId = "tls-peer";
    private readonly Consortium _consortium = new() { PeerOrgs = 1 };

    public Task InitializeAsync() => _consortium.InitializeAsync();

    public Task DisposeAsync() => _consortium.DisposeAsync();

    [Fact]
    public async Task A_tls_peer_joins_pulls_blocks_from_a_tls_orderer_and_delivers_them_to_a_tls_client()
    {
        var org = _consortium.Orgs[0];
        await using var orderer = await OrdererNode.StartAsync(_consortium);
        var genesis = _consortium.Genesis(ChannelId, memberCount: 1, ordererEndpoints: [$"127.0.0.1:{orderer.Port}"]);
        Assert.Equal(0, (await orderer.JoinAsync(genesis)).ExitCode);
        await using var peer = await PeerNode.StartAsync(_consortium, org, tls: true);
        var joined = await peer.JoinAsync(genesis);
        Assert.True(joined.ExitCode == 0, joined.Output);

        var envelope = Transactions.Create(ChannelId, org.User());
        using (var ordererChannel = orderer.Connect(org))
        {
            await using var broadcast = new BroadcastSession(ordererChannel.CreateCallInvoker());
            Assert.Equal(Status.Success, (await broadcast.SendAsync(envelope)).Status);
        }

        using var channel = peer.Connect();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var request = DeliverRequests.Create(ChannelId, DeliverRequests.Range(DeliverRequests.Specified(0), DeliverRequests.Specified(1)), org.User(), org.ClientCertificateHash());
        var blocks = new List<Block>();
        await foreach (var response in PeerDeliverClient.ReadAsync(channel.CreateCallInvoker(), PeerDeliverService.Deliver, request, timeout.Token))
        {
            if (response.TypeCase == DeliverResponse.TypeOneofCase.Block)
            {
                blocks.Add(response.Block);
            }
            else
            {
                Assert.Equal(Status.Success, response.Status);
            }
        }
        Assert.Equal([0UL, 1UL], blocks.Select(block => block.Header.Number));
        Assert.Equal(Transactions.TxId(envelope), Transactions.TxId(Assert.Single(blocks[1].Data.Data)));
        Assert.Single(blocks[1].Metadata.Metadata[(int)BlockMetadataIndex.TransactionsFilter]);

        var filteredRequest = DeliverRequests.Create(ChannelId, DeliverRequests.Range(DeliverRequests.Specified(1), DeliverRequests.Specified(1)), org.User(), org.ClientCertificateHash());
        FilteredBlock? filtered = null;
        await foreach (var response in PeerDeliverClient.ReadAsync(channel.CreateCallInvoker(), PeerDeliverService.DeliverFiltered, filteredRequest, timeout.Token))
        {
            filtered ??= response.FilteredBlock;
        }
        Assert.NotNull(filtered);
        Assert.Equal(Transactions.TxId(envelope), Assert.Single(filtered.FilteredTransactions).Txid);

        // Without the TLS certificate hash the request is refused (BAD_REQUEST), as Fabric's peers do under mutual TLS.
        var unbound = DeliverRequests.Create(ChannelId, DeliverRequests.Range(DeliverRequests.Specified(0), DeliverRequests.Specified(0)), org.User());
        Status? status = null;
        await foreach (var response in PeerDeliverClient.ReadAsync(channel.CreateCallInvoker(), PeerDeliverService.Deliver, unbound, timeout.Token))
        {
            status = response.TypeCase == DeliverResponse.TypeOneofCase.Status ? response.Status : status;
        }
        Assert.Equal(Status.BadRequest, status);
    }
}
