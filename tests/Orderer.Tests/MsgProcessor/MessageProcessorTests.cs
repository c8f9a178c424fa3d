using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using ZonCoin.Core.Crypto;
using ZonCoin.Core.Identity;
using ZonCoin.Core.Protocol;
using ZonCoin.Orderer.Channels;
using ZonCoin.Orderer.MsgProcessor;
using ZonCoin.Orderer.Tests.Support;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Config;

namespace ZonCoin.Orderer.Tests.MsgProcessor;

public sealed class MessageProcessorTests : IDisposable
{
    private readonly TestNetwork _network = new();
    private readonly ManualTimeProvider _clock = new();
    private readonly MessageProcessor _processor;
    private readonly ChannelConfig _config;
    private readonly ChannelState _state;

    public MessageProcessorTests()
    {
        _processor = new MessageProcessor(_network.OrdererSigner, _clock);
        _config = _network.Config();
        _state = ChannelState.Create(_config);
    }

    // ---- Classify ----

    [Fact]
    public void Classify_rejects_a_garbage_payload_with_400()
    {
        var envelope = new Envelope { Payload = ByteString.CopyFrom(0xff, 0xff, 0xff, 0x01), Signature = ByteString.CopyFrom(1, 2) };

        var ex = Assert.Throws<MessageRejectedException>(() => MessageProcessor.Classify(envelope));

        Assert.Equal(Status.BadRequest, ex.Status);
        Assert.Contains("bad envelope", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_rejects_an_empty_payload_with_400()
    {
        var ex = Assert.Throws<MessageRejectedException>(() => MessageProcessor.Classify(new Envelope()));

        Assert.Equal(Status.BadRequest, ex.Status);
    }

    [Theory]
    [InlineData(HeaderType.Config)]
    [InlineData(HeaderType.OrdererTransaction)]
    public void Classify_rejects_config_and_orderer_transactions_with_400(HeaderType type)
    {
        var envelope = Envelopes.CreateSigned(type, TestNetwork.ChannelId, new ConfigEnvelope { Config = _config }, _network.Org1.Admin);

        var ex = Assert.Throws<MessageRejectedException>(() => MessageProcessor.Classify(envelope));

        Assert.Equal(Status.BadRequest, ex.Status);
        Assert.Contains("CONFIG_UPDATE", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_rejects_deliver_seek_info_with_400()
    {
        var envelope = Envelopes.CreateSigned(HeaderType.DeliverSeekInfo, TestNetwork.ChannelId, new Empty(), _network.Org1.Client);

        var ex = Assert.Throws<MessageRejectedException>(() => MessageProcessor.Classify(envelope));

        Assert.Equal(Status.BadRequest, ex.Status);
        Assert.Contains("cannot be ordered", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_accepts_endorser_transactions_as_normal()
    {
        var envelope = TestNetwork.Transaction(_network.Org1.Client);

        var (unpacked, messageClass) = MessageProcessor.Classify(envelope);

        Assert.Equal(MessageClass.Normal, messageClass);
        Assert.Equal(TestNetwork.ChannelId, unpacked.ChannelHeader.ChannelId);
        Assert.Same(envelope, unpacked.Envelope);
    }

    [Fact]
    public void Classify_accepts_config_updates()
    {
        var next = _config.Clone();
        next.Orderer.BatchSize.MaxMessageCount = 20;
        var envelope = TestNetwork.ConfigUpdate(_config, next, [_network.OrdererOrg.Admin], _network.Org1.Admin);

        Assert.Equal(MessageClass.ConfigUpdate, MessageProcessor.Classify(envelope).Class);
    }

    // ---- ProcessNormal ----

    [Fact]
    public void ProcessNormal_accepts_a_member_client_and_returns_the_config_sequence()
    {
        var (unpacked, _) = MessageProcessor.Classify(TestNetwork.Transaction(_network.Org2.Client));

        Assert.Equal(0UL, _processor.ProcessNormal(unpacked, _state));
    }

    [Fact]
    public void ProcessNormal_rejects_a_peer_which_is_no_writer_with_403()
    {
        var ex = Reject(TestNetwork.Transaction(_network.Org1.Peer));

        Assert.Equal(Status.Forbidden, ex.Status);
        Assert.Contains("/Channel/Writers", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ProcessNormal_rejects_an_unsigned_envelope_with_403()
    {
        var envelope = TestNetwork.Transaction(_network.Org1.Client);
        envelope.Signature = ByteString.Empty;

        var ex = Reject(envelope);

        Assert.Equal(Status.Forbidden, ex.Status);
        Assert.Contains("not signed", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ProcessNormal_rejects_an_envelope_without_creator_with_403()
    {
        var payload = new Payload
        {
            Header = new Header
            {
                ChannelHeader = Envelopes.NewChannelHeader(HeaderType.EndorserTransaction, TestNetwork.ChannelId, "tx").ToByteString(),
                SignatureHeader = new SignatureHeader { Nonce = ByteString.CopyFrom(1, 2, 3) }.ToByteString(),
            },
        };
        var envelope = new Envelope { Payload = payload.ToByteString(), Signature = ByteString.CopyFrom(1, 2, 3) };

        var ex = Reject(envelope);

        Assert.Equal(Status.Forbidden, ex.Status);
        Assert.Contains("no creator", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ProcessNormal_rejects_a_wrong_signature_with_403()
    {
        var signer = _network.Org1.Client;
        var envelope = TestNetwork.Transaction(signer);
        envelope.Signature = ByteString.CopyFrom(signer.Sign("other bytes"u8));

        var ex = Reject(envelope);

        Assert.Equal(Status.Forbidden, ex.Status);
        Assert.Contains("does not verify", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ProcessNormal_rejects_a_non_member_org_with_403()
    {
        var ex = Reject(TestNetwork.Transaction(_network.Org9.Client));

        Assert.Equal(Status.Forbidden, ex.Status);
        Assert.Contains("Org9MSP", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ProcessNormal_rejects_an_identity_from_an_unknown_ca_claiming_a_member_msp_with_403()
    {
        // Issued by Org9's CA but serialized as Org1MSP.
        var issued = _network.Org9.Ca.Issue(new CertificateSpec { CommonName = "impostor", OrganizationalUnits = [MspConfigs.ClientOu] });
        var impostor = new SigningIdentity("Org1MSP", MspIdentity.Serialize("Org1MSP", issued.Certificate), new EcdsaSigner(issued.Key));

        var ex = Reject(TestNetwork.Transaction(impostor));

        Assert.Equal(Status.Forbidden, ex.Status);
    }

    [Fact]
    public void ProcessNormal_rejects_an_expired_certificate_with_403()
    {
        var now = DateTimeOffset.UtcNow;
        var expired = _network.Org1.Issue(new CertificateSpec
        {
            CommonName = "expired.org1",
            Organization = "Org1MSP",
            OrganizationalUnits = [MspConfigs.ClientOu],
            NotBefore = now.AddDays(-10),
            NotAfter = now.AddDays(-1),
        });

        var ex = Reject(TestNetwork.Transaction(expired));

        Assert.Equal(Status.Forbidden, ex.Status);
    }

    [Fact]
    public void ProcessNormal_rejects_an_envelope_over_absolute_max_bytes_with_413_and_the_sizes()
    {
        var state = ChannelState.Create(_network.Config(preferredMaxBytes: 1024, absoluteMaxBytes: 4096));
        var envelope = TestNetwork.Transaction(_network.Org1.Client, data: new byte[5000]);
        var (unpacked, _) = MessageProcessor.Classify(envelope);

        var ex = Assert.Throws<MessageRejectedException>(() => _processor.ProcessNormal(unpacked, state));

        Assert.Equal(Status.RequestEntityTooLarge, ex.Status);
        Assert.Contains($"{envelope.CalculateSize()} bytes", ex.Message, StringComparison.Ordinal);
        Assert.Contains("4096", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ProcessNormal_accepts_an_envelope_just_under_absolute_max_bytes()
    {
        var state = ChannelState.Create(_network.Config(preferredMaxBytes: 1024, absoluteMaxBytes: 4096));
        var envelope = TestNetwork.Transaction(_network.Org1.Client, data: new byte[3000]);
        Assert.True(envelope.CalculateSize() <= 4096);

        Assert.Equal(0UL, _processor.ProcessNormal(MessageProcessor.Classify(envelope).Envelope, state));
    }

    // ---- ProcessConfigUpdate ----

    private ChannelConfig WithOrg4()
    {
        var next = _config.Clone();
        next.Application.Organizations.Add(_network.MemberOrganization(_network.Org4));
        return next;
    }

    [Fact]
    public void Adding_an_org_with_a_majority_of_admins_yields_a_signed_config_envelope()
    {
        var proposed = WithOrg4();
        var update = TestNetwork.ConfigUpdate(_config, proposed, [_network.Org1.Admin, _network.Org2.Admin], _network.Org1.Admin);

        var result = _processor.ProcessConfigUpdate(MessageProcessor.Classify(update).Envelope, _state);

        var unpacked = Envelopes.Unpack(result);
        Assert.Equal(HeaderType.Config, unpacked.Type);
        Assert.Equal(TestNetwork.ChannelId, unpacked.ChannelHeader.ChannelId);
        var configEnvelope = ConfigUpdates.ReadConfig(unpacked);
        Assert.Equal(1UL, configEnvelope.Config.Sequence);
        Assert.Equal(4, configEnvelope.Config.Application.Organizations.Count);
        Assert.Equal("Org4MSP", configEnvelope.Config.Application.Organizations[3].MspId);
        Assert.Equal(update, configEnvelope.LastUpdate);
        // Signed by the orderer.
        Assert.Equal(_network.OrdererSigner.Creator, unpacked.SignatureHeader.Creator.ToByteArray());
        var orderer = MspIdentity.Parse(unpacked.SignatureHeader.Creator.Span);
        Assert.True(orderer.Verify(result.Payload.Span, result.Signature.Span));
        // The new configuration compiles and admits the new org.
        var next = ChannelState.Create(configEnvelope.Config);
        Assert.Equal(0UL + 1, _processor.ProcessNormal(MessageProcessor.Classify(TestNetwork.Transaction(_network.Org4.Client)).Envelope, next));
    }

    [Fact]
    public void Adding_an_org_with_one_of_three_admins_is_rejected_with_403_naming_the_policy()
    {
        var update = TestNetwork.ConfigUpdate(_config, WithOrg4(), [_network.Org1.Admin], _network.Org1.Admin);

        var ex = RejectUpdate(update);

        Assert.Equal(Status.Forbidden, ex.Status);
        Assert.Contains("/Channel/Application/Admins", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Admin_signatures_from_clients_do_not_count()
    {
        var update = TestNetwork.ConfigUpdate(_config, WithOrg4(), [_network.Org1.Client, _network.Org2.Client, _network.Org3.Client], _network.Org1.Admin);

        Assert.Equal(Status.Forbidden, RejectUpdate(update).Status);
    }

    [Fact]
    public void An_org_change_needs_only_that_orgs_admin()
    {
        var next = _config.Clone();
        next.Application.Organizations[1].PeerEndpoints.Add("peer1.org2:7051");
        var byOrg2 = TestNetwork.ConfigUpdate(_config, next, [_network.Org2.Admin], _network.Org2.Client);
        var byOrg1 = TestNetwork.ConfigUpdate(_config, next, [_network.Org1.Admin], _network.Org2.Client);

        var result = _processor.ProcessConfigUpdate(MessageProcessor.Classify(byOrg2).Envelope, _state);
        var ex = RejectUpdate(byOrg1);

        Assert.Equal(1UL, MessageProcessor.ReadConfig(result).Sequence);
        Assert.Equal(Status.Forbidden, ex.Status);
        Assert.Contains("/Channel/Application/Org2/Admins", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_config_update_from_a_non_writer_is_rejected_with_403()
    {
        var update = TestNetwork.ConfigUpdate(_config, WithOrg4(), [_network.Org1.Admin, _network.Org2.Admin], _network.Org9.Admin);

        Assert.Equal(Status.Forbidden, RejectUpdate(update).Status);
    }

    [Fact]
    public void A_wrong_base_sequence_is_rejected_with_400()
    {
        var update = TestNetwork.RawConfigUpdate(TestNetwork.ChannelId, 5, WithOrg4(), [_network.Org1.Admin, _network.Org2.Admin], _network.Org1.Admin);

        var ex = RejectUpdate(update);

        Assert.Equal(Status.BadRequest, ex.Status);
        Assert.Contains("sequence 5", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_update_without_changes_is_rejected_with_400()
    {
        var update = TestNetwork.ConfigUpdate(_config, _config.Clone(), [_network.Org1.Admin, _network.Org2.Admin], _network.Org1.Admin);

        var ex = RejectUpdate(update);

        Assert.Equal(Status.BadRequest, ex.Status);
        Assert.Contains("no changes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_update_for_another_channel_is_rejected_with_400()
    {
        var other = _network.Config(channelId: "otherchannel");
        other.Application.Organizations.Add(_network.MemberOrganization(_network.Org4));
        var update = TestNetwork.RawConfigUpdate("otherchannel", 0, other, [_network.Org1.Admin, _network.Org2.Admin], _network.Org1.Admin);

        var ex = RejectUpdate(update);

        Assert.Equal(Status.BadRequest, ex.Status);
        Assert.Contains("otherchannel", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_update_whose_config_names_another_channel_is_rejected_with_400()
    {
        var proposed = WithOrg4();
        proposed.ChannelId = "otherchannel";
        var update = TestNetwork.RawConfigUpdate(TestNetwork.ChannelId, 0, proposed, [_network.Org1.Admin, _network.Org2.Admin], _network.Org1.Admin);

        Assert.Equal(Status.BadRequest, RejectUpdate(update).Status);
    }

    [Fact]
    public void Changing_the_consensus_type_is_rejected_with_400()
    {
        var next = _config.Clone();
        next.Orderer.ConsensusType = "kafka";
        var update = TestNetwork.ConfigUpdate(_config, next, [_network.OrdererOrg.Admin], _network.Org1.Admin);

        var ex = RejectUpdate(update);

        Assert.Equal(Status.BadRequest, ex.Status);
        Assert.Contains("consensus type", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_config_whose_policies_do_not_compile_is_rejected_with_400()
    {
        var next = _config.Clone();
        next.Application.Policies["Broken"] = new Policy { Type = 99, Value = ByteString.CopyFrom(1, 2, 3) };
        var update = TestNetwork.ConfigUpdate(_config, next, [_network.Org1.Admin, _network.Org2.Admin], _network.Org1.Admin);

        var ex = RejectUpdate(update);

        Assert.Equal(Status.BadRequest, ex.Status);
        Assert.Contains("invalid", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_config_with_contradicting_batch_sizes_is_rejected_with_400()
    {
        var next = _config.Clone();
        next.Orderer.BatchSize.PreferredMaxBytes = next.Orderer.BatchSize.AbsoluteMaxBytes + 1;
        var update = TestNetwork.ConfigUpdate(_config, next, [_network.OrdererOrg.Admin], _network.Org1.Admin);

        var ex = RejectUpdate(update);

        Assert.Equal(Status.BadRequest, ex.Status);
        Assert.Contains("preferred_max_bytes", ex.Message, StringComparison.Ordinal);
    }

    // ---- ReprocessConfig ----

    [Fact]
    public void ReprocessConfig_against_the_same_state_produces_an_equivalent_config()
    {
        var update = TestNetwork.ConfigUpdate(_config, WithOrg4(), [_network.Org1.Admin, _network.Org2.Admin], _network.Org1.Admin);
        var first = _processor.ProcessConfigUpdate(MessageProcessor.Classify(update).Envelope, _state);

        var again = _processor.ReprocessConfig(first, _state);

        Assert.Equal(MessageProcessor.ReadConfig(first), MessageProcessor.ReadConfig(again));
    }

    [Fact]
    public void ReprocessConfig_against_a_newer_state_revalidates_the_original_update()
    {
        var update = TestNetwork.ConfigUpdate(_config, WithOrg4(), [_network.Org1.Admin, _network.Org2.Admin], _network.Org1.Admin);
        var stale = _processor.ProcessConfigUpdate(MessageProcessor.Classify(update).Envelope, _state);
        // Meanwhile another update (batch size) was applied: sequence 1.
        var batch = _config.Clone();
        batch.Orderer.BatchSize.MaxMessageCount = 20;
        var applied = _processor.ProcessConfigUpdate(
            MessageProcessor.Classify(TestNetwork.ConfigUpdate(_config, batch, [_network.OrdererOrg.Admin], _network.Org1.Admin)).Envelope, _state);
        var newer = ChannelState.Create(MessageProcessor.ReadConfig(applied));

        var ex = Assert.Throws<MessageRejectedException>(() => _processor.ReprocessConfig(stale, newer));

        Assert.Equal(Status.BadRequest, ex.Status);
        Assert.Contains("sequence 0", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReprocessConfig_rejects_a_config_without_last_update_with_400()
    {
        var genesis = ConfigUpdates.CreateConfigEnvelope(_config);

        var ex = Assert.Throws<MessageRejectedException>(() => _processor.ReprocessConfig(genesis, _state));

        Assert.Equal(Status.BadRequest, ex.Status);
    }

    private MessageRejectedException Reject(Envelope envelope) =>
        Assert.Throws<MessageRejectedException>(() => _processor.ProcessNormal(MessageProcessor.Classify(envelope).Envelope, _state));

    private MessageRejectedException RejectUpdate(Envelope envelope) =>
        Assert.Throws<MessageRejectedException>(() => _processor.ProcessConfigUpdate(MessageProcessor.Classify(envelope).Envelope, _state));

    public void Dispose() => _network.Dispose();
}
