using Google.Protobuf;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Config;

namespace ZonCoin.Core.Protocol;

/// <summary>
/// Channel configuration transactions: CONFIG_UPDATE envelopes that admins sign, and the CONFIG envelopes
/// that carry the configuration in force.
/// </summary>
public static class ConfigUpdates
{
    /// <summary>An unsigned update envelope: the proposed config and the sequence it was computed against.</summary>
    public static ConfigUpdateEnvelope Propose(ChannelConfig current, ChannelConfig proposed)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(proposed);
        if (current.ChannelId != proposed.ChannelId)
        {
            throw new ArgumentException($"proposed config is for channel '{proposed.ChannelId}', current is '{current.ChannelId}'", nameof(proposed));
        }
        var update = new ConfigUpdate { ChannelId = current.ChannelId, BaseSequence = current.Sequence, Config = proposed };
        return new ConfigUpdateEnvelope { ConfigUpdate = update.ToByteString() };
    }

    /// <summary>Adds an admin's signature: Sign(signature_header ‖ config_update).</summary>
    public static void AddSignature(ConfigUpdateEnvelope envelope, SigningIdentity admin)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(admin);
        var header = new SignatureHeader
        {
            Creator = ByteString.CopyFrom(admin.Creator),
            Nonce = ByteString.CopyFrom(TransactionIds.NewNonce()),
        }.ToByteString();
        envelope.Signatures.Add(new ConfigSignature
        {
            SignatureHeader = header,
            Signature = ByteString.CopyFrom(admin.Sign([.. header.Span, .. envelope.ConfigUpdate.Span])),
        });
    }

    /// <summary>The bytes a config signature covers.</summary>
    public static byte[] SignedBytes(ConfigSignature signature, ConfigUpdateEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(signature);
        ArgumentNullException.ThrowIfNull(envelope);
        return [.. signature.SignatureHeader.Span, .. envelope.ConfigUpdate.Span];
    }

    /// <summary>Wraps a signed update into a CONFIG_UPDATE envelope signed by the submitter.</summary>
    public static Envelope CreateEnvelope(ConfigUpdateEnvelope update, SigningIdentity submitter)
    {
        ArgumentNullException.ThrowIfNull(update);
        var parsed = Messages.Parse(ConfigUpdate.Parser, update.ConfigUpdate, "ConfigUpdateEnvelope.config_update");
        return Envelopes.CreateSigned(HeaderType.ConfigUpdate, parsed.ChannelId, update, submitter);
    }

    /// <summary>Unpacks a CONFIG_UPDATE envelope into the update and its signatures.</summary>
    public static (ConfigUpdateEnvelope Envelope, ConfigUpdate Update) Unpack(UnpackedEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (envelope.Type != HeaderType.ConfigUpdate)
        {
            throw new MalformedMessageException("ChannelHeader", $"header type {envelope.ChannelHeader.Type} is not CONFIG_UPDATE");
        }
        var updateEnvelope = Messages.Parse(ConfigUpdateEnvelope.Parser, envelope.Payload.Data, "Payload.data");
        var update = Messages.Parse(ConfigUpdate.Parser, updateEnvelope.ConfigUpdate, "ConfigUpdateEnvelope.config_update");
        if (update.Config is null)
        {
            throw new MalformedMessageException("ConfigUpdate", "config is missing");
        }
        return (updateEnvelope, update);
    }

    /// <summary>
    /// A CONFIG envelope carrying <paramref name="config"/>. The genesis config is unsigned (no signer), as
    /// Fabric's configtxgen writes it; later ones are signed by the orderer that orders them.
    /// </summary>
    public static Envelope CreateConfigEnvelope(ChannelConfig config, Envelope? lastUpdate = null, SigningIdentity? signer = null, DateTimeOffset? timestamp = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var data = new ConfigEnvelope { Config = config, LastUpdate = lastUpdate };
        if (signer is not null)
        {
            return Envelopes.CreateSigned(HeaderType.Config, config.ChannelId, data, signer, timestamp);
        }
        var nonce = TransactionIds.NewNonce();
        var payload = new Payload
        {
            Header = new Header
            {
                ChannelHeader = Envelopes.NewChannelHeader(HeaderType.Config, config.ChannelId, "", timestamp).ToByteString(),
                SignatureHeader = new SignatureHeader { Nonce = ByteString.CopyFrom(nonce) }.ToByteString(),
            },
            Data = data.ToByteString(),
        };
        return new Envelope { Payload = payload.ToByteString() };
    }

    /// <summary>Reads the configuration out of a CONFIG envelope.</summary>
    public static ConfigEnvelope ReadConfig(UnpackedEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (envelope.Type != HeaderType.Config)
        {
            throw new MalformedMessageException("ChannelHeader", $"header type {envelope.ChannelHeader.Type} is not CONFIG");
        }
        var config = Messages.Parse(ConfigEnvelope.Parser, envelope.Payload.Data, "Payload.data");
        if (config.Config is null)
        {
            throw new MalformedMessageException("ConfigEnvelope", "config is missing");
        }
        return config;
    }
}
