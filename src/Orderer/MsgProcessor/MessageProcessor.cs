using Google.Protobuf;
using ZonCoin.Core.Policies;
using ZonCoin.Core.Protocol;
using ZonCoin.Orderer.Channels;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Config;

namespace ZonCoin.Orderer.MsgProcessor;

/// <summary>
/// The checks an envelope passes before consensus, and again when the configuration changed while it waited
/// (Fabric's <c>StandardChannel</c> processor). Every failure is a <see cref="MessageRejectedException"/> with
/// Fabric's status: 413 for size, 400 for malformed or unsupported messages, 403 for identity, signature and
/// policy failures. Stateless; the channel state is passed in.
/// </summary>
internal sealed class MessageProcessor
{
    private readonly SigningIdentity _orderer;
    private readonly TimeProvider _time;

    public MessageProcessor(SigningIdentity orderer, TimeProvider time)
    {
        _orderer = orderer ?? throw new ArgumentNullException(nameof(orderer));
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    /// <summary>Unpacks an envelope and classifies it; throws for a malformed one or a type Broadcast refuses.</summary>
    public static (UnpackedEnvelope Envelope, MessageClass Class) Classify(Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        UnpackedEnvelope unpacked;
        try
        {
            unpacked = Envelopes.Unpack(envelope);
        }
        catch (MalformedMessageException ex)
        {
            throw new MessageRejectedException(Status.BadRequest, $"bad envelope: {ex.Message}");
        }
        return unpacked.Type switch
        {
            HeaderType.EndorserTransaction or HeaderType.Message => (unpacked, MessageClass.Normal),
            HeaderType.ConfigUpdate => (unpacked, MessageClass.ConfigUpdate),
            HeaderType.Config or HeaderType.OrdererTransaction => throw new MessageRejectedException(
                Status.BadRequest, $"message of type {unpacked.Type} cannot be processed directly; send a CONFIG_UPDATE"),
            _ => throw new MessageRejectedException(
                Status.BadRequest, $"message of type {unpacked.ChannelHeader.Type} cannot be ordered; Broadcast accepts ENDORSER_TRANSACTION, MESSAGE and CONFIG_UPDATE"),
        };
    }

    /// <summary>
    /// Checks a normal message against <paramref name="state"/>: size, creator, signature and
    /// <c>/Channel/Writers</c>. Returns the config sequence it was validated against.
    /// </summary>
    public ulong ProcessNormal(UnpackedEnvelope envelope, ChannelState state)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(state);
        CheckSize(envelope.Envelope, state);
        CheckWriter(envelope, state);
        return state.Sequence;
    }

    /// <summary>
    /// Checks a CONFIG_UPDATE against <paramref name="state"/> and computes the CONFIG envelope it produces,
    /// signed by this orderer, carrying the next configuration (sequence + 1).
    /// </summary>
    public Envelope ProcessConfigUpdate(UnpackedEnvelope envelope, ChannelState state)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(state);
        CheckSize(envelope.Envelope, state);
        CheckWriter(envelope, state);
        ConfigUpdateEnvelope updateEnvelope;
        ConfigUpdate update;
        try
        {
            (updateEnvelope, update) = ConfigUpdates.Unpack(envelope);
        }
        catch (MalformedMessageException ex)
        {
            throw new MessageRejectedException(Status.BadRequest, $"bad config update: {ex.Message}");
        }
        if (update.ChannelId != state.ChannelId || update.Config.ChannelId != state.ChannelId)
        {
            throw new MessageRejectedException(Status.BadRequest,
                $"config update is for channel '{update.ChannelId}' (config '{update.Config.ChannelId}'), but was sent to channel '{state.ChannelId}'");
        }
        if (update.BaseSequence != state.Sequence)
        {
            throw new MessageRejectedException(Status.BadRequest,
                $"config update was computed against config sequence {update.BaseSequence}, but channel '{state.ChannelId}' is at sequence {state.Sequence}; fetch the current config and compute the update again");
        }
        var next = update.Config.Clone();
        next.Sequence = state.Sequence + 1;
        var required = ConfigDiff.RequiredPolicies(state.Config, next);
        if (required.Count == 0)
        {
            throw new MessageRejectedException(Status.BadRequest, "config update contains no changes");
        }
        var signers = state.Policies.Verify(SignedData(updateEnvelope));
        foreach (var path in required)
        {
            var result = state.Policies.Evaluate(path, signers);
            if (!result.IsSatisfied)
            {
                throw new MessageRejectedException(Status.Forbidden,
                    $"config update for channel '{state.ChannelId}' is not authorized: modification policy {path} is not satisfied: {result.Reason}");
            }
        }
        ChannelState nextState;
        try
        {
            nextState = ChannelState.Create(next);
        }
        catch (ChannelConfigException ex)
        {
            throw new MessageRejectedException(Status.BadRequest, $"proposed config is invalid: {ex.Message}");
        }
        if (nextState.ConsensusType != state.ConsensusType)
        {
            throw new MessageRejectedException(Status.BadRequest,
                $"consensus type cannot change from '{state.ConsensusType}' to '{nextState.ConsensusType}'");
        }
        var configEnvelope = ConfigUpdates.CreateConfigEnvelope(next, envelope.Envelope, _orderer, _time.GetUtcNow());
        CheckSize(configEnvelope, nextState);
        return configEnvelope;
    }

    /// <summary>
    /// Re-validates a CONFIG envelope this orderer produced earlier against a newer state: its original
    /// CONFIG_UPDATE is processed again. Returns the new CONFIG envelope.
    /// </summary>
    public Envelope ReprocessConfig(Envelope configEnvelope, ChannelState state)
    {
        ArgumentNullException.ThrowIfNull(configEnvelope);
        ConfigEnvelope config;
        try
        {
            config = ConfigUpdates.ReadConfig(Envelopes.Unpack(configEnvelope));
        }
        catch (MalformedMessageException ex)
        {
            throw new MessageRejectedException(Status.BadRequest, $"bad config envelope: {ex.Message}");
        }
        if (config.LastUpdate is null)
        {
            throw new MessageRejectedException(Status.BadRequest, "config envelope carries no config update to re-validate");
        }
        var (update, _) = Classify(config.LastUpdate);
        return ProcessConfigUpdate(update, state);
    }

    /// <summary>Reads the configuration a CONFIG envelope puts in force.</summary>
    public static ChannelConfig ReadConfig(Envelope configEnvelope) =>
        ConfigUpdates.ReadConfig(Envelopes.Unpack(configEnvelope)).Config;

    private static void CheckSize(Envelope envelope, ChannelState state)
    {
        var size = envelope.CalculateSize();
        if (size > state.Batch.AbsoluteMaxBytes)
        {
            throw new MessageRejectedException(Status.RequestEntityTooLarge,
                $"message payload is {size} bytes and exceeds maximum allowed {state.Batch.AbsoluteMaxBytes} bytes");
        }
    }

    private void CheckWriter(UnpackedEnvelope envelope, ChannelState state)
    {
        var creator = envelope.SignatureHeader.Creator;
        if (creator.IsEmpty)
        {
            throw new MessageRejectedException(Status.Forbidden, "envelope has no creator in its signature header");
        }
        if (envelope.Envelope.Signature.IsEmpty)
        {
            throw new MessageRejectedException(Status.Forbidden, "envelope is not signed");
        }
        var signed = new SignedData(envelope.Envelope.Payload.ToByteArray(), creator.ToByteArray(), envelope.Envelope.Signature.ToByteArray());
        var signers = SignerSet.From([signed], state.Msps, _time.GetUtcNow());
        if (signers.Identities.Count == 0)
        {
            throw new MessageRejectedException(Status.Forbidden, $"envelope signature does not verify: {signers.Describe()}");
        }
        var result = state.Policies.Evaluate(WritersPath, signers);
        if (!result.IsSatisfied)
        {
            throw new MessageRejectedException(Status.Forbidden, $"{WritersPath}: {result.Reason}: permission denied");
        }
    }

    private const string WritersPath = "/Channel/Writers";

    private static List<SignedData> SignedData(ConfigUpdateEnvelope envelope)
    {
        var signed = new List<SignedData>(envelope.Signatures.Count);
        foreach (var signature in envelope.Signatures)
        {
            SignatureHeader header;
            try
            {
                header = SignatureHeader.Parser.ParseFrom(signature.SignatureHeader);
            }
            catch (InvalidProtocolBufferException ex)
            {
                throw new MessageRejectedException(Status.BadRequest, $"config signature header does not parse: {ex.Message}");
            }
            signed.Add(new SignedData(ConfigUpdates.SignedBytes(signature, envelope), header.Creator.ToByteArray(), signature.Signature.ToByteArray()));
        }
        return signed;
    }
}
