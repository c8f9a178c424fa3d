using ZonCoin.Core.Config;
using ZonCoin.Core.Protocol;
using ZonCoin.Integration.Tests.Support;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Config;
using ZonCoin.Rpc.Services;

namespace ZonCoin.Integration.Tests;

/// <summary>Config updates through Broadcast: the modification policy decides, the CONFIG block carries the result.</summary>
[Collection(ConsortiumCollectionDefinition.Name)]
public sealed class OrdererConfigTests
{
    private readonly Consortium _consortium;

    public OrdererConfigTests(Consortium consortium)
    {
        _consortium = consortium;
    }

    [Fact]
    public async Task Adding_an_org_needs_a_majority_of_member_admins_and_then_the_new_org_can_write()
    {
        const string channelId = "add-org";
        var genesis = _consortium.Genesis(channelId);
        await using var orderer = await OrdererNode.StartAsync(_consortium);
        Assert.Equal(0, (await orderer.JoinAsync(genesis)).ExitCode);
        var (org1, org2, org4) = (_consortium.Orgs[0], _consortium.Orgs[1], _consortium.Orgs[3]);
        var current = ConfigOf(genesis);
        var withOrg4 = current.Clone();
        withOrg4.Application.Organizations.Add(ConfigWithAllFourOrgs(channelId).Application.Organizations.Single(org => org.MspId == org4.MspId));

        using var channel = orderer.Connect(org1);
        await using var broadcast = new BroadcastSession(channel.CreateCallInvoker());
        var update = ConfigUpdates.Propose(current, withOrg4);
        ConfigUpdates.AddSignature(update, org1.Admin);
        var tooFew = await broadcast.SendAsync(ConfigUpdates.CreateEnvelope(update, org1.Admin));
        Assert.Equal(Status.Forbidden, tooFew.Status);
        Assert.Contains("/Channel/Application/Admins", tooFew.Info, StringComparison.Ordinal);
        var org4Before = await broadcast.SendAsync(Transactions.Create(channelId, org4.User()));
        Assert.Equal(Status.Forbidden, org4Before.Status);

        ConfigUpdates.AddSignature(update, org2.Admin);
        var enough = await broadcast.SendAsync(ConfigUpdates.CreateEnvelope(update, org1.Admin));
        Assert.True(enough.Status == Status.Success, enough.Info);
        // Sent again at once, the same update is either validated against sequence 0 (if the first is not yet
        // ordered) and accepted, then re-validated when its turn comes and dropped, or refused as stale (if the first
        // was already ordered). Which one depends on timing; either way no second config block appears (checked below).
        var racing = await broadcast.SendAsync(ConfigUpdates.CreateEnvelope(update, org1.Admin));
        Assert.Contains(racing.Status, new[] { Status.Success, Status.BadRequest });

        var blocks = await Transactions.ReadBlocksAsync(channel, channelId, org1.User(), 0, 1, org1.ClientCertificateHash());
        var configBlock = blocks[1];
        var configEnvelope = Envelopes.Unpack(Envelope.Parser.ParseFrom(Assert.Single(configBlock.Data.Data)));
        Assert.Equal(HeaderType.Config, configEnvelope.Type);
        var applied = ConfigUpdates.ReadConfig(configEnvelope);
        Assert.Equal(1UL, applied.Config.Sequence);
        Assert.Contains(applied.Config.Application.Organizations, org => org.MspId == org4.MspId);
        Assert.Equal(1UL, LastConfigIndex(configBlock));
        var stale = await broadcast.SendAsync(ConfigUpdates.CreateEnvelope(update, org1.Admin));
        Assert.Equal(Status.BadRequest, stale.Status);
        Assert.Contains("sequence", stale.Info, StringComparison.Ordinal);

        using var org4Channel = orderer.Connect(org4);
        await using var org4Broadcast = new BroadcastSession(org4Channel.CreateCallInvoker());
        var org4After = Transactions.Create(channelId, org4.User());
        Assert.Equal(Status.Success, (await org4Broadcast.SendAsync(org4After)).Status);
        var next = await Transactions.ReadBlocksAsync(org4Channel, channelId, org4.User(), 2, 2, org4.ClientCertificateHash());
        Assert.Equal(Transactions.TxId(org4After), Transactions.TxId(Assert.Single(next[0].Data.Data)));
        Assert.Equal(1UL, LastConfigIndex(next[0]));

        // The new config survives a restart: Org4 still writes.
        await orderer.RestartAsync();
        using var again = orderer.Connect(org4);
        await using var afterRestart = new BroadcastSession(again.CreateCallInvoker());
        Assert.Equal(Status.Success, (await afterRestart.SendAsync(Transactions.Create(channelId, org4.User()))).Status);
    }

    [Fact]
    public async Task Changing_batch_size_needs_the_orderer_admins_and_takes_effect()
    {
        const string channelId = "batch-size";
        var genesis = _consortium.Genesis(channelId, ordering: new OrderingDefinition { MaxMessageCount = 100, BatchTimeout = TimeSpan.FromSeconds(30) });
        // Fabric's cutting: a batch that is not full waits for the batch timeout (adaptive cutting would cut each lone transaction).
        await using var orderer = await OrdererNode.StartAsync(_consortium, tls: false, extraArgs: ["--adaptive-cutting", "false"]);
        Assert.Equal(0, (await orderer.JoinAsync(genesis)).ExitCode);
        var org1 = _consortium.Orgs[0];
        var current = ConfigOf(genesis);
        var smaller = current.Clone();
        smaller.Orderer.BatchSize.MaxMessageCount = 2;
        using var channel = orderer.Connect(org1);
        await using var broadcast = new BroadcastSession(channel.CreateCallInvoker());

        var byAppAdmins = ConfigUpdates.Propose(current, smaller);
        foreach (var org in _consortium.Orgs.Take(3))
        {
            ConfigUpdates.AddSignature(byAppAdmins, org.Admin);
        }
        var refused = await broadcast.SendAsync(ConfigUpdates.CreateEnvelope(byAppAdmins, org1.Admin));
        Assert.Equal(Status.Forbidden, refused.Status);
        Assert.Contains("/Channel/Orderer/Admins", refused.Info, StringComparison.Ordinal);

        var byOrdererAdmin = ConfigUpdates.Propose(current, smaller);
        ConfigUpdates.AddSignature(byOrdererAdmin, _consortium.Orderer.Admin);
        var accepted = await broadcast.SendAsync(ConfigUpdates.CreateEnvelope(byOrdererAdmin, org1.Admin));
        Assert.True(accepted.Status == Status.Success, accepted.Info);
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(Status.Success, (await broadcast.SendAsync(Transactions.Create(channelId, org1.User()))).Status);
        }
        // With a 30 s batch timeout, only the new count of 2 can have cut these blocks.
        var blocks = await Transactions.ReadBlocksAsync(channel, channelId, org1.User(), 2, 3);
        Assert.All(blocks, block => Assert.Equal(2, block.Data.Data.Count));
    }

    private static ChannelConfig ConfigOf(Block configBlock) =>
        ConfigUpdates.ReadConfig(Envelopes.Unpack(Envelope.Parser.ParseFrom(configBlock.Data.Data[0]))).Config;

    private ChannelConfig ConfigWithAllFourOrgs(string channelId) => ConfigOf(_consortium.Genesis(channelId, memberCount: 4));

    private static ulong LastConfigIndex(Block block) =>
        LastConfig.Parser.ParseFrom(Metadata.Parser.ParseFrom(block.Metadata.Metadata[(int)BlockMetadataIndex.LastConfig]).Value).Index;
}
