using System.Diagnostics;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using ZonCoin.Core.Identity;
using ZonCoin.Core.Policies;
using ZonCoin.Core.Protocol;
using ZonCoin.Peer.ChaincodeSupport;
using ZonCoin.Peer.Channels;
using ZonCoin.Peer.Query;
using ZonCoin.Peer.Simulation;
using ZonCoin.Peer.SystemChaincodes;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Peer.Endorser;

/// <summary>
/// <c>/protos.Endorser/ProcessProposal</c> (Fabric's endorser): checks the signed proposal (syntax, txid, channel,
/// creator valid in a channel MSP, signature, not a duplicate, the ACL), runs the chaincode named by its committed
/// definition against a transaction simulator (through <see cref="ChaincodeExecutor"/>), or a system chaincode of the
/// <see cref="SystemChaincodeRegistry"/> in process, and returns the result signed by this peer. The ACL is Fabric's: <c>peer/Propose</c>
/// (<c>/Channel/Application/Writers</c>) for every chaincode but <c>qscc</c>, which checks <c>qscc/&lt;Function&gt;</c>
/// (Readers) itself. A proposal that fails the checks, or a chaincode that cannot run, gets a response with status 500
/// and the reason; a chaincode error (status ≥ 400) comes back as it is, unendorsed, as Fabric does.
/// </summary>
internal sealed partial class Endorser
{
    private readonly PeerChannels _channels;
    private readonly SystemChaincodeRegistry _systemChaincodes;
    private readonly ChaincodeExecutor _chaincodes;
    private readonly SigningIdentity _signer;
    private readonly PeerMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<Endorser> _logger;

    public Endorser(PeerChannels channels, SystemChaincodeRegistry systemChaincodes, ChaincodeExecutor chaincodes, SigningIdentity signer, PeerMetrics metrics,
        TimeProvider time, ILogger<Endorser> logger)
    {
        _channels = channels;
        _systemChaincodes = systemChaincodes;
        _chaincodes = chaincodes;
        _signer = signer;
        _metrics = metrics;
        _time = time;
        _logger = logger;
    }

    public async Task<ProposalResponse> ProcessProposalAsync(SignedProposal signed, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        ProposalResponse response;
        try
        {
            response = await EndorseAsync(signed, cancellationToken).ConfigureAwait(false);
        }
        catch (ProposalRejectedException ex)
        {
            LogRejected(_logger, ex.Message);
            _metrics.ProposalProcessed(500, Stopwatch.GetElapsedTime(started));
            if (ex.Invalid)
            {
                // Fabric's endorser returns an error with the response when a proposal fails its checks, which gRPC
                // turns into status UNKNOWN; the gateway tells it from a failed simulation by that.
                throw new RpcException(new Grpc.Core.Status(StatusCode.Unknown, ex.Message));
            }
            return new ProposalResponse { Response = new Response { Status = 500, Message = ex.Message } };
        }
        _metrics.ProposalProcessed(response.Response.Status, Stopwatch.GetElapsedTime(started));
        return response;
    }

    private async Task<ProposalResponse> EndorseAsync(SignedProposal signed, CancellationToken cancellationToken)
    {
        UnpackedProposal proposal;
        try
        {
            proposal = Proposals.Unpack(signed);
        }
        catch (MalformedMessageException ex)
        {
            throw new ProposalRejectedException($"error validating proposal: {ex.Message}", invalid: true);
        }
        if (proposal.ChannelHeader.Type != (int)HeaderType.EndorserTransaction)
        {
            throw new ProposalRejectedException($"invalid header type {proposal.ChannelHeader.Type}: only ENDORSER_TRANSACTION proposals are endorsed", invalid: true);
        }
        var channel = _channels.Find(proposal.ChannelId)
            ?? throw new ProposalRejectedException($"channel '{proposal.ChannelId}' not found");
        var resources = channel.Resources;
        var creatorBytes = proposal.SignatureHeader.Creator.ToByteArray();
        var signers = SignerSet.From([new SignedData(signed.ProposalBytes.ToByteArray(), creatorBytes, signed.Signature.ToByteArray())], resources.Msps, _time.GetUtcNow());
        if (signers.Identities.Count == 0)
        {
            // Fabric's text (the reason goes to the log only): "error validating proposal: access denied: channel [ch] creator org [MSP]".
            LogCreatorRefused(_logger, proposal.ChannelId, signers.Describe());
            throw new ProposalRejectedException($"error validating proposal: access denied: channel [{proposal.ChannelId}] creator org [{CreatorMspId(creatorBytes)}]", invalid: true);
        }
        var creator = signers.Identities[0];
        if (channel.Blocks.FindTransaction(proposal.TxId) is not null)
        {
            throw new ProposalRejectedException($"duplicate transaction found [{proposal.TxId}]. Creator [{creator}]", invalid: true);
        }
        var name = proposal.ChaincodeName;
        if (name != QueryChaincode.Name)
        {
            // As Fabric: qscc checks its own ACL per function (on the channel it reads), every other chaincode here.
            var writers = ChannelAcls.PolicyOf(ChannelAcls.Propose)!;
            var acl = resources.Policies.Evaluate(writers, signers);
            if (!acl.IsSatisfied)
            {
                throw new ProposalRejectedException($"access denied: channel [{proposal.ChannelId}] creator org [{creator.MspId}]: {writers} not satisfied: {acl.Reason}", invalid: true);
            }
        }

        var simulator = new TxSimulator(channel.State);
        ChaincodeResult result;
        string version;
        var readOnly = false;
        if (_systemChaincodes.Find(name) is { } system)
        {
            version = SystemChaincodeRegistry.Version;
            readOnly = system.ReadOnly;
            result = new ChaincodeResult(system.Execute(new SystemChaincodeInvocation(proposal, creator, resources, simulator, _time.GetUtcNow())), null);
        }
        else
        {
            var definition = channel.Definitions.Find(name)
                ?? throw new ProposalRejectedException($"make sure the chaincode {name} has been successfully defined on channel {proposal.ChannelId} and try again: chaincode {name} not found");
            version = definition.Version;
            result = await ExecuteAsync(channel, definition, proposal, simulator, cancellationToken).ConfigureAwait(false);
        }
        if (result.Response.Status >= 500)
        {
            // As Fabric: a chaincode error carries the proposal response payload (no results), so clients can tell it
            // from an error of the peer itself; 400-499 carries none. Neither is endorsed.
            var failed = new SimulationResult(new ChaincodeID { Name = name, Version = version }, result.Response, ByteString.Empty, null);
            return new ProposalResponse { Version = 1, Response = result.Response, Payload = Endorsements.ResponsePayload(proposal, failed) };
        }
        if (result.Response.Status >= 400)
        {
            return new ProposalResponse { Version = 1, Response = result.Response };
        }
        var chaincodeEvent = result.Event;
        if (chaincodeEvent is not null)
        {
            chaincodeEvent = chaincodeEvent.Clone();
            chaincodeEvent.ChaincodeId = name;
            chaincodeEvent.TxId = proposal.TxId;
        }
        var results = readOnly ? ByteString.Empty : simulator.Results();
        var simulation = new SimulationResult(new ChaincodeID { Name = name, Version = version }, result.Response, results, chaincodeEvent);
        var response = Endorsements.Endorse(proposal, simulation, _signer, _time.GetUtcNow());
        if (!readOnly && version != SystemChaincodeRegistry.Version)
        {
            response.Interest = simulator.Interest();
        }
        return response;
    }

    private async Task<ChaincodeResult> ExecuteAsync(PeerChannel channel, Protos.Lifecycle.ChaincodeDefinition definition, UnpackedProposal proposal, TxSimulator simulator, CancellationToken cancellationToken)
    {
        try
        {
            var context = new TransactionContext(channel.ChannelId, proposal.TxId, proposal.SignedProposal, simulator);
            return await _chaincodes.ExecuteAsync(definition, context, proposal.Invocation.ChaincodeSpec.Input, cancellationToken).ConfigureAwait(false);
        }
        catch (ChaincodeException ex)
        {
            throw new ProposalRejectedException($"error in simulation: failed to execute transaction {proposal.TxId}: {ex.Message}");
        }
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Debug, Message = "Proposal refused: {Reason}")]
    private static partial void LogRejected(ILogger logger, string reason);

    /// <summary>The MSP ID a serialized creator claims, or "unknown" when it does not parse.</summary>
    private static string CreatorMspId(byte[] creator)
    {
        try
        {
            var mspId = Protos.Msp.SerializedIdentity.Parser.ParseFrom(creator).Mspid;
            return string.IsNullOrEmpty(mspId) ? "unknown" : mspId;
        }
        catch (InvalidProtocolBufferException)
        {
            return "unknown";
        }
    }

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "Proposal on channel {Channel} refused: creator not valid or signature does not verify: {Reason}")]
    private static partial void LogCreatorRefused(ILogger logger, string channel, string reason);
}
