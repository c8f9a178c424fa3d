using Google.Protobuf;
using ZonCoin.Core.Config;
using ZonCoin.Core.Identity;
using ZonCoin.Core.Policies;
using ZonCoin.Core.Protocol;
using ZonCoin.Peer.Channels;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Config;

namespace ZonCoin.Peer.Tests.Support;

/// <summary>
/// A test channel with real CAs: OrdererOrg (OrdererMSP), members Org1..Org3 (Org1MSP..Org3MSP) and Org9, which
/// the channel does not know. Default policies (Endorsement and LifecycleEndorsement MAJORITY, BlockValidation
/// ANY Writers of the orderer orgs).
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
        Org9 = new TestOrg("Org9", "Org9MSP");
        Config = ChannelConfigBuilder.Create(
            ChannelId,
            [Org1.Definition(), Org2.Definition(), Org3.Definition()],
            [OrdererOrg.Definition(orderer: true)],
            new OrderingDefinition());
        Resources = ChannelResources.Create(Config);
        ConfigEnvelope = ConfigUpdates.CreateConfigEnvelope(Config, signer: OrdererOrg.Orderer);
        Genesis = Blocks.Genesis(ConfigEnvelope);
    }

    public TestOrg OrdererOrg { get; }

    public TestOrg Org1 { get; }

    public TestOrg Org2 { get; }

    public TestOrg Org3 { get; }

    public TestOrg Org9 { get; }

    public ChannelConfig Config { get; }

    public ChannelResources Resources { get; }

    public Envelope ConfigEnvelope { get; }

    /// <summary>Block 0 of the channel (clone it before committing it anywhere that changes metadata).</summary>
    public Block Genesis { get; }

    public MspIdentity Identity(SigningIdentity signer) => Resources.Msps.Deserialize(signer.Creator);

    /// <summary>A chaincode policy from the signature-policy DSL, compiled against the channel's MSPs.</summary>
    public IPolicy Policy(string dsl) => Resources.Policies.Resolve(new ApplicationPolicy { SignaturePolicy = PolicyDsl.Parse(dsl) });

    /// <summary>
    /// Signs <paramref name="block"/> as an orderer does: SIGNATURES = Metadata{OrdererBlockMetadata, [{signature header,
    /// Sign(value ‖ signature header ‖ header DER)}]}.
    /// </summary>
    public static void SignBlock(Block block, params SigningIdentity[] signers)
    {
        var metadata = new Metadata { Value = new OrdererBlockMetadata { LastConfig = new LastConfig { Index = 0 } }.ToByteString() };
        var header = BlockHashing.HeaderBytes(block.Header);
        foreach (var signer in signers)
        {
            var signatureHeader = new SignatureHeader { Creator = ByteString.CopyFrom(signer.Creator), Nonce = ByteString.CopyFrom(TransactionIds.NewNonce()) }.ToByteString();
            metadata.Signatures.Add(new MetadataSignature
            {
                SignatureHeader = signatureHeader,
                Signature = ByteString.CopyFrom(signer.Sign([.. metadata.Value.Span, .. signatureHeader.Span, .. header])),
            });
        }
        while (block.Metadata.Metadata.Count < Blocks.MetadataSlots)
        {
            block.Metadata.Metadata.Add(ByteString.Empty);
        }
        block.Metadata.Metadata[(int)BlockMetadataIndex.Signatures] = metadata.ToByteString();
    }

    public void Dispose()
    {
        foreach (var org in new[] { OrdererOrg, Org1, Org2, Org3, Org9 })
        {
            org.Dispose();
        }
    }
}
