using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using ZonCoin.Core.Config;
using ZonCoin.Core.Protocol;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Config;

namespace ZonCoin.Orderer.Tests.Support;

/// <summary>
/// The organisations of a test channel, with real CAs: OrdererOrg (OrdererMSP), three member orgs
/// Org1..Org3 (Org1MSP..Org3MSP), Org4 which a config update can add, and Org9 which no channel knows.
/// Builds channel configs with <see cref="ChannelConfigBuilder"/> and signed envelopes.
/// </summary>
internal sealed class TestNetwork : IDisposable
{
    public const string ChannelId = "testchannel";

    public TestNetwork()
    {
        OrdererOrg = new TestOrg("OrdererOrg", "OrdererMSP");
        Org1 = new TestOrg("Org1", "Org1MSP");
        Org2 = new TestOrg("Org2", "Org2MSP");
        Org3 = new TestOrg("Org3", "Org3MSP");
        Org4 = new TestOrg("Org4", "Org4MSP");
        Org9 = new TestOrg("Org9", "Org9MSP");
    }

    public TestOrg OrdererOrg { get; }

    public TestOrg Org1 { get; }

    public TestOrg Org2 { get; }

    public TestOrg Org3 { get; }

    public TestOrg Org4 { get; }

    public TestOrg Org9 { get; }

    /// <summary>The channel's member orgs.</summary>
    public IReadOnlyList<TestOrg> Members => [Org1, Org2, Org3];

    /// <summary>The orderer node's signing identity (role orderer of OrdererMSP).</summary>
    public SigningIdentity OrdererSigner => OrdererOrg.Orderer;

    /// <summary>
    /// The genesis config (sequence 0) of <see cref="ChannelId"/> with Org1..Org3 and OrdererOrg; solo, or kafka
    /// on <paramref name="kafkaBrokers"/> when given.
    /// </summary>
    public ChannelConfig Config(
        uint maxMessageCount = 10,
        uint preferredMaxBytes = 512 * 1024,
        uint absoluteMaxBytes = 1024 * 1024,
        TimeSpan? batchTimeout = null,
        string channelId = ChannelId,
        IReadOnlyList<TestOrg>? members = null,
        IReadOnlyList<string>? kafkaBrokers = null) =>
        ChannelConfigBuilder.Create(
            channelId,
            [.. (members ?? Members).Select(org => org.Definition())],
            [OrdererOrg.Definition(orderer: true)],
            new OrderingDefinition
            {
                MaxMessageCount = maxMessageCount,
                PreferredMaxBytes = preferredMaxBytes,
                AbsoluteMaxBytes = absoluteMaxBytes,
                BatchTimeout = batchTimeout ?? TimeSpan.FromSeconds(2),
                ConsensusType = kafkaBrokers is null ? "solo" : "kafka",
                KafkaBrokers = kafkaBrokers ?? [],
            });

    /// <summary>The channel-config form of <paramref name="org"/> as a member org.</summary>
    public Organization MemberOrganization(TestOrg org) =>
        ChannelConfigBuilder.Create(ChannelId, [org.Definition()], [OrdererOrg.Definition(orderer: true)], new OrderingDefinition())
            .Application.Organizations[0];

    /// <summary>A signed ENDORSER_TRANSACTION carrying <paramref name="data"/> (default: a few bytes).</summary>
    public static Envelope Transaction(SigningIdentity signer, string channelId = ChannelId, byte[]? data = null) =>
        Envelopes.CreateSigned(HeaderType.EndorserTransaction, channelId, new BytesValue { Value = ByteString.CopyFrom(data ?? "some transaction"u8.ToArray()) }, signer);

    /// <summary>
    /// A CONFIG_UPDATE envelope proposing <paramref name="proposed"/> against <paramref name="current"/>,
    /// signed by each of <paramref name="admins"/> and submitted by <paramref name="submitter"/>.
    /// </summary>
    public static Envelope ConfigUpdate(ChannelConfig current, ChannelConfig proposed, IEnumerable<SigningIdentity> admins, SigningIdentity submitter)
    {
        var update = ConfigUpdates.Propose(current, proposed);
        foreach (var admin in admins)
        {
            ConfigUpdates.AddSignature(update, admin);
        }
        return ConfigUpdates.CreateEnvelope(update, submitter);
    }

    /// <summary>A CONFIG_UPDATE with the fields set by hand (for base sequence and channel mismatches).</summary>
    public static Envelope RawConfigUpdate(string channelId, ulong baseSequence, ChannelConfig proposed, IEnumerable<SigningIdentity> admins, SigningIdentity submitter)
    {
        var update = new ConfigUpdateEnvelope
        {
            ConfigUpdate = new Protos.Config.ConfigUpdate { ChannelId = channelId, BaseSequence = baseSequence, Config = proposed }.ToByteString(),
        };
        foreach (var admin in admins)
        {
            ConfigUpdates.AddSignature(update, admin);
        }
        return Envelopes.CreateSigned(HeaderType.ConfigUpdate, channelId, update, submitter);
    }

    public void Dispose()
    {
        foreach (var org in new[] { OrdererOrg, Org1, Org2, Org3, Org4, Org9 })
        {
            org.Dispose();
        }
    }
}
