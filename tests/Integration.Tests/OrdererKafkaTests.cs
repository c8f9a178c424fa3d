using System.Collections.Concurrent;
using Google.Protobuf;
using ZonCoin.Core.Config;
using ZonCoin.Core.Protocol;
using ZonCoin.Integration.Tests.Support;
using ZonCoin.Kafka;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Kafka;
using ZonCoin.Protos.Orderer;
using ZonCoin.Rpc.Services;
using RpcException = Grpc.Core.RpcException;

namespace ZonCoin.Integration.Tests;

/// <summary>
/// Three Kafka orderer processes on a three-broker cluster speaking the real Kafka protocol (librdkafka's mock
/// cluster in this test process): identical chains, a crashed orderer catching up, a broker outage.
/// </summary>
[Collection(ConsortiumCollectionDefinition.Name)]
public sealed class OrdererKafkaTests
{
    private readonly Consortium _consortium;

    public OrdererKafkaTests(Consortium consortium)
    {
        _consortium = consortium;
    }

    [Fact]
    public async Task Three_orderers_build_identical_chains_through_a_crash_and_a_broker_outage_without_losing_or_duplicating_envelopes()
    {
        const string channelId = "kafka-three";
        using var cluster = MockKafkaCluster.Start(3);
        cluster.CreateTopic(channelId, partitions: 1, replicationFactor: 3);
        cluster.SetPartitionLeader(channelId, 0, 1);
        var orderers = new List<OrdererNode>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                orderers.Add(await OrdererNode.StartAsync(_consortium, index: i, tls: false, consensus: "kafka",
                    extraArgs: ["--kafka-brokers", cluster.BootstrapServers]));
            }
            var genesis = _consortium.Genesis(channelId, ordering: new OrderingDefinition
            {
                ConsensusType = "kafka",
                KafkaBrokers = cluster.BootstrapServers.Split(','),
                MaxMessageCount = 20,
                BatchTimeout = TimeSpan.FromMilliseconds(300),
            }, ordererEndpoints: [.. orderers.Select(o => $"127.0.0.1:{o.Port}")]);
            foreach (var orderer in orderers)
            {
                var (exitCode, output) = await orderer.JoinAsync(genesis);
                Assert.True(exitCode == 0, output);
            }
            foreach (var orderer in orderers)
            {
                await orderer.WaitHealthyAsync();
            }
            var acknowledged = new ConcurrentBag<string>();

            // Phase 1: one stream per orderer.
            await Task.WhenAll(orderers.Select((orderer, i) => SendAsync(orderer, channelId, _consortium.Orgs[i], 120, acknowledged)));

            // Phase 2: orderer 1 is killed while its client is still sending; the others keep going.
            var victim = orderers[1];
            using var stopVictim = new CancellationTokenSource();
            var toVictim = SendAsync(victim, channelId, _consortium.Orgs[1], 400, acknowledged, stopAfter: 60, onStop: victim.Kill);
            await Task.WhenAll(
                SendAsync(orderers[0], channelId, _consortium.Orgs[0], 100, acknowledged),
                SendAsync(orderers[2], channelId, _consortium.Orgs[2], 100, acknowledged),
                toVictim);

            // Phase 3: a follower broker goes down; ordering continues. Then the leader fails and leadership moves.
            cluster.SetBrokerDown(3);
            await SendAsync(orderers[0], channelId, _consortium.Orgs[0], 60, acknowledged);
            cluster.SetBrokerDown(1);
            cluster.SetPartitionLeader(channelId, 0, 2);
            await SendAsync(orderers[2], channelId, _consortium.Orgs[2], 60, acknowledged);
            cluster.SetBrokerUp(1);
            cluster.SetBrokerUp(3);

            // Phase 4: with every broker down the orderers' health goes red for the channel, and green once they are back.
            foreach (var broker in new[] { 1, 2, 3 })
            {
                cluster.SetBrokerDown(broker);
            }
            var red = await orderers[0].WaitUnhealthyAsync(channelId);
            Assert.Contains("\"status\":\"Service Unavailable\"", red, StringComparison.Ordinal);
            foreach (var broker in new[] { 1, 2, 3 })
            {
                cluster.SetBrokerUp(broker);
            }
            await orderers[0].WaitHealthyAsync();
            await orderers[2].WaitHealthyAsync();

            // The crashed orderer restarts from its ledger and catches up.
            await victim.StartAsync();
            await victim.WaitHealthyAsync();
            await SendAsync(victim, channelId, _consortium.Orgs[1], 40, acknowledged);

            var expected = acknowledged.ToHashSet(StringComparer.Ordinal);
            Assert.Equal(acknowledged.Count, expected.Count);
            var chains = new List<IReadOnlyList<Block>>();
            foreach (var orderer in orderers)
            {
                chains.Add(await ReadUntilContainsAsync(orderer, channelId, expected));
            }
            var height = chains.Min(chain => chain.Count);
            foreach (var chain in chains)
            {
                OrdererSoloTests.AssertChained(chain);
                var txIds = chain.Skip(1).Take(height - 1).SelectMany(block => block.Data.Data).Select(Transactions.TxId).ToList();
                Assert.Equal(txIds.Count, txIds.Distinct(StringComparer.Ordinal).Count());
                Assert.Subset(txIds.ToHashSet(StringComparer.Ordinal), expected);
            }
            for (var n = 0; n < height; n++)
            {
                var reference = chains[0][n];
                foreach (var chain in chains.Skip(1))
                {
                    Assert.Equal(BlockHashing.HeaderHash(reference.Header), BlockHashing.HeaderHash(chain[n].Header));
                    Assert.Equal(reference.Data, chain[n].Data);
                    Assert.Equal(KafkaMetadataOf(reference), KafkaMetadataOf(chain[n]));
                }
            }
            Assert.True(KafkaMetadataOf(chains[0][height - 1]).LastOffsetPersisted > 0);
        }
        finally
        {
            foreach (var orderer in orderers)
            {
                await orderer.DisposeAsync();
            }
        }
    }

    /// <summary>Sends envelopes one stream at a time (pipelined) and records those acknowledged with SUCCESS.</summary>
    private static async Task SendAsync(OrdererNode orderer, string channelId, OrgMaterial org, int count, ConcurrentBag<string> acknowledged, int? stopAfter = null, Action? onStop = null)
    {
        var signer = org.User();
        using var channel = orderer.Connect(org);
        var session = new BroadcastSession(channel.CreateCallInvoker());
        var pending = new List<(string TxId, Task<BroadcastResponse> Response)>();
        for (var i = 0; i < count; i++)
        {
            if (i == stopAfter)
            {
                await Task.WhenAll(pending.Select(p => p.Response));
                onStop?.Invoke();
                break;
            }
            var envelope = Transactions.Create(channelId, signer);
            pending.Add((Transactions.TxId(envelope), session.SendAsync(envelope)));
            if (pending.Count % 20 == 0)
            {
                await pending[^1].Response;
            }
        }
        foreach (var (txId, response) in pending)
        {
            try
            {
                var answer = await response;
                Assert.True(answer.Status == Status.Success, $"{orderer}: {answer.Status} {answer.Info}");
                acknowledged.Add(txId);
            }
            catch (RpcException) when (stopAfter is not null)
            {
                // In flight when the orderer was killed: neither acknowledged nor counted.
            }
        }
        try
        {
            await session.DisposeAsync();
        }
        catch (RpcException) when (stopAfter is not null)
        {
        }
    }

    private static async Task<IReadOnlyList<Block>> ReadUntilContainsAsync(OrdererNode orderer, string channelId, HashSet<string> expected)
    {
        var reader = OrgOf(orderer);
        using var channel = orderer.Connect(reader);
        var request = DeliverRequests.Create(channelId, DeliverRequests.Range(DeliverRequests.Oldest(), DeliverRequests.Specified(DeliverRequests.Forever)), reader.User());
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var blocks = new List<Block>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var response in DeliverClient.ReadAsync(channel.CreateCallInvoker(), request, timeout.Token))
        {
            Assert.Equal(DeliverResponse.TypeOneofCase.Block, response.TypeCase);
            blocks.Add(response.Block);
            if (response.Block.Header.Number > 0)
            {
                seen.UnionWith(response.Block.Data.Data.Select(Transactions.TxId));
            }
            if (seen.IsSupersetOf(expected))
            {
                break;
            }
        }
        return blocks;
    }

    private static OrgMaterial OrgOf(OrdererNode orderer) => orderer.Consortium.Orgs[0];

    private static KafkaMetadata KafkaMetadataOf(Block block)
    {
        var slot = block.Metadata.Metadata[(int)BlockMetadataIndex.Orderer];
        return slot.IsEmpty ? new KafkaMetadata() : KafkaMetadata.Parser.ParseFrom(Metadata.Parser.ParseFrom(slot).Value);
    }
}
