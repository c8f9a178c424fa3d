using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using ZonCoin.Core.Config;
using ZonCoin.Core.Protocol;
using ZonCoin.Integration.Tests.Support;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Orderer;
using ZonCoin.Rpc.Services;

namespace ZonCoin.Integration.Tests;

/// <summary>
/// A solo orderer process over mutual TLS, driven by Fabric's own generated client: <c>orderer.AtomicBroadcastClient</c>
/// from <c>@hyperledger/fabric-protos</c> over <c>@grpc/grpc-js</c> (tests/interop/tools/orderer-client.js). Envelopes
/// and seek requests are built and signed here; Node only speaks the wire protocol.
/// </summary>
[Collection(ConsortiumCollectionDefinition.Name)]
public sealed class OrdererGrpcJsInteropTests
{
    private const string Script = "orderer-client.js";

    private readonly Consortium _consortium;

    public OrdererGrpcJsInteropTests(Consortium consortium)
    {
        _consortium = consortium;
    }

    [Fact]
    public async Task GrpcJs_broadcasts_on_one_stream_and_delivers_the_chain_our_client_reads()
    {
        const string channelId = "grpcjs-chain";
        const int good = 11;
        const int badIndex = 5;
        await using var orderer = await OrdererNode.StartAsync(_consortium);
        var (joinExit, joinOutput) = await orderer.JoinAsync(_consortium.Genesis(channelId, ordering: new OrderingDefinition
        {
            MaxMessageCount = 4,
            BatchTimeout = TimeSpan.FromMilliseconds(200),
        }));
        Assert.True(joinExit == 0, joinOutput);
        var org = _consortium.Orgs[0];
        var signer = org.User();
        var envelopes = Enumerable.Range(0, good).Select(i => Transactions.Create(channelId, signer, size: 100 + i)).ToList();
        envelopes.Insert(badIndex, Transactions.Create("grpcjs-no-such-channel", signer));

        var answers = await BroadcastAsync(orderer, org, envelopes);

        Assert.Equal(envelopes.Count + 1, answers.Count);
        for (var i = 0; i < envelopes.Count; i++)
        {
            var expected = i == badIndex ? Status.NotFound : Status.Success;
            Assert.True((int)expected == answers[i].GetProperty("status").GetInt32(), $"envelope {i}: {answers[i]}");
        }
        Assert.Contains("grpcjs-no-such-channel", answers[badIndex].GetProperty("info").GetString(), StringComparison.Ordinal);
        AssertCallEndedOk(answers[^1]);

        using var channel = orderer.Connect(org);
        var blocks = await OrdererSoloTests.ReadUntilAsync(channel, channelId, org, good, orderer.Tls);
        var sent = envelopes.Where((_, i) => i != badIndex).Select(Transactions.TxId);
        Assert.Equal(sent, blocks.Skip(1).SelectMany(block => block.Data.Data).Select(Transactions.TxId));
        OrdererSoloTests.AssertChained(blocks);

        var last = blocks[^1].Header.Number;
        var seek = DeliverRequests.Create(channelId, DeliverRequests.Range(DeliverRequests.Specified(0), DeliverRequests.Specified(last)), signer, org.ClientCertificateHash());
        var responses = await DeliverAsync(orderer, org, seek);

        Assert.Equal(blocks.Count + 2, responses.Count);
        BlockHeader? previous = null;
        for (var i = 0; i < blocks.Count; i++)
        {
            Assert.True(responses[i].TryGetProperty("block", out var seen), $"response {i} is a block: {responses[i]}");
            var header = new BlockHeader
            {
                Number = seen.GetProperty("number").GetUInt64(),
                PreviousHash = ByteString.CopyFrom(Convert.FromHexString(seen.GetProperty("previousHash").GetString()!)),
                DataHash = ByteString.CopyFrom(Convert.FromHexString(seen.GetProperty("dataHash").GetString()!)),
            };
            Assert.Equal(blocks[i].Header, header);
            Assert.Equal(blocks[i].Data.Data.Count, seen.GetProperty("txCount").GetInt32());
            Assert.Equal(5, seen.GetProperty("metadataCount").GetInt32());
            Assert.Equal((ulong)i, header.Number);
            Assert.Equal(previous is null ? [] : BlockHashing.HeaderHash(previous), header.PreviousHash.ToByteArray());
            previous = header;
        }
        Assert.Equal((int)Status.Success, responses[^2].GetProperty("status").GetInt32());
        AssertCallEndedOk(responses[^1]);
    }

    [Fact]
    public async Task GrpcJs_deliver_fails_a_future_block_if_not_ready_waits_for_its_cut_and_frees_a_cancelled_stream()
    {
        const string channelId = "grpcjs-future";
        await using var orderer = await OrdererNode.StartAsync(_consortium);
        var (joinExit, joinOutput) = await orderer.JoinAsync(_consortium.Genesis(channelId, ordering: new OrderingDefinition
        {
            MaxMessageCount = 1,
            BatchTimeout = TimeSpan.FromMilliseconds(200),
        }));
        Assert.True(joinExit == 0, joinOutput);
        var org = _consortium.Orgs[1];
        var signer = org.User();

        var notReady = DeliverRequests.Create(channelId,
            DeliverRequests.Range(DeliverRequests.Specified(5), DeliverRequests.Specified(5), SeekInfo.Types.SeekBehavior.FailIfNotReady),
            signer, org.ClientCertificateHash());
        var refused = await DeliverAsync(orderer, org, notReady);
        Assert.Equal(2, refused.Count);
        Assert.Equal((int)Status.NotFound, refused[0].GetProperty("status").GetInt32());
        AssertCallEndedOk(refused[1]);

        // Under mutual TLS the request must be bound to the TLS certificate grpc-js presented.
        var unbound = DeliverRequests.Create(channelId, DeliverRequests.Range(DeliverRequests.Oldest(), DeliverRequests.Oldest()), signer);
        var unboundResponses = await DeliverAsync(orderer, org, unbound);
        Assert.Equal(2, unboundResponses.Count);
        Assert.Equal((int)Status.BadRequest, unboundResponses[0].GetProperty("status").GetInt32());
        AssertCallEndedOk(unboundResponses[1]);

        // Block 1 does not exist yet: the stream stays open until it is cut, then delivers it and SUCCESS. The
        // envelopes come from grpc-js too, half-closing right after the last write as Fabric's CLI does.
        var waiting = DeliverRequests.Create(channelId, DeliverRequests.Range(DeliverRequests.Specified(1), DeliverRequests.Specified(1)), signer, org.ClientCertificateHash());
        var reading = DeliverAsync(orderer, org, waiting);
        await WaitForDeliverStreamsAsync(orderer, 1, reading);
        var envelopes = Enumerable.Range(0, 3).Select(_ => Transactions.Create(channelId, signer)).ToList();
        var answers = await BroadcastAsync(orderer, org, envelopes, "--half-close", "after-writes");
        Assert.Equal(envelopes.Count + 1, answers.Count);
        Assert.All(answers.Take(envelopes.Count), answer => Assert.Equal((int)Status.Success, answer.GetProperty("status").GetInt32()));
        AssertCallEndedOk(answers[^1]);

        var delivered = await reading;
        Assert.Equal(3, delivered.Count);
        var block = delivered[0].GetProperty("block");
        Assert.Equal(1UL, block.GetProperty("number").GetUInt64());
        Assert.Equal(1, block.GetProperty("txCount").GetInt32());
        Assert.Equal(
            Convert.ToHexStringLower(BlockHashing.DataHash(new BlockData { Data = { envelopes[0].ToByteString() } })),
            block.GetProperty("dataHash").GetString());
        Assert.Equal((int)Status.Success, delivered[1].GetProperty("status").GetInt32());
        AssertCallEndedOk(delivered[2]);

        // A reader that cancels its never-ending stream (fabric-gateway's close()) must not leave the orderer serving it.
        var forever = DeliverRequests.Create(channelId,
            DeliverRequests.Range(DeliverRequests.Oldest(), DeliverRequests.Specified(DeliverRequests.Forever)), signer, org.ClientCertificateHash());
        var cancelled = await DeliverAsync(orderer, org, forever, "--cancel-after-blocks", "2");
        Assert.Equal(3, cancelled.Count);
        Assert.Equal([0UL, 1UL], cancelled.Take(2).Select(line => line.GetProperty("block").GetProperty("number").GetUInt64()));
        Assert.Equal(1, cancelled[2].GetProperty("end").GetProperty("code").GetInt32()); // CANCELLED, as grpc-js reports it
        await WaitForDeliverStreamsAsync(orderer, 0);
    }

    private async Task<IReadOnlyList<JsonElement>> BroadcastAsync(OrdererNode orderer, OrgMaterial org, IEnumerable<Envelope> envelopes, params string[] options)
    {
        var file = WriteEnvelopes("broadcast", envelopes);
        return await NodeTool.RunAsync(Script, ["broadcast", "--envelopes", file, .. ConnectionArgs(orderer, org), .. options]);
    }

    private async Task<IReadOnlyList<JsonElement>> DeliverAsync(OrdererNode orderer, OrgMaterial org, Envelope seekRequest, params string[] options)
    {
        var file = WriteEnvelopes("deliver", [seekRequest]);
        return await NodeTool.RunAsync(Script, ["deliver", "--request", file, .. ConnectionArgs(orderer, org), .. options]);
    }

    /// <summary>Serialized envelopes, one base64 line each.</summary>
    private string WriteEnvelopes(string name, IEnumerable<Envelope> envelopes)
    {
        var file = Path.Combine(_consortium.NewDirectory("grpcjs"), $"{name}.b64");
        File.WriteAllLines(file, envelopes.Select(envelope => Convert.ToBase64String(envelope.ToByteArray())));
        return file;
    }

    /// <summary>The orderer's address and, under TLS, its root CA plus the org user's TLS client certificate and key.</summary>
    private static string[] ConnectionArgs(OrdererNode orderer, OrgMaterial org)
    {
        var address = $"127.0.0.1:{orderer.Port.ToString(CultureInfo.InvariantCulture)}";
        if (!orderer.Tls)
        {
            return ["--address", address];
        }
        var tls = Path.Combine(org.UserDirectory(), "tls");
        return ["--address", address, "--tls-ca", orderer.TlsCaFile,
            "--client-cert", Path.Combine(tls, "client.crt"), "--client-key", Path.Combine(tls, "client.key")];
    }

    /// <summary>The tool's last line: the gRPC status grpc-js saw once it half-closed the stream.</summary>
    private static void AssertCallEndedOk(JsonElement line)
    {
        Assert.True(line.TryGetProperty("end", out var end), $"the last line is the call's end: {line}");
        Assert.True(end.GetProperty("code").GetInt32() == 0, $"the call ended with gRPC status OK: {end}");
    }

    /// <summary>
    /// Waits until the orderer reports <paramref name="open"/> open Deliver streams; when <paramref name="reading"/> is
    /// given, fails if that Node client ends first.
    /// </summary>
    private static async Task WaitForDeliverStreamsAsync(OrdererNode orderer, int open, Task<IReadOnlyList<JsonElement>>? reading = null)
    {
        var expected = $"orderer_deliver_streams {open.ToString(CultureInfo.InvariantCulture)}";
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var metrics = "";
        while (!timeout.IsCancellationRequested)
        {
            if (reading is { IsCompleted: true })
            {
                Assert.Fail($"the Node deliver ended early: {string.Join('\n', await reading)}");
            }
            metrics = await orderer.GetOperationsAsync("/metrics");
            if (metrics.Split('\n').Contains(expected, StringComparer.Ordinal))
            {
                return;
            }
            await Task.Delay(50, CancellationToken.None);
        }
        throw new TimeoutException($"the orderer never reported '{expected}':\n{metrics}");
    }
}
