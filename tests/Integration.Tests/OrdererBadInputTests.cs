using Google.Protobuf;
using ZonCoin.Core.Config;
using ZonCoin.Core.Protocol;
using ZonCoin.Integration.Tests.Support;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Orderer;
using ZonCoin.Rpc.Services;

namespace ZonCoin.Integration.Tests;

/// <summary>Each kind of bad input gets Fabric's status, and the orderer keeps serving everyone else.</summary>
[Collection(ConsortiumCollectionDefinition.Name)]
public sealed class OrdererBadInputTests
{
    private const string ChannelId = "bad-input";
    private readonly Consortium _consortium;

    public OrdererBadInputTests(Consortium consortium)
    {
        _consortium = consortium;
    }

    [Fact]
    public async Task Bad_envelopes_get_their_status_on_one_stream_that_keeps_working()
    {
        await using var orderer = await OrdererNode.StartAsync(_consortium, tls: false);
        Assert.Equal(0, (await orderer.JoinAsync(_consortium.Genesis(ChannelId, ordering: new OrderingDefinition
        {
            AbsoluteMaxBytes = 64 * 1024,
            PreferredMaxBytes = 32 * 1024,
            BatchTimeout = TimeSpan.FromMilliseconds(100),
        }))).ExitCode);
        var member = _consortium.Orgs[0];
        var outsider = _consortium.Orgs[3];
        using var channel = orderer.Connect(member);
        await using var broadcast = new BroadcastSession(channel.CreateCallInvoker());

        var valid = Transactions.Create(ChannelId, member.User());
        var unsigned = Transactions.Create(ChannelId, member.User());
        unsigned.Signature = ByteString.Empty;
        var wronglySigned = Transactions.Create(ChannelId, member.User());
        wronglySigned.Signature = Transactions.Create(ChannelId, member.User()).Signature;
        var cases = new (string Name, Envelope Envelope, Status Expected)[]
        {
            ("garbage payload", new Envelope { Payload = ByteString.CopyFrom(0xff, 0x01, 0x02, 0x03), Signature = ByteString.CopyFrom(1, 2) }, Status.BadRequest),
            ("empty envelope", new Envelope(), Status.BadRequest),
            ("unsigned", unsigned, Status.Forbidden),
            ("wrongly signed", wronglySigned, Status.Forbidden),
            ("unknown channel", Transactions.Create("no-such-channel", member.User()), Status.NotFound),
            ("oversize", Transactions.Create(ChannelId, member.User(), size: 100 * 1024), Status.RequestEntityTooLarge),
            ("non-member creator", Transactions.Create(ChannelId, outsider.User()), Status.Forbidden),
            ("seek info sent to broadcast", DeliverRequests.Create(ChannelId, DeliverRequests.Range(DeliverRequests.Oldest(), DeliverRequests.Oldest()), member.User()), Status.BadRequest),
            ("valid after all that", valid, Status.Success),
        };
        foreach (var (name, envelope, expected) in cases)
        {
            var response = await broadcast.SendAsync(envelope);
            Assert.True(expected == response.Status, $"{name}: expected {expected}, got {response.Status} ({response.Info})");
            if (expected != Status.Success)
            {
                Assert.False(string.IsNullOrWhiteSpace(response.Info), $"{name}: no reason given");
            }
        }

        var blocks = await OrdererSoloTests.ReadUntilAsync(channel, ChannelId, member, 1, orderer.Tls);
        Assert.Equal([Transactions.TxId(valid)], blocks.Skip(1).SelectMany(block => block.Data.Data).Select(Transactions.TxId));
    }

    [Fact]
    public async Task Deliver_refuses_what_it_must_and_serves_others_meanwhile()
    {
        await using var orderer = await OrdererNode.StartAsync(_consortium, tls: false);
        Assert.Equal(0, (await orderer.JoinAsync(_consortium.Genesis(ChannelId))).ExitCode);
        var member = _consortium.Orgs[1];
        var outsider = _consortium.Orgs[3];
        using var channel = orderer.Connect(member);

        var future = DeliverRequests.Create(ChannelId, DeliverRequests.Range(
            DeliverRequests.Specified(1000), DeliverRequests.Specified(1000), SeekInfo.Types.SeekBehavior.FailIfNotReady), member.User());
        Assert.Equal((0, Status.NotFound), Summary(await Transactions.SeekAsync(channel, future)));

        var reversed = DeliverRequests.Create(ChannelId, DeliverRequests.Range(DeliverRequests.Specified(5), DeliverRequests.Specified(2)), member.User());
        Assert.Equal((0, Status.BadRequest), Summary(await Transactions.SeekAsync(channel, reversed)));

        var unknown = DeliverRequests.Create("no-such-channel", DeliverRequests.Range(DeliverRequests.Oldest(), DeliverRequests.Newest()), member.User());
        Assert.Equal((0, Status.NotFound), Summary(await Transactions.SeekAsync(channel, unknown)));

        var notReader = DeliverRequests.Create(ChannelId, DeliverRequests.Range(DeliverRequests.Oldest(), DeliverRequests.Newest()), outsider.User());
        Assert.Equal((0, Status.Forbidden), Summary(await Transactions.SeekAsync(channel, notReader)));

        var tampered = DeliverRequests.Create(ChannelId, DeliverRequests.Range(DeliverRequests.Oldest(), DeliverRequests.Newest()), member.User());
        tampered.Signature = ByteString.CopyFrom(new byte[70]);
        Assert.Equal((0, Status.Forbidden), Summary(await Transactions.SeekAsync(channel, tampered)));

        var stale = DeliverRequests.Create(ChannelId, DeliverRequests.Range(DeliverRequests.Oldest(), DeliverRequests.Newest()), member.User(),
            timestamp: DateTimeOffset.UtcNow.AddMinutes(-20));
        Assert.Equal((0, Status.BadRequest), Summary(await Transactions.SeekAsync(channel, stale)));

        var garbage = new Envelope { Payload = ByteString.CopyFromUtf8("not a payload") };
        Assert.Equal((0, Status.BadRequest), Summary(await Transactions.SeekAsync(channel, garbage)));

        // A reader waiting for the next block gets it once it is cut, while the refused ones above changed nothing.
        var waiting = Transactions.ReadBlocksAsync(channel, ChannelId, member.User(), 1, 1);
        await using (var broadcast = new BroadcastSession(channel.CreateCallInvoker()))
        {
            Assert.Equal(Status.Success, (await broadcast.SendAsync(Transactions.Create(ChannelId, member.User()))).Status);
        }
        Assert.Equal(1UL, Assert.Single(await waiting).Header.Number);

        var oldestToNewest = DeliverRequests.Create(ChannelId, DeliverRequests.Range(DeliverRequests.Oldest(), DeliverRequests.Newest()), member.User());
        Assert.Equal((2, Status.Success), Summary(await Transactions.SeekAsync(channel, oldestToNewest)));
        var newestOnly = DeliverRequests.Create(ChannelId, DeliverRequests.Range(DeliverRequests.Newest(), DeliverRequests.Newest()), member.User());
        var (blocks, status) = await Transactions.SeekAsync(channel, newestOnly);
        Assert.Equal(Status.Success, status);
        Assert.Equal(1UL, Assert.Single(blocks).Header.Number);
    }

    [Fact]
    public async Task Garbage_bytes_on_the_wire_end_only_that_stream()
    {
        await using var orderer = await OrdererNode.StartAsync(_consortium, tls: false);
        Assert.Equal(0, (await orderer.JoinAsync(_consortium.Genesis(ChannelId))).ExitCode);
        var member = _consortium.Orgs[2];
        using var http = new HttpClient(new SocketsHttpHandler());
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"{orderer.Address}/orderer.AtomicBroadcast/Broadcast"))
        {
            Content = new ByteArrayContent([0, 0, 0, 0, 5, 0xff, 0xff, 0xff, 0xff, 0xff]),
            Version = System.Net.HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await response.Content.ReadAsByteArrayAsync();
        var grpcStatus = response.TrailingHeaders.TryGetValues("grpc-status", out var values) ? values.Single()
            : response.Headers.TryGetValues("grpc-status", out var headerValues) ? headerValues.Single() : null;
        Assert.True(grpcStatus is not null, $"HTTP {(int)response.StatusCode} {response.Version}; headers: {response.Headers}; trailers: {response.TrailingHeaders}");
        Assert.NotEqual("0", grpcStatus);

        using var channel = orderer.Connect(member);
        await using var broadcast = new BroadcastSession(channel.CreateCallInvoker());
        Assert.Equal(Status.Success, (await broadcast.SendAsync(Transactions.Create(ChannelId, member.User()))).Status);
    }

    private static (int Blocks, Status? Status) Summary((IReadOnlyList<Block> Blocks, Status? Status) result) => (result.Blocks.Count, result.Status);
}
