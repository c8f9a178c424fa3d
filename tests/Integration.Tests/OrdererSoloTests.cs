using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Net.Client;
using ZonCoin.Core.Config;
using ZonCoin.Core.Protocol;
using ZonCoin.Integration.Tests.Support;
using ZonCoin.Protos.Common;
using ZonCoin.Rpc.Services;

namespace ZonCoin.Integration.Tests;

/// <summary>A solo orderer process over mutual TLS: ordering, block sizes, delivery and restart.</summary>
[Collection(ConsortiumCollectionDefinition.Name)]
public sealed class OrdererSoloTests
{
    private readonly Consortium _consortium;

    public OrdererSoloTests(Consortium consortium)
    {
        _consortium = consortium;
    }

    [Fact]
    public async Task Orders_a_thousand_envelopes_from_concurrent_streams_exactly_once_and_serves_them_after_a_restart()
    {
        const string channelId = "solo-thousand";
        const int streams = 4;
        const int perStream = 250;
        const uint maxMessageCount = 40;
        await using var orderer = await OrdererNode.StartAsync(_consortium);
        var (joinExit, joinOutput) = await orderer.JoinAsync(_consortium.Genesis(channelId, ordering: new OrderingDefinition
        {
            MaxMessageCount = maxMessageCount,
            BatchTimeout = TimeSpan.FromMilliseconds(200),
        }));
        Assert.True(joinExit == 0, joinOutput);

        var sent = new ConcurrentBag<string>();
        await Task.WhenAll(Enumerable.Range(0, streams).Select(async stream =>
        {
            var org = _consortium.Orgs[stream % 3];
            var signer = org.User();
            using var channel = orderer.Connect(org);
            await using var broadcast = new BroadcastSession(channel.CreateCallInvoker());
            var pending = new List<Task<Protos.Orderer.BroadcastResponse>>();
            for (var i = 0; i < perStream; i++)
            {
                var envelope = Transactions.Create(channelId, signer, size: 200 + i);
                sent.Add(Transactions.TxId(envelope));
                pending.Add(broadcast.SendAsync(envelope));
            }
            foreach (var response in await Task.WhenAll(pending))
            {
                Assert.True(response.Status == Status.Success, $"{response.Status}: {response.Info}");
            }
        }));

        var reader = _consortium.Orgs[0];
        using var deliverChannel = orderer.Connect(reader);
        var blocks = await ReadUntilAsync(deliverChannel, channelId, reader, streams * perStream, orderer.Tls);
        var ordered = blocks.Skip(1).SelectMany(block => block.Data.Data).Select(Transactions.TxId).ToList();
        Assert.Equal(streams * perStream, ordered.Count);
        Assert.Equal(sent.Order(StringComparer.Ordinal), ordered.Order(StringComparer.Ordinal));
        Assert.All(blocks.Skip(1), block => Assert.InRange(block.Data.Data.Count, 1, (int)maxMessageCount));
        Assert.True(blocks.Count - 1 >= streams * perStream / (int)maxMessageCount);
        AssertChained(blocks);

        await orderer.RestartAsync();

        using var afterRestart = orderer.Connect(reader);
        var again = await Transactions.ReadBlocksAsync(afterRestart, channelId, reader.User(), 0, (ulong)blocks.Count - 1, reader.ClientCertificateHash());
        Assert.Equal(blocks.Select(block => block.ToByteString()), again.Select(block => block.ToByteString()));
    }

    [Fact]
    public async Task A_killed_orderer_keeps_every_block_it_delivered()
    {
        const string channelId = "solo-crash";
        await using var orderer = await OrdererNode.StartAsync(_consortium, tls: false);
        Assert.Equal(0, (await orderer.JoinAsync(_consortium.Genesis(channelId, ordering: new OrderingDefinition { MaxMessageCount = 5, BatchTimeout = TimeSpan.FromMilliseconds(100) }))).ExitCode);
        var org = _consortium.Orgs[1];
        using (var channel = orderer.Connect(org))
        {
            await using var broadcast = new BroadcastSession(channel.CreateCallInvoker());
            for (var i = 0; i < 23; i++)
            {
                Assert.Equal(Status.Success, (await broadcast.SendAsync(Transactions.Create(channelId, org.User()))).Status);
            }
            var delivered = await ReadUntilAsync(channel, channelId, org, 23, orderer.Tls);

            orderer.Kill();
            await orderer.StartAsync();

            using var restarted = orderer.Connect(org);
            var again = await Transactions.ReadBlocksAsync(restarted, channelId, org.User(), 0, (ulong)delivered.Count - 1);
            Assert.Equal(delivered.Select(block => block.ToByteString()), again.Select(block => block.ToByteString()));
            await using var more = new BroadcastSession(restarted.CreateCallInvoker());
            Assert.Equal(Status.Success, (await more.SendAsync(Transactions.Create(channelId, org.User()))).Status);
            var next = await Transactions.ReadBlocksAsync(restarted, channelId, org.User(), (ulong)delivered.Count, (ulong)delivered.Count);
            Assert.Equal(BlockHashing.HeaderHash(delivered[^1].Header), next[0].Header.PreviousHash.ToByteArray());
        }
    }

    [Fact]
    public async Task Operations_endpoint_reports_health_and_metrics()
    {
        const string channelId = "solo-ops";
        await using var orderer = await OrdererNode.StartAsync(_consortium, tls: false);
        Assert.Equal(0, (await orderer.JoinAsync(_consortium.Genesis(channelId))).ExitCode);
        var org = _consortium.Orgs[0];
        using var channel = orderer.Connect(org);
        await using (var broadcast = new BroadcastSession(channel.CreateCallInvoker()))
        {
            Assert.Equal(Status.Success, (await broadcast.SendAsync(Transactions.Create(channelId, org.User()))).Status);
            Assert.Equal(Status.NotFound, (await broadcast.SendAsync(Transactions.Create("no-such-channel", org.User()))).Status);
        }
        await ReadUntilAsync(channel, channelId, org, 1, orderer.Tls);

        Assert.Contains("\"status\":\"OK\"", await orderer.GetOperationsAsync("/healthz"), StringComparison.Ordinal);
        var metrics = await orderer.GetOperationsAsync("/metrics");
        Assert.Contains($"orderer_broadcast_envelopes_total{{channel=\"{channelId}\",status=\"200\"}} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("status=\"404\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains($"orderer_blocks_cut_total{{channel=\"{channelId}\"}} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("orderer_block_envelopes_bucket", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_setting_stops_the_orderer_with_a_message_naming_it()
    {
        var (exitCode, output) = await NodeProcess.RunAsync(Repo.OrdererDll,
            "--listen", "nonsense", "--msp-id", "OrdererMSP", "--msp-dir", "/does/not/exist", "--insecure");

        Assert.Equal(2, exitCode);
        Assert.Contains("Orderer:ListenAddress", output, StringComparison.Ordinal);
        Assert.Contains("Orderer:DataDirectory", output, StringComparison.Ordinal);
        Assert.Contains("Orderer:MspDirectory", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Settings_come_from_environment_variables_too()
    {
        var (exitCode, output) = await NodeProcess.RunAsync(Repo.OrdererDll, ["--insecure"], new Dictionary<string, string>
        {
            ["Orderer__ConsensusType"] = "raft",
            ["Orderer__DataDirectory"] = _consortium.NewDirectory("env"),
        });

        Assert.Equal(2, exitCode);
        Assert.Contains("Orderer:ConsensusType: 'raft' is not supported", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Orderer:DataDirectory", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Many_concurrent_readers_see_the_same_blocks_as_they_are_cut()
    {
        const string channelId = "solo-readers";
        const int readers = 20;
        const int envelopes = 120;
        await using var orderer = await OrdererNode.StartAsync(_consortium, tls: false);
        Assert.Equal(0, (await orderer.JoinAsync(_consortium.Genesis(channelId, ordering: new OrderingDefinition
        {
            MaxMessageCount = 10,
            BatchTimeout = TimeSpan.FromMilliseconds(100),
        }))).ExitCode);
        var org = _consortium.Orgs[2];
        using var channel = orderer.Connect(org);
        var reading = Enumerable.Range(0, readers).Select(_ => ReadUntilAsync(channel, channelId, org, envelopes, orderer.Tls)).ToList();
        await using (var broadcast = new BroadcastSession(channel.CreateCallInvoker()))
        {
            for (var i = 0; i < envelopes; i++)
            {
                Assert.Equal(Status.Success, (await broadcast.SendAsync(Transactions.Create(channelId, org.User()))).Status);
            }
        }
        var results = await Task.WhenAll(reading);
        var reference = results[0].Select(block => block.ToByteString()).ToList();
        Assert.True(reference.Count >= 1 + (envelopes / 10));
        Assert.All(results, blocks => Assert.Equal(reference, blocks.Select(block => block.ToByteString())));
    }

    /// <summary>Reads blocks from 0 until they hold <paramref name="envelopes"/> envelopes besides the genesis block.</summary>
    internal static async Task<List<Block>> ReadUntilAsync(Grpc.Net.Client.GrpcChannel channel, string channelId, OrgMaterial reader, int envelopes, bool tls)
    {
        var request = DeliverRequests.Create(channelId, DeliverRequests.Range(DeliverRequests.Oldest(), DeliverRequests.Specified(DeliverRequests.Forever)),
            reader.User(), tls ? reader.ClientCertificateHash() : null);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var blocks = new List<Block>();
        var count = 0;
        await foreach (var response in DeliverClient.ReadAsync(channel.CreateCallInvoker(), request, timeout.Token))
        {
            Assert.Equal(Protos.Orderer.DeliverResponse.TypeOneofCase.Block, response.TypeCase);
            blocks.Add(response.Block);
            count += response.Block.Header.Number == 0 ? 0 : response.Block.Data.Data.Count;
            if (count >= envelopes)
            {
                break;
            }
        }
        return blocks;
    }

    internal static void AssertChained(IReadOnlyList<Block> blocks)
    {
        for (var i = 0; i < blocks.Count; i++)
        {
            Assert.Equal((ulong)i, blocks[i].Header.Number);
            Assert.True(Blocks.HasValidDataHash(blocks[i]), $"block {i} data hash");
            if (i > 0)
            {
                Assert.Equal(BlockHashing.HeaderHash(blocks[i - 1].Header), blocks[i].Header.PreviousHash.ToByteArray());
            }
        }
    }
}
