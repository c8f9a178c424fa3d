using Google.Protobuf;
using ZonCoin.Core.Protocol;
using ZonCoin.Orderer.Channels;
using ZonCoin.Orderer.Tests.Support;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Config;

namespace ZonCoin.Orderer.Tests.Broadcast;

public sealed class BroadcastHandlerTests : IDisposable
{
    private readonly TestNetwork _network = new();
    private readonly TempDirectory _data = new();

    public void Dispose()
    {
        _data.Dispose();
        _network.Dispose();
    }

    private static Block GenesisOf(ChannelConfig config) => Blocks.Genesis(ConfigUpdates.CreateConfigEnvelope(config));

    private static async Task WaitForHeightAsync(ChainSupport channel, ulong height)
    {
        using var guard = new CancellationTokenSource(ChainHarness.FailureGuard);
        await channel.Store.WaitForHeightAsync(height, guard.Token);
    }

    [Fact]
    public async Task An_unknown_channel_answers_404()
    {
        await using var orderer = new RegistryHarness(_data.Path, _network.OrdererSigner);
        await orderer.Registry.StartAsync(CancellationToken.None);

        var response = await orderer.Broadcast.ProcessAsync(TestNetwork.Transaction(_network.Org1.Client, "nosuchchannel"), CancellationToken.None);

        Assert.Equal(Status.NotFound, response.Status);
        Assert.Contains("nosuchchannel", response.Info, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_valid_envelope_answers_200_and_its_block_appears()
    {
        await using var orderer = new RegistryHarness(_data.Path, _network.OrdererSigner);
        await orderer.Registry.StartAsync(CancellationToken.None);
        var channel = await orderer.Registry.JoinAsync(GenesisOf(_network.Config(maxMessageCount: 1)), CancellationToken.None);
        var envelope = TestNetwork.Transaction(_network.Org1.Client);

        var response = await orderer.Broadcast.ProcessAsync(envelope, CancellationToken.None);
        await WaitForHeightAsync(channel, 2);

        Assert.Equal(Status.Success, response.Status);
        Assert.Equal(envelope.ToByteString(), Assert.Single(channel.Store.GetBlock(1).Data.Data));
    }

    [Fact]
    public async Task A_rejected_envelope_answers_with_its_status_and_reason()
    {
        await using var orderer = new RegistryHarness(_data.Path, _network.OrdererSigner);
        await orderer.Registry.StartAsync(CancellationToken.None);
        await orderer.Registry.JoinAsync(GenesisOf(_network.Config()), CancellationToken.None);

        var forbidden = await orderer.Broadcast.ProcessAsync(TestNetwork.Transaction(_network.Org9.Client), CancellationToken.None);
        var malformed = await orderer.Broadcast.ProcessAsync(new Envelope { Payload = ByteString.CopyFrom(0xff, 0xff) }, CancellationToken.None);

        Assert.Equal(Status.Forbidden, forbidden.Status);
        Assert.False(string.IsNullOrEmpty(forbidden.Info));
        Assert.Equal(Status.BadRequest, malformed.Status);
    }

    [Fact]
    public async Task A_config_update_answers_200_and_forms_a_config_block()
    {
        await using var orderer = new RegistryHarness(_data.Path, _network.OrdererSigner);
        await orderer.Registry.StartAsync(CancellationToken.None);
        var genesis = _network.Config();
        var channel = await orderer.Registry.JoinAsync(GenesisOf(genesis), CancellationToken.None);
        var proposed = genesis.Clone();
        proposed.Application.Organizations.Add(_network.MemberOrganization(_network.Org4));
        var update = TestNetwork.ConfigUpdate(genesis, proposed, [_network.Org1.Admin, _network.Org3.Admin], _network.Org1.Admin);

        var response = await orderer.Broadcast.ProcessAsync(update, CancellationToken.None);
        await WaitForHeightAsync(channel, 2);

        Assert.Equal(Status.Success, response.Status);
        Assert.Equal(1UL, channel.State.Sequence);
        Assert.Equal(1UL, channel.LastConfigBlock);
    }

    [Fact]
    public async Task Join_refuses_a_block_other_than_block_zero()
    {
        await using var orderer = new RegistryHarness(_data.Path, _network.OrdererSigner);
        await orderer.Registry.StartAsync(CancellationToken.None);
        var block = GenesisOf(_network.Config());
        block.Header.Number = 1;

        var ex = await Assert.ThrowsAsync<ChannelJoinException>(() => orderer.Registry.JoinAsync(block, CancellationToken.None));

        Assert.Equal(ChannelJoinError.BadBlock, ex.Error);
        Assert.Contains("block 1", ex.Message, StringComparison.Ordinal);
        Assert.Null(orderer.Registry.Find(TestNetwork.ChannelId));
    }

    [Fact]
    public async Task Join_refuses_a_block_whose_data_hash_does_not_match()
    {
        await using var orderer = new RegistryHarness(_data.Path, _network.OrdererSigner);
        await orderer.Registry.StartAsync(CancellationToken.None);
        var block = GenesisOf(_network.Config());
        block.Data.Data.Add(ByteString.CopyFromUtf8("smuggled"));

        var ex = await Assert.ThrowsAsync<ChannelJoinException>(() => orderer.Registry.JoinAsync(block, CancellationToken.None));

        Assert.Equal(ChannelJoinError.BadBlock, ex.Error);
        Assert.Contains("data hash", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Join_refuses_a_channel_that_already_exists()
    {
        await using var orderer = new RegistryHarness(_data.Path, _network.OrdererSigner);
        await orderer.Registry.StartAsync(CancellationToken.None);
        var block = GenesisOf(_network.Config());
        var channel = await orderer.Registry.JoinAsync(block, CancellationToken.None);

        var ex = await Assert.ThrowsAsync<ChannelJoinException>(() => orderer.Registry.JoinAsync(block, CancellationToken.None));

        Assert.Equal(ChannelJoinError.AlreadyExists, ex.Error);
        // The joined channel is untouched.
        Assert.Same(channel, orderer.Registry.Find(TestNetwork.ChannelId));
        Assert.Equal(1UL, channel.Store.Height);
    }

    [Fact]
    public async Task Join_refuses_a_channel_whose_orderer_orgs_do_not_include_this_orderer()
    {
        await using var orderer = new RegistryHarness(_data.Path, _network.Org9.Orderer);
        await orderer.Registry.StartAsync(CancellationToken.None);

        var ex = await Assert.ThrowsAsync<ChannelJoinException>(() => orderer.Registry.JoinAsync(GenesisOf(_network.Config()), CancellationToken.None));

        Assert.Equal(ChannelJoinError.BadBlock, ex.Error);
        Assert.Contains("Org9MSP", ex.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_data.Path, "chains", TestNetwork.ChannelId)));
    }

    [Fact]
    public async Task Join_refuses_a_block_that_is_not_a_config_block()
    {
        await using var orderer = new RegistryHarness(_data.Path, _network.OrdererSigner);
        await orderer.Registry.StartAsync(CancellationToken.None);
        var block = Blocks.Create(0, [], [TestNetwork.Transaction(_network.Org1.Client).ToByteString()]);

        var ex = await Assert.ThrowsAsync<ChannelJoinException>(() => orderer.Registry.JoinAsync(block, CancellationToken.None));

        Assert.Equal(ChannelJoinError.BadBlock, ex.Error);
    }

    [Fact]
    public async Task A_restarted_registry_reopens_the_channel_at_the_same_height()
    {
        var config = _network.Config(maxMessageCount: 1);
        await using (var first = new RegistryHarness(_data.Path, _network.OrdererSigner))
        {
            await first.Registry.StartAsync(CancellationToken.None);
            var channel = await first.Registry.JoinAsync(GenesisOf(config), CancellationToken.None);
            Assert.Equal(Status.Success, (await first.Broadcast.ProcessAsync(TestNetwork.Transaction(_network.Org1.Client), CancellationToken.None)).Status);
            Assert.Equal(Status.Success, (await first.Broadcast.ProcessAsync(TestNetwork.Transaction(_network.Org2.Client), CancellationToken.None)).Status);
            await WaitForHeightAsync(channel, 3);
        }

        await using var second = new RegistryHarness(_data.Path, _network.OrdererSigner);
        await second.Registry.StartAsync(CancellationToken.None);

        var reopened = second.Registry.Find(TestNetwork.ChannelId);
        Assert.NotNull(reopened);
        Assert.Equal(3UL, reopened.Store.Height);
        Assert.Equal(0UL, reopened.State.Sequence);
        // It keeps ordering from where it stopped.
        Assert.Equal(Status.Success, (await second.Broadcast.ProcessAsync(TestNetwork.Transaction(_network.Org3.Client), CancellationToken.None)).Status);
        await WaitForHeightAsync(reopened, 4);
        Assert.Equal(BlockHashing.HeaderHash(reopened.Store.GetBlock(2).Header), reopened.Store.GetBlock(3).Header.PreviousHash.ToByteArray());
    }

    [Fact]
    public async Task A_restarted_registry_puts_the_newest_config_in_force()
    {
        var genesis = _network.Config(maxMessageCount: 1);
        await using (var first = new RegistryHarness(_data.Path, _network.OrdererSigner))
        {
            await first.Registry.StartAsync(CancellationToken.None);
            var channel = await first.Registry.JoinAsync(GenesisOf(genesis), CancellationToken.None);
            var proposed = genesis.Clone();
            proposed.Application.Organizations.RemoveAt(2);
            var update = TestNetwork.ConfigUpdate(genesis, proposed, [_network.Org1.Admin, _network.Org2.Admin], _network.Org1.Admin);
            Assert.Equal(Status.Success, (await first.Broadcast.ProcessAsync(update, CancellationToken.None)).Status);
            await WaitForHeightAsync(channel, 2);
            Assert.Equal(Status.Success, (await first.Broadcast.ProcessAsync(TestNetwork.Transaction(_network.Org1.Client), CancellationToken.None)).Status);
            await WaitForHeightAsync(channel, 3);
        }

        await using var second = new RegistryHarness(_data.Path, _network.OrdererSigner);
        await second.Registry.StartAsync(CancellationToken.None);

        var reopened = second.Registry.Find(TestNetwork.ChannelId)!;
        Assert.Equal(1UL, reopened.State.Sequence);
        Assert.Equal(1UL, reopened.LastConfigBlock);
        Assert.Equal(Status.Forbidden, (await second.Broadcast.ProcessAsync(TestNetwork.Transaction(_network.Org3.Client), CancellationToken.None)).Status);
    }
}
