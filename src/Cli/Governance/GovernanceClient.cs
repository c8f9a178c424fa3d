using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Grpc.Net.Client;
using ZonCoin.Cli.Lifecycle;
using ZonCoin.Core.Config;
using ZonCoin.Core.Policies;
using ZonCoin.Core.Protocol;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Config;
using ZonCoin.Protos.Governance;
using ZonCoin.Protos.Orderer;
using ZonCoin.Protos.Peer;
using ZonCoin.Rpc.Services;
using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;

namespace ZonCoin.Cli.Governance;

/// <summary>
/// Drives the peer's <c>_governance</c> system chaincode and applies proposals: reads the channel's configuration from an
/// orderer, creates proposals (endorsed by the given peers: a proposal key needs the channel's Endorsement policy, by
/// default a majority of the members' peers), votes (endorsed by the voter's own peer, whose org's Endorsement policy
/// guards its vote), and submits a proposal's config update with the yes votes' signatures as a CONFIG_UPDATE.
/// </summary>
internal sealed class GovernanceClient
{
    public const string Namespace = "_governance";

    private readonly LifecycleClient _client;

    public GovernanceClient(GrpcConnections connections, string channelId, TimeSpan timeout)
    {
        _client = new LifecycleClient(connections, channelId, timeout, Namespace);
    }

    public string ChannelId => _client.ChannelId;

    /// <summary>The configuration in force on the channel, read from the orderer's newest block's last config block.</summary>
    public async Task<ChannelConfig> FetchConfigAsync(OrgAdmin admin, string orderer, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_client.Timeout);
        using var channel = _client.Connections.Connect(orderer);
        var newest = await ReadAsync(channel, admin, DeliverRequests.Newest(), orderer, timeout.Token).ConfigureAwait(false);
        var index = Blocks.LastConfigIndex(newest);
        var configBlock = index == newest.Header.Number ? newest : await ReadAsync(channel, admin, DeliverRequests.Specified(index), orderer, timeout.Token).ConfigureAwait(false);
        return Blocks.ConfigOf(configBlock) ?? throw new InvalidOperationException($"block {index} of channel '{ChannelId}' is not a config block");
    }

    /// <summary>One block of the channel from the orderer (as <paramref name="admin"/>, who must be a channel reader).</summary>
    public async Task<Block> FetchBlockAsync(OrgAdmin admin, string orderer, SeekPosition position, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_client.Timeout);
        using var channel = _client.Connections.Connect(orderer);
        return await ReadAsync(channel, admin, position, orderer, timeout.Token).ConfigureAwait(false);
    }

    private async Task<Block> ReadAsync(Grpc.Net.Client.GrpcChannel channel, OrgAdmin admin, SeekPosition position, string orderer, CancellationToken cancellationToken)
    {
        var seek = DeliverRequests.Create(ChannelId, DeliverRequests.Range(position, position), admin.Identity, _client.Connections.ClientCertificateHash);
        IReadOnlyList<Block> blocks;
        try
        {
            blocks = await DeliverClient.ReadBlocksAsync(channel.CreateCallInvoker(), seek, cancellationToken).ConfigureAwait(false);
        }
        catch (Grpc.Core.RpcException ex)
        {
            throw new InvalidOperationException($"orderer {orderer} did not deliver channel '{ChannelId}' to {admin.MspId}: {ex.Status.Detail}", ex);
        }
        return blocks.Count == 1 ? blocks[0] : throw new InvalidOperationException($"orderer {orderer} delivered {blocks.Count} blocks for one seek");
    }

    /// <summary>
    /// Proposes adding <paramref name="add"/> or removing the member <paramref name="remove"/> (exactly one): computes the
    /// update against the configuration in force (fetched from the orderer) and creates the proposal on the ledger,
    /// endorsed by <paramref name="endorsers"/>. Returns the proposal with the transaction and block that created it.
    /// </summary>
    public async Task<(GovernanceProposal Proposal, string TxId, ulong Block)> ProposeAsync(
        OrgAdmin admin, IReadOnlyList<OrgAdmin> endorsers, OrganizationDefinition? add, string? remove, TimeSpan lifetime, string description, string? id,
        string orderer, CancellationToken cancellationToken)
    {
        if ((add is null) == (remove is null))
        {
            throw new ArgumentException("give exactly one of --add-org FILE and --remove-org MSPID");
        }
        var current = await FetchConfigAsync(admin, orderer, cancellationToken).ConfigureAwait(false);
        var next = add is not null ? MembershipUpdates.AddOrganization(current, add) : MembershipUpdates.RemoveOrganization(current, remove!);
        var proposal = new GovernanceProposal
        {
            Id = id ?? "p-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)),
            ChannelId = ChannelId,
            ConfigUpdate = ConfigUpdates.Propose(current, next).ConfigUpdate,
            Description = description,
            ExpiresAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow + lifetime),
        };
        var (txId, block) = await CreateAsync(admin, endorsers, proposal, orderer, cancellationToken).ConfigureAwait(false);
        return (proposal, txId, block);
    }

    /// <summary>
    /// Applies an open proposal whose yes votes meet the Admins policy: checks it against the configuration fetched from
    /// the orderer, submits the signed update, waits for the config block, then marks the proposal applied (endorsed by
    /// <paramref name="endorsers"/>). Returns the proposal, the config block and the marking transaction.
    /// </summary>
    public async Task<(GovernanceProposal Proposal, ulong ConfigBlock, string MarkTxId, ulong MarkBlock)> ApplyAsync(
        OrgAdmin admin, IReadOnlyList<OrgAdmin> endorsers, string id, string orderer, CancellationToken cancellationToken)
    {
        // Each member voted through its own peer: read the votes only once the admin's peer has every block the others have.
        await _client.CatchUpAsync([.. new[] { admin }.Concat(endorsers).DistinctBy(org => org.PeerAddress)], cancellationToken).ConfigureAwait(false);
        var proposal = await GetAsync(admin, id, cancellationToken).ConfigureAwait(false);
        var current = await FetchConfigAsync(admin, orderer, cancellationToken).ConfigureAwait(false);
        var update = Applicable(proposal, current, DateTimeOffset.UtcNow);
        var block = await SubmitUpdateAsync(admin, proposal.Id, update, orderer, cancellationToken).ConfigureAwait(false);
        var (txId, markBlock) = await MarkAppliedAsync(admin, endorsers, proposal.Id, orderer, cancellationToken).ConfigureAwait(false);
        return (proposal, block, txId, markBlock);
    }

    public Task<(string TxId, ulong Block)> CreateAsync(OrgAdmin admin, IReadOnlyList<OrgAdmin> endorsers, GovernanceProposal proposal, string orderer, CancellationToken cancellationToken) =>
        _client.SubmitAsync(admin, endorsers, [Utf8("CreateProposal"), proposal.ToByteArray()], orderer, cancellationToken);

    /// <summary>Votes as <paramref name="admin"/>; a yes vote signs the proposal's config update.</summary>
    public Task<(string TxId, ulong Block)> VoteAsync(OrgAdmin admin, GovernanceProposal proposal, bool yes, string orderer, CancellationToken cancellationToken)
    {
        var request = new VoteRequest { ProposalId = proposal.Id, Yes = yes };
        if (yes)
        {
            var envelope = new ConfigUpdateEnvelope { ConfigUpdate = proposal.ConfigUpdate };
            ConfigUpdates.AddSignature(envelope, admin.Identity);
            request.Signature = envelope.Signatures[0];
        }
        return _client.SubmitAsync(admin, [admin], [Utf8("Vote"), request.ToByteArray()], orderer, cancellationToken);
    }

    /// <summary>The proposal with its votes and status as the admin's peer sees it now.</summary>
    public async Task<GovernanceProposal> GetAsync(OrgAdmin admin, string id, CancellationToken cancellationToken)
    {
        var response = await _client.EvaluateAsync(admin, [Utf8("GetProposal"), Utf8(id)], cancellationToken).ConfigureAwait(false);
        LifecycleClient.EnsureSuccess(admin, response);
        return GovernanceProposal.Parser.ParseFrom(response.Response.Payload);
    }

    public async Task<GovernanceProposals> ListAsync(OrgAdmin admin, CancellationToken cancellationToken)
    {
        var response = await _client.EvaluateAsync(admin, [Utf8("ListProposals")], cancellationToken).ConfigureAwait(false);
        LifecycleClient.EnsureSuccess(admin, response);
        return GovernanceProposals.Parser.ParseFrom(response.Response.Payload);
    }

    /// <summary>
    /// Checks that <paramref name="proposal"/> can be applied to <paramref name="current"/> at <paramref name="now"/>:
    /// open, not expired, computed against the configuration in force, and its yes votes' signatures satisfying the
    /// channel's <c>/Channel/Application/Admins</c> policy as the orderer will evaluate it. Returns the signed update.
    /// </summary>
    public static ConfigUpdateEnvelope Applicable(GovernanceProposal proposal, ChannelConfig current, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        ArgumentNullException.ThrowIfNull(current);
        switch (proposal.Status)
        {
            case ProposalStatus.Applied:
                throw new InvalidOperationException($"proposal '{proposal.Id}' was already applied (transaction {proposal.AppliedTxId})");
            case ProposalStatus.Rejected:
                throw new InvalidOperationException($"proposal '{proposal.Id}' is rejected: {NoVotes(proposal)} voted no, so the channel's Admins policy can no longer be met");
            case ProposalStatus.Expired:
                throw new InvalidOperationException($"proposal '{proposal.Id}' expired at {proposal.ExpiresAt.ToDateTimeOffset():u} and cannot be applied");
            case ProposalStatus.Superseded:
                throw new InvalidOperationException($"proposal '{proposal.Id}' is superseded: the channel configuration changed since it was created; create a new proposal");
        }
        if (now >= proposal.ExpiresAt.ToDateTimeOffset())
        {
            throw new InvalidOperationException($"proposal '{proposal.Id}' expired at {proposal.ExpiresAt.ToDateTimeOffset():u} and cannot be applied");
        }
        var update = ConfigUpdate.Parser.ParseFrom(proposal.ConfigUpdate);
        if (update.BaseSequence != current.Sequence)
        {
            throw new InvalidOperationException($"proposal '{proposal.Id}' was computed against config sequence {update.BaseSequence}, but the channel is at {current.Sequence}; create a new proposal");
        }
        var envelope = new ConfigUpdateEnvelope { ConfigUpdate = proposal.ConfigUpdate };
        envelope.Signatures.AddRange(proposal.Votes.Where(v => v.Yes && v.Signature is not null).OrderBy(v => v.MspId, StringComparer.Ordinal).Select(v => v.Signature));
        var signed = envelope.Signatures.Select(s => new SignedData(ConfigUpdates.SignedBytes(s, envelope),
            SignatureHeader.Parser.ParseFrom(s.SignatureHeader).Creator.ToByteArray(), s.Signature.ToByteArray())).ToList();
        var result = ChannelResources.Create(current).Policies.Evaluate(MembershipUpdates.ModificationPolicy, signed);
        if (!result.IsSatisfied)
        {
            var yes = string.Join(", ", proposal.Votes.Where(v => v.Yes).Select(v => v.MspId));
            throw new InvalidOperationException(
                $"proposal '{proposal.Id}' does not have enough yes votes: {MembershipUpdates.ModificationPolicy} is not satisfied by the yes votes of [{yes}]: {result.Reason}");
        }
        return envelope;
    }

    /// <summary>
    /// Submits the signed update as a CONFIG_UPDATE signed by <paramref name="admin"/> and waits until the admin's peer
    /// commits the config block; returns its number.
    /// </summary>
    public async Task<ulong> SubmitUpdateAsync(OrgAdmin admin, string proposalId, ConfigUpdateEnvelope update, string orderer, CancellationToken cancellationToken)
    {
        var envelope = ConfigUpdates.CreateEnvelope(update, admin.Identity);
        ulong? newest = null;
        // The peer's newest block when the wait starts is older than the update, even when it is a config block.
        FilteredTransaction? ConfigAfterStart(FilteredBlock filtered) =>
            (newest ??= filtered.Number) == filtered.Number ? null : filtered.FilteredTransactions.FirstOrDefault(t => t.Type == HeaderType.Config);
        var (block, transaction) = await _client.BroadcastAndWaitAsync(admin, envelope, $"the config update of proposal '{proposalId}'", orderer,
            ConfigAfterStart, cancellationToken).ConfigureAwait(false);
        return transaction.TxValidationCode == TxValidationCode.Valid
            ? block
            : throw new InvalidOperationException($"the config block {block} was committed as invalid: {transaction.TxValidationCode}");
    }

    /// <summary>Marks the proposal applied, retrying while an endorsing peer has not committed the config block yet.</summary>
    public async Task<(string TxId, ulong Block)> MarkAppliedAsync(OrgAdmin admin, IReadOnlyList<OrgAdmin> endorsers, string id, string orderer, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + _client.Timeout;
        while (true)
        {
            try
            {
                return await _client.SubmitAsync(admin, endorsers, [Utf8("MarkApplied"), Utf8(id)], orderer, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException ex) when (ex.Message.Contains("apply it first", StringComparison.Ordinal) && DateTimeOffset.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static string NoVotes(GovernanceProposal proposal) => string.Join(", ", proposal.Votes.Where(v => !v.Yes).Select(v => v.MspId));

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
