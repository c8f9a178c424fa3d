using System.Text.RegularExpressions;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using ZonCoin.Core.Config;
using ZonCoin.Core.Identity;
using ZonCoin.Core.Policies;
using ZonCoin.Core.Protocol;
using ZonCoin.Peer.Simulation;
using ZonCoin.Peer.SystemChaincodes;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Config;
using ZonCoin.Protos.Governance;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Peer.Governance;

/// <summary>What <c>_governance</c> needs of the transaction it runs in.</summary>
/// <param name="Creator">The validated creator of the proposal.</param>
/// <param name="TxId">The transaction id.</param>
/// <param name="Timestamp">The proposal's channel header timestamp: the only clock the chaincode reads, so every peer decides alike.</param>
/// <param name="Resources">The channel configuration in force.</param>
/// <param name="Simulator">The transaction simulator.</param>
internal sealed record GovernanceContext(MspIdentity Creator, string TxId, DateTimeOffset Timestamp, ChannelResources Resources, TxSimulator Simulator);

/// <summary>
/// The <c>_governance</c> system chaincode, run inside the peer: proposals to add or remove a channel member, voted on
/// by the member organisations' admins. Functions (args[0]) and their argument (args[1]):
/// <list type="bullet">
/// <item><c>CreateProposal</c> (a <c>GovernanceProposal</c> with id, channel, config update, description, expiry): the
/// update must be computed against the configuration in force and add or remove exactly one organisation.</item>
/// <item><c>Vote</c> (a <c>VoteRequest</c>): one vote per organisation, a later one replacing it while the proposal is
/// open; a yes vote carries the voter's <c>ConfigSignature</c> over the config update, checked here as the orderer will
/// check it.</item>
/// <item><c>GetProposal</c> (an id), <c>ListProposals</c>: proposals with their votes and their status now.</item>
/// <item><c>MarkApplied</c> (an id): records that the update is in force; refused unless the configuration in force
/// is the one the proposal produces.</item>
/// </list>
/// Only admins of member organisations may create, vote and mark; votes must be endorsed by the voter's own
/// organisation (so its vote key's validation policy, that organisation's Endorsement, is met). Time is the
/// transaction's timestamp. Failures are responses with status 400 (404 for an unknown proposal).
/// </summary>
internal sealed partial class GovernanceChaincode : ISystemChaincode
{
    public const string Create = "CreateProposal";
    public const string CastVote = "Vote";
    public const string Get = "GetProposal";
    public const string List = "ListProposals";
    public const string MarkApplied = "MarkApplied";

    public const int MaxDescriptionLength = 1024;

    private readonly string _peerMspId;

    public GovernanceChaincode(string peerMspId)
    {
        _peerMspId = peerMspId;
    }

    public Response Execute(IReadOnlyList<ByteString> args, GovernanceContext context)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(context);
        if (args.Count == 0)
        {
            return Error("no function given");
        }
        var function = args[0].ToStringUtf8();
        try
        {
            return function switch
            {
                Create => CreateProposal(Argument(args, GovernanceProposal.Parser, "a GovernanceProposal"), context),
                CastVote => Vote(Argument(args, VoteRequest.Parser, "a VoteRequest"), context),
                Get => Ok(Describe(Load(Id(args), context.Simulator), context).ToByteString()),
                List => Ok(ListAll(context).ToByteString()),
                MarkApplied => Applied(Id(args), context),
                _ => Error($"_governance has no function '{function}'"),
            };
        }
        catch (GovernanceException ex)
        {
            return new Response { Status = ex.Status, Message = ex.Message };
        }
    }

    private static Response CreateProposal(GovernanceProposal request, GovernanceContext context)
    {
        var admin = MemberAdmin(context, "create a proposal");
        ValidateId(request.Id);
        if (request.ChannelId != context.Resources.ChannelId)
        {
            throw new GovernanceException($"the proposal is for channel '{request.ChannelId}', but was sent to channel '{context.Resources.ChannelId}'");
        }
        if (request.Description.Length > MaxDescriptionLength)
        {
            throw new GovernanceException($"the description is {request.Description.Length} characters; at most {MaxDescriptionLength} are allowed");
        }
        if (request.ExpiresAt is null || request.ExpiresAt.ToDateTimeOffset() <= context.Timestamp)
        {
            throw new GovernanceException($"the proposal must expire after its creation ({context.Timestamp:O}); expires at {request.ExpiresAt?.ToDateTimeOffset().ToString("O") ?? "(none)"}");
        }
        var update = ParseUpdate(request.ConfigUpdate);
        if (update.ChannelId != context.Resources.ChannelId || update.Config.ChannelId != context.Resources.ChannelId)
        {
            throw new GovernanceException($"the config update is for channel '{update.ChannelId}', not '{context.Resources.ChannelId}'");
        }
        if (update.BaseSequence != context.Resources.Sequence)
        {
            throw new GovernanceException($"the config update was computed against config sequence {update.BaseSequence}, but the channel is at sequence {context.Resources.Sequence}; compute it again from the current configuration");
        }
        MembershipUpdate membership;
        try
        {
            membership = MembershipUpdates.Classify(context.Resources.Config, update.Config);
            var next = update.Config.Clone();
            next.Sequence = context.Resources.Sequence + 1;
            ChannelResources.Create(next);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            throw new GovernanceException($"the config update is not a membership change: {ex.Message}");
        }
        if (context.Simulator.GetState(GovernanceKeys.Namespace, GovernanceKeys.Proposal(request.Id)) is not null)
        {
            throw new GovernanceException($"proposal '{request.Id}' already exists");
        }
        var proposal = new GovernanceProposal
        {
            Id = request.Id,
            ChannelId = request.ChannelId,
            ConfigUpdate = request.ConfigUpdate,
            Description = request.Description,
            ExpiresAt = request.ExpiresAt,
            ProposerMspId = admin.MspId,
            Proposer = ByteString.CopyFrom(admin.Serialized),
            CreatedAt = Timestamp.FromDateTimeOffset(context.Timestamp),
            Action = membership.Change == MembershipChange.Add ? GovernanceAction.AddOrganization : GovernanceAction.RemoveOrganization,
            SubjectMspId = membership.MspId,
            Status = ProposalStatus.Open,
        };
        context.Simulator.PutState(GovernanceKeys.Namespace, GovernanceKeys.Proposal(proposal.Id), proposal.ToByteArray());
        return Ok(ByteString.CopyFromUtf8(proposal.Id));
    }

    private Response Vote(VoteRequest request, GovernanceContext context)
    {
        var voter = MemberAdmin(context, "vote");
        if (voter.MspId != _peerMspId)
        {
            throw new GovernanceException($"an admin of {voter.MspId} votes through a peer of {voter.MspId}; this peer belongs to {_peerMspId}");
        }
        var proposal = Load(request.ProposalId, context.Simulator);
        // The other orgs' votes are read without recording them, so votes of different orgs in one block do not
        // conflict (a recorded range would make all but one a phantom read); they only decide whether a majority
        // already voted no, and the status is always computed again from the votes on record.
        var status = Status(proposal, UnrecordedVotes(proposal.Id, context.Simulator), context);
        if (status != ProposalStatus.Open)
        {
            throw new GovernanceException($"proposal '{proposal.Id}' is {Name(status)}{Because(proposal, status, context)}; votes are closed");
        }
        var vote = new GovernanceVote
        {
            MspId = voter.MspId,
            Yes = request.Yes,
            Voter = ByteString.CopyFrom(voter.Serialized),
            VotedAt = Timestamp.FromDateTimeOffset(context.Timestamp),
            TxId = context.TxId,
        };
        if (request.Yes)
        {
            vote.Signature = CheckSignature(request.Signature, proposal, voter, context);
        }
        else if (request.Signature is not null)
        {
            throw new GovernanceException("a no vote carries no signature");
        }
        context.Simulator.PutState(GovernanceKeys.Namespace, GovernanceKeys.Vote(proposal.Id, voter.MspId), vote.ToByteArray());
        return Ok(ByteString.Empty);
    }

    /// <summary>A yes vote's signature must be the voter's own, valid now, over this proposal's config update.</summary>
    private static ConfigSignature CheckSignature(ConfigSignature? signature, GovernanceProposal proposal, MspIdentity voter, GovernanceContext context)
    {
        if (signature is null || signature.Signature.IsEmpty)
        {
            throw new GovernanceException("a yes vote needs the voter's signature over the config update");
        }
        SignatureHeader header;
        try
        {
            header = SignatureHeader.Parser.ParseFrom(signature.SignatureHeader);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new GovernanceException($"the vote's signature header does not parse: {ex.Message}");
        }
        if (!header.Creator.Span.SequenceEqual(voter.Serialized))
        {
            throw new GovernanceException("the vote's signature is not by the voting admin (its signature header names another creator)");
        }
        var envelope = new ConfigUpdateEnvelope { ConfigUpdate = proposal.ConfigUpdate };
        var signers = SignerSet.From([new SignedData(ConfigUpdates.SignedBytes(signature, envelope), header.Creator.ToByteArray(), signature.Signature.ToByteArray())],
            context.Resources.Msps, context.Timestamp);
        if (signers.Identities.Count != 1)
        {
            throw new GovernanceException($"the vote's signature over the config update does not verify: {signers.Describe()}");
        }
        return signature;
    }

    private static Response Applied(string id, GovernanceContext context)
    {
        MemberAdmin(context, "mark a proposal applied");
        var proposal = Load(id, context.Simulator);
        if (proposal.Status == ProposalStatus.Applied)
        {
            throw new GovernanceException($"proposal '{id}' is already marked applied (transaction {proposal.AppliedTxId})");
        }
        var update = ParseUpdate(proposal.ConfigUpdate);
        var inForce = context.Resources.Config.Clone();
        var produced = update.Config.Clone();
        produced.Sequence = inForce.Sequence;
        if (context.Resources.Sequence <= update.BaseSequence || !inForce.Equals(produced))
        {
            throw new GovernanceException($"the configuration in force (sequence {context.Resources.Sequence}) is not the one proposal '{id}' produces; apply it first");
        }
        proposal.Status = ProposalStatus.Applied;
        proposal.AppliedTxId = context.TxId;
        proposal.AppliedAt = Timestamp.FromDateTimeOffset(context.Timestamp);
        context.Simulator.PutState(GovernanceKeys.Namespace, GovernanceKeys.Proposal(id), proposal.ToByteArray());
        return Ok(ByteString.Empty);
    }

    private static GovernanceProposals ListAll(GovernanceContext context)
    {
        var all = new GovernanceProposals();
        using var range = context.Simulator.GetStateRange(GovernanceKeys.Namespace, GovernanceKeys.ProposalPrefix, GovernanceKeys.ProposalPrefix[..^1] + "0");
        while (range.Next() is { } entry)
        {
            all.Proposals.Add(Describe(GovernanceProposal.Parser.ParseFrom(entry.Value.Value.Span), context));
        }
        return all;
    }

    /// <summary>The stored proposal with its votes, its status now and whether the yes votes meet the Admins policy.</summary>
    private static GovernanceProposal Describe(GovernanceProposal stored, GovernanceContext context)
    {
        var proposal = stored.Clone();
        var votes = Votes(proposal.Id, context.Simulator);
        proposal.Votes.AddRange(votes);
        proposal.Status = Status(proposal, votes, context);
        var signed = new List<SignedData>();
        var envelope = new ConfigUpdateEnvelope { ConfigUpdate = proposal.ConfigUpdate };
        foreach (var vote in votes.Where(v => v.Yes && v.Signature is not null))
        {
            signed.Add(new SignedData(ConfigUpdates.SignedBytes(vote.Signature, envelope), vote.Voter.ToByteArray(), vote.Signature.Signature.ToByteArray()));
        }
        var result = context.Resources.Policies.Evaluate(MembershipUpdates.ModificationPolicy, signed);
        proposal.AdminsPolicySatisfied = result.IsSatisfied;
        proposal.AdminsPolicyReason = result.IsSatisfied ? "" : result.Reason;
        return proposal;
    }

    /// <summary>
    /// APPLIED as stored; REJECTED when the members that voted no leave too few to meet the Admins policy in force;
    /// EXPIRED from the expiry time on; SUPERSEDED once the configuration moved past the update's base; otherwise OPEN.
    /// </summary>
    private static ProposalStatus Status(GovernanceProposal proposal, IReadOnlyList<GovernanceVote> votes, GovernanceContext context)
    {
        if (proposal.Status == ProposalStatus.Applied)
        {
            return ProposalStatus.Applied;
        }
        if (MembershipUpdates.AdminsThreshold(context.Resources.Config) is { } needed)
        {
            var members = context.Resources.ApplicationMspIds;
            var no = votes.Count(v => !v.Yes && members.Contains(v.MspId));
            if (members.Count - no < needed)
            {
                return ProposalStatus.Rejected;
            }
        }
        if (context.Timestamp >= proposal.ExpiresAt.ToDateTimeOffset())
        {
            return ProposalStatus.Expired;
        }
        return ParseUpdate(proposal.ConfigUpdate).BaseSequence != context.Resources.Sequence ? ProposalStatus.Superseded : ProposalStatus.Open;
    }

    private static string Because(GovernanceProposal proposal, ProposalStatus status, GovernanceContext context) => status switch
    {
        ProposalStatus.Expired => $" (it expired at {proposal.ExpiresAt.ToDateTimeOffset():O}, the transaction time is {context.Timestamp:O})",
        ProposalStatus.Superseded => $" (the channel configuration moved from sequence {ParseUpdate(proposal.ConfigUpdate).BaseSequence} to {context.Resources.Sequence})",
        ProposalStatus.Rejected => " (too many members voted no for the Admins policy to be met)",
        _ => "",
    };

    public static string Name(ProposalStatus status) => status.ToString().ToUpperInvariant();

    private static List<GovernanceVote> Votes(string id, TxSimulator simulator)
    {
        var votes = new List<GovernanceVote>();
        var (start, end) = GovernanceKeys.Votes(id);
        using var range = simulator.GetStateRange(GovernanceKeys.Namespace, start, end);
        while (range.Next() is { } entry)
        {
            votes.Add(GovernanceVote.Parser.ParseFrom(entry.Value.Value.Span));
        }
        return votes;
    }

    private static List<GovernanceVote> UnrecordedVotes(string id, TxSimulator simulator)
    {
        var (start, end) = GovernanceKeys.Votes(id);
        return [.. simulator.State.GetRange(GovernanceKeys.Namespace, start, end).Select(entry => GovernanceVote.Parser.ParseFrom(entry.Value.Value.Span))];
    }

    private static MspIdentity MemberAdmin(GovernanceContext context, string action)
    {
        var creator = context.Creator;
        var admin = new MSPPrincipal
        {
            PrincipalClassification = MSPPrincipal.Types.Classification.Role,
            Principal = new MSPRole { MspIdentifier = creator.MspId, Role = MSPRole.Types.MSPRoleType.Admin }.ToByteString(),
        };
        if (!context.Resources.ApplicationMspIds.Contains(creator.MspId) || !context.Resources.Msps.SatisfiesPrincipal(creator, admin))
        {
            throw new GovernanceException($"only an admin of a member organisation of channel '{context.Resources.ChannelId}' may {action}; the creator is {creator}");
        }
        return creator;
    }

    private static GovernanceProposal Load(string id, TxSimulator simulator)
    {
        ValidateId(id);
        return simulator.GetState(GovernanceKeys.Namespace, GovernanceKeys.Proposal(id)) is { } value
            ? GovernanceProposal.Parser.ParseFrom(value.Value.Span)
            : throw new GovernanceException($"proposal '{id}' does not exist", 404);
    }

    private static ConfigUpdate ParseUpdate(ByteString bytes)
    {
        try
        {
            var update = ConfigUpdate.Parser.ParseFrom(bytes);
            return update.Config is null ? throw new GovernanceException("the config update carries no config") : update;
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new GovernanceException($"the config update does not parse: {ex.Message}");
        }
    }

    private static void ValidateId(string id)
    {
        if (!IdPattern().IsMatch(id))
        {
            throw new GovernanceException($"proposal id '{id}' is invalid: use 1 to 64 letters, digits, '.', '_' and '-'");
        }
    }

    private static T Argument<T>(IReadOnlyList<ByteString> args, MessageParser<T> parser, string what)
        where T : IMessage<T>
    {
        if (args.Count < 2)
        {
            throw new GovernanceException($"{what} argument is required");
        }
        try
        {
            return parser.ParseFrom(args[1]);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new GovernanceException($"the argument is not {what}: {ex.Message}");
        }
    }

    private static string Id(IReadOnlyList<ByteString> args) =>
        args.Count >= 2 ? args[1].ToStringUtf8() : throw new GovernanceException("a proposal id argument is required");

    private static Response Ok(ByteString payload) => new() { Status = 200, Payload = payload };

    private static Response Error(string message) => new() { Status = 400, Message = message };

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex IdPattern();

    private sealed class GovernanceException(string message, int status = 400) : Exception(message)
    {
        public int Status { get; } = status;
    }

    string ISystemChaincode.Name => GovernanceKeys.Namespace;

    bool ISystemChaincode.ReadOnly => false;

    Response ISystemChaincode.Execute(SystemChaincodeInvocation invocation)
    {
        var proposal = invocation.Proposal;
        if (proposal.ChannelHeader.Timestamp is not { } timestamp)
        {
            throw new ProposalRejectedException("error validating proposal: _governance needs the channel header's timestamp", invalid: true);
        }
        return Execute(proposal.Args, new GovernanceContext(invocation.Creator, proposal.TxId, timestamp.ToDateTimeOffset(), invocation.Resources, invocation.Simulator));
    }
}
