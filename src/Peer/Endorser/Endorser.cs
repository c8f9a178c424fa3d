using System.Diagnostics;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using ZonCoin.Core.Identity;
using ZonCoin.Core.Policies;
using ZonCoin.Core.Protocol;
using ZonCoin.Peer.Channels;
using ZonCoin.Peer.ChaincodeSupport;
using ZonCoin.Peer.Governance;
using ZonCoin.Peer.Lifecycle;
using ZonCoin.Peer.Query;
using ZonCoin.Peer.Simulation;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Peer;
using Grpc.Core;
using ZonCoin.Rpc;

namespace ZonCoin.Peer.Endorser;

/// <summary>
/// <c>/protos.Endorser/ProcessProposal</c> (Fabric's endorser): checks the signed proposal (syntax, txid, channel,
/// creator valid in a channel MSP, signature, not a duplicate, the ACL), runs the chaincode named by its committed
/// definition against a transaction simulator, or a system chaincode (<c>_lifecycle</c>, <c>_governance</c>, <c>qscc</c>) in process,
/// and returns the result signed by this peer. The ACL is Fabric's: <c>peer/Propose</c>
/// (<c>/Channel/Application/Writers</c>) for every chaincode but <c>qscc</c>, which checks <c>qscc/&lt;Function&gt;</c>
/// (Readers) itself. A proposal that fails the checks, or a chaincode that cannot run, gets a response with status 500
/// and the reason; a chaincode error (status ≥ 400) comes back as it is, unendorsed, as Fabric does.
/// </summary>
internal sealed partial class Endorser
{
    /// <summary>The version Fabric reports for system chaincodes in a proposal response's ChaincodeID.</summary>
    public const string SystemChaincodeVersion = "syscc";

    private readonly PeerChannels _channels;
    private readonly Lazy<ChaincodeConnections> _chaincodes;
    private readonly LifecycleChaincode _lifecycle;
    private readonly GovernanceChaincode _governance;
    private readonly IReadOnlyDictionary<string, string> _chaincodeAddresses;
    private readonly QueryChaincode _query;
    private readonly SigningIdentity _signer;
    private readonly PeerMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly TimeSpan _executeTimeout;
    private readonly ILogger<Endorser> _logger;

    public Endorser(PeerChannels channels, Lazy<ChaincodeConnections> chaincodes, SigningIdentity signer, PeerMetrics metrics, TimeProvider time, TimeSpan executeTimeout, ILogger<Endorser> logger,
        IReadOnlyDictionary<string, string>? chaincodeAddresses = null)
    {
        _chaincodeAddresses = chaincodeAddresses ?? new Dictionary<string, string>(StringComparer.Ordinal);
        _channels = channels;
        _chaincodes = chaincodes;
        _lifecycle = new LifecycleChaincode(signer.MspId);
        _governance = new GovernanceChaincode(signer.MspId);
        _query = new QueryChaincode(channels.Find);
        _signer = signer;
        _metrics = metrics;
        _time = time;
        _executeTimeout = executeTimeout;
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
        if (name == QueryChaincode.Name)
        {
            // Fabric runs qscc without a simulator: its response carries no read-write set.
            version = SystemChaincodeVersion;
            readOnly = true;
            result = new ChaincodeResult(_query.Execute(proposal, _time.GetUtcNow()), null);
        }
        else if (name == LifecycleKeys.Namespace)
        {
            version = SystemChaincodeVersion;
            result = new ChaincodeResult(_lifecycle.Execute(proposal.Args, creator, resources, simulator), null);
        }
        else if (name == GovernanceKeys.Namespace)
        {
            version = SystemChaincodeVersion;
            if (proposal.ChannelHeader.Timestamp is not { } timestamp)
            {
                throw new ProposalRejectedException("error validating proposal: _governance needs the channel header's timestamp", invalid: true);
            }
            var context = new GovernanceContext(creator, proposal.TxId, timestamp.ToDateTimeOffset(), resources, simulator);
            result = new ChaincodeResult(_governance.Execute(proposal.Args, context), null);
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
        if (!readOnly && version != SystemChaincodeVersion)
        {
            response.Interest = simulator.Interest();
        }
        return response;
    }

    private async Task<ChaincodeResult> ExecuteAsync(PeerChannel channel, Protos.Lifecycle.ChaincodeDefinition definition, UnpackedProposal proposal, TxSimulator simulator, CancellationToken cancellationToken)
    {
        var endpoint = ChaincodeEndpoint.For(definition, _chaincodeAddresses);
        try
        {
            var handler = await _chaincodes.Value.GetAsync(endpoint, cancellationToken).ConfigureAwait(false);
            var context = new TransactionContext(channel.ChannelId, proposal.TxId, proposal.SignedProposal, simulator);
            return await handler.ExecuteAsync(definition.Name, context, proposal.Invocation.ChaincodeSpec.Input, isInit: false, _executeTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (ChaincodeException ex)
        {
            throw new ProposalRejectedException($"error in simulation: failed to execute transaction {proposal.TxId}: {ex.Message}");
        }
    }

    /// <summary>
    /// INVOKE_CHAINCODE: a chaincode calling another chaincode of the same channel within its transaction; the callee
    /// reads and writes through the same simulator under its own namespace. Returns the callee's COMPLETED message.
    /// </summary>
    public async Task<ChaincodeMessage> InvokeAsync(ChaincodeInvocationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var target = request.Spec.ChaincodeId?.Name ?? "";
        var slash = target.IndexOf('/', StringComparison.Ordinal);
        var name = slash < 0 ? target : target[..slash];
        if (slash >= 0 && target[(slash + 1)..] != request.Context.ChannelId)
        {
            throw new ChaincodeRequestException($"calling chaincode '{name}' on another channel ('{target[(slash + 1)..]}') is not supported");
        }
        if (name == QueryChaincode.Name)
        {
            throw new ChaincodeRequestException($"Rejecting invoke of QSCC from another chaincode because of potential for deadlocks, original invocation for '{request.CallerNamespace}'");
        }
        if (name == request.CallerNamespace)
        {
            throw new ChaincodeRequestException($"chaincode '{name}' cannot invoke itself");
        }
        var channel = _channels.Find(request.Context.ChannelId)
            ?? throw new ChaincodeRequestException($"channel '{request.Context.ChannelId}' not found");
        // Fabric's words for a chaincode without a definition (its lifecycle falls back to lscc, which has none either).
        var definition = channel.Definitions.Find(name)
            ?? throw new ChaincodeRequestException($"invalid invocation: [channel {request.Context.ChannelId}] failed to get chaincode container info for {name}: chaincode {name} not found");
        var endpoint = ChaincodeEndpoint.For(definition, _chaincodeAddresses);
        var handler = await _chaincodes.Value.GetAsync(endpoint, cancellationToken).ConfigureAwait(false);
        var context = new TransactionContext(request.Context.ChannelId, request.Context.TxId, request.Context.Proposal, request.Context.Simulator, request.Context.ReadOnly);
        var result = await handler.ExecuteAsync(name, context, request.Spec.Input ?? new ChaincodeInput(), isInit: false, _executeTimeout, cancellationToken).ConfigureAwait(false);
        return new ChaincodeMessage
        {
            Type = ChaincodeMessage.Types.Type.Completed,
            Payload = result.Response.ToByteString(),
            ChaincodeEvent = result.Event,
            Txid = request.Context.TxId,
            ChannelId = request.Context.ChannelId,
        };
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

    /// <summary>A proposal that cannot be endorsed; <see cref="Invalid"/> when it failed its checks (Fabric's preProcess).</summary>
    private sealed class ProposalRejectedException(string message, bool invalid = false) : Exception(message)
    {
        public bool Invalid { get; } = invalid;
    }
}
