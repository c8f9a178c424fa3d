using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using ZonCoin.Core.Config;
using ZonCoin.Core.Protocol;
using ZonCoin.Ledger.State;
using ZonCoin.Peer.Governance;
using ZonCoin.Peer.Simulation;
using ZonCoin.Peer.Tests.Support;
using ZonCoin.Protos.Config;
using ZonCoin.Protos.Governance;
using ZonCoin.Protos.Ledger.Rwset;
using ZonCoin.Protos.Ledger.Rwset.Kvrwset;
using ZonCoin.Protos.Peer;
using StateVersion = ZonCoin.Ledger.State.Version;

namespace ZonCoin.Peer.Tests.Governance;

public sealed class GovernanceChaincodeTests : IDisposable
{
    private readonly TestNetwork _network = new();
    private readonly TestLedger _ledger;
    private ulong _block;

    public GovernanceChaincodeTests()
    {
        _ledger = new TestLedger(_network);
        // The transactions' time: within the validity of the test certificates, which are issued as the test starts.
        Now = new DateTimeOffset(_network.Identity(_network.Org1.Admin).Certificate.NotBefore.ToUniversalTime()).AddHours(1);
    }

    private DateTimeOffset Now { get; }

    public void Dispose()
    {
        _ledger.Dispose();
        _network.Dispose();
    }

    private ByteString AddOrg9Update(ChannelConfig? current = null)
    {
        current ??= _network.Config;
        var next = MembershipUpdates.AddOrganization(current, _network.Org9.Definition());
        return ConfigUpdates.Propose(current, next).ConfigUpdate;
    }

    private GovernanceProposal Request(string id = "p1", ByteString? update = null, DateTimeOffset? expires = null) => new()
    {
        Id = id,
        ChannelId = TestNetwork.ChannelId,
        ConfigUpdate = update ?? AddOrg9Update(),
        Description = "admit Org9",
        ExpiresAt = Timestamp.FromDateTimeOffset(expires ?? Now.AddHours(24)),
    };

    /// <summary>Runs a function on a peer of <paramref name="peerMspId"/>; commits its writes when it succeeds and <paramref name="commit"/>.</summary>
    private Response Run(string peerMspId, SigningIdentity creator, string function, ByteString? argument = null, DateTimeOffset? at = null, ChannelResources? resources = null, bool commit = true)
    {
        var simulator = new TxSimulator(_ledger.State);
        var context = new GovernanceContext(_network.Identity(creator), "tx" + (_block + 1), at ?? Now, resources ?? _network.Resources, simulator);
        ByteString[] args = argument is null ? [ByteString.CopyFromUtf8(function)] : [ByteString.CopyFromUtf8(function), argument];
        var response = new GovernanceChaincode(peerMspId).Execute(args, context);
        if (response.Status == 200 && commit)
        {
            var batch = new UpdateBatch();
            _block++;
            foreach (var write in Writes(simulator))
            {
                batch.Put(GovernanceKeys.Namespace, write.Key, write.Value.ToByteArray(), new StateVersion(_block, 0));
            }
            _ledger.State.ApplyBlock(_block, batch);
        }
        return response;
    }

    private static List<KVWrite> Writes(TxSimulator simulator) =>
        [.. TxReadWriteSet.Parser.ParseFrom(simulator.Results()).NsRwset.SelectMany(ns => KVRWSet.Parser.ParseFrom(ns.Rwset).Writes)];

    private Response Create(GovernanceProposal request, SigningIdentity? creator = null) =>
        Run("Org1MSP", creator ?? _network.Org1.Admin, GovernanceChaincode.Create, request.ToByteString());

    private Response Vote(TestOrg org, bool yes, string id = "p1", DateTimeOffset? at = null, ConfigSignature? signature = null, SigningIdentity? voter = null)
    {
        var admin = voter ?? org.Admin;
        var request = new VoteRequest { ProposalId = id, Yes = yes };
        if (yes)
        {
            request.Signature = signature ?? Sign(admin, id);
        }
        return Run(org.MspId, admin, GovernanceChaincode.CastVote, request.ToByteString(), at);
    }

    private ConfigSignature Sign(SigningIdentity admin, string id)
    {
        var envelope = new ConfigUpdateEnvelope { ConfigUpdate = Get(id).ConfigUpdate };
        ConfigUpdates.AddSignature(envelope, admin);
        return envelope.Signatures[0];
    }

    private GovernanceProposal Get(string id = "p1", DateTimeOffset? at = null, ChannelResources? resources = null)
    {
        var response = Run("Org1MSP", _network.Org1.Client, GovernanceChaincode.Get, ByteString.CopyFromUtf8(id), at, resources, commit: false);
        Assert.True(response.Status == 200, response.Message);
        return GovernanceProposal.Parser.ParseFrom(response.Payload);
    }

    [Fact]
    public void A_member_admin_creates_a_proposal_to_add_an_organisation()
    {
        var response = Create(Request());

        Assert.True(response.Status == 200, response.Message);
        Assert.Equal("p1", response.Payload.ToStringUtf8());
        var proposal = Get();
        Assert.Equal("Org1MSP", proposal.ProposerMspId);
        Assert.Equal(_network.Org1.Admin.Creator, proposal.Proposer.ToByteArray());
        Assert.Equal(GovernanceAction.AddOrganization, proposal.Action);
        Assert.Equal("Org9MSP", proposal.SubjectMspId);
        Assert.Equal(Now, proposal.CreatedAt.ToDateTimeOffset());
        Assert.Equal(ProposalStatus.Open, proposal.Status);
        Assert.Empty(proposal.Votes);
        Assert.False(proposal.AdminsPolicySatisfied);
    }

    [Fact]
    public void Only_member_admins_create_and_a_proposal_id_is_used_once()
    {
        Assert.Contains("only an admin of a member organisation", Create(Request(), _network.Org1.Client).Message, StringComparison.Ordinal);
        Assert.Contains("only an admin of a member organisation", Create(Request(), _network.Org2.Peer).Message, StringComparison.Ordinal);
        Assert.Equal(200, Create(Request()).Status);
        Assert.Contains("already exists", Create(Request()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Updates_that_are_not_one_membership_change_stale_or_already_expired_are_refused()
    {
        var changed = _network.Config.Clone();
        changed.Orderer.BatchTimeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(9));
        Assert.Contains("not a membership change", Create(Request(update: ConfigUpdates.Propose(_network.Config, changed).ConfigUpdate)).Message, StringComparison.Ordinal);

        var stale = _network.Config.Clone();
        stale.Sequence = 7;
        Assert.Contains("sequence 7", Create(Request(update: AddOrg9Update(stale))).Message, StringComparison.Ordinal);

        Assert.Contains("must expire after", Create(Request(expires: Now)).Message, StringComparison.Ordinal);
        Assert.Contains("is invalid", Create(Request(id: "a/b")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_yes_vote_records_the_admins_config_signature_and_a_later_vote_replaces_it()
    {
        Create(Request());

        var ok = Vote(_network.Org2, yes: true);
        Assert.True(ok.Status == 200, ok.Message);
        var vote = Assert.Single(Get().Votes);
        Assert.Equal("Org2MSP", vote.MspId);
        Assert.True(vote.Yes);
        Assert.Equal(_network.Org2.Admin.Creator, vote.Voter.ToByteArray());

        Assert.Equal(200, Vote(_network.Org2, yes: false).Status);
        vote = Assert.Single(Get().Votes);
        Assert.False(vote.Yes);
        Assert.Null(vote.Signature);
    }

    [Fact]
    public void A_vote_reads_only_its_proposal_so_votes_of_different_orgs_do_not_conflict()
    {
        Create(Request());
        Vote(_network.Org1, yes: false);
        var simulator = new TxSimulator(_ledger.State);
        var request = new VoteRequest { ProposalId = "p1", Yes = true, Signature = Sign(_network.Org2.Admin, "p1") };
        var context = new GovernanceContext(_network.Identity(_network.Org2.Admin), "tx-vote", Now, _network.Resources, simulator);

        var response = new GovernanceChaincode("Org2MSP").Execute([ByteString.CopyFromUtf8(GovernanceChaincode.CastVote), request.ToByteString()], context);

        Assert.True(response.Status == 200, response.Message);
        var rwset = KVRWSet.Parser.ParseFrom(Assert.Single(TxReadWriteSet.Parser.ParseFrom(simulator.Results()).NsRwset).Rwset);
        Assert.Empty(rwset.RangeQueriesInfo);
        Assert.Equal([GovernanceKeys.Proposal("p1")], rwset.Reads.Select(r => r.Key));
        Assert.Equal([GovernanceKeys.Vote("p1", "Org2MSP")], rwset.Writes.Select(w => w.Key));
    }

    [Fact]
    public void Votes_need_a_member_admin_on_its_own_orgs_peer_and_its_own_valid_signature()
    {
        Create(Request());

        Assert.Equal(400, Vote(_network.Org2, yes: true, voter: _network.Org2.Client).Status);
        var wrongPeer = Run("Org1MSP", _network.Org2.Admin, GovernanceChaincode.CastVote, new VoteRequest { ProposalId = "p1", Yes = false }.ToByteString());
        Assert.Contains("through a peer of Org2MSP", wrongPeer.Message, StringComparison.Ordinal);
        Assert.Contains("not by the voting admin", Vote(_network.Org2, yes: true, signature: Sign(_network.Org3.Admin, "p1")).Message, StringComparison.Ordinal);

        var forged = Sign(_network.Org2.Admin, "p1");
        forged.Signature = ByteString.CopyFrom(_network.Org2.Admin.Sign("something else"u8));
        Assert.Contains("does not verify", Vote(_network.Org2, yes: true, signature: forged).Message, StringComparison.Ordinal);
        Assert.Contains("needs the voter's signature", Vote(_network.Org2, yes: true, signature: new ConfigSignature()).Message, StringComparison.Ordinal);
        Assert.Equal(404, Vote(_network.Org2, yes: false, id: "nope").Status);
        Assert.Empty(Get().Votes);
    }

    [Fact]
    public void Yes_votes_of_a_majority_satisfy_the_admins_policy_with_the_signatures_the_orderer_checks()
    {
        Create(Request());
        Vote(_network.Org1, yes: true);
        Assert.False(Get().AdminsPolicySatisfied);

        Vote(_network.Org3, yes: true);
        var proposal = Get();
        Assert.True(proposal.AdminsPolicySatisfied, proposal.AdminsPolicyReason);

        var envelope = new ConfigUpdateEnvelope { ConfigUpdate = proposal.ConfigUpdate };
        envelope.Signatures.AddRange(proposal.Votes.Where(v => v.Yes).Select(v => v.Signature));
        var signed = envelope.Signatures.Select(s => new Core.Policies.SignedData(ConfigUpdates.SignedBytes(s, envelope),
            Protos.Common.SignatureHeader.Parser.ParseFrom(s.SignatureHeader).Creator.ToByteArray(), s.Signature.ToByteArray())).ToList();
        Assert.True(_network.Resources.Policies.Evaluate(MembershipUpdates.ModificationPolicy, signed).IsSatisfied);
    }

    [Fact]
    public void A_majority_of_no_votes_rejects_and_expiry_closes_the_proposal()
    {
        Create(Request(expires: Now.AddMinutes(10)));
        Vote(_network.Org1, yes: false);
        Assert.Equal(ProposalStatus.Open, Get().Status);
        Vote(_network.Org2, yes: false);
        Assert.Equal(ProposalStatus.Rejected, Get().Status);
        Assert.Contains("REJECTED", Vote(_network.Org3, yes: true).Message, StringComparison.Ordinal);

        Create(Request(id: "p2", expires: Now.AddMinutes(10)));
        Assert.Equal(ProposalStatus.Open, Get("p2", at: Now.AddMinutes(10).AddTicks(-1)).Status);
        Assert.Equal(ProposalStatus.Expired, Get("p2", at: Now.AddMinutes(10)).Status);
        var late = Vote(_network.Org2, yes: true, id: "p2", at: Now.AddMinutes(11));
        Assert.Equal(400, late.Status);
        Assert.Contains("EXPIRED", late.Message, StringComparison.Ordinal);
        Assert.Empty(Get("p2").Votes);
    }

    [Fact]
    public void Mark_applied_needs_the_proposed_configuration_in_force_and_closes_the_proposal()
    {
        Create(Request());
        Assert.Contains("apply it first", Run("Org1MSP", _network.Org1.Admin, GovernanceChaincode.MarkApplied, ByteString.CopyFromUtf8("p1")).Message, StringComparison.Ordinal);

        var next = ConfigUpdate.Parser.ParseFrom(Get().ConfigUpdate).Config.Clone();
        next.Sequence = 1;
        var applied = ChannelResources.Create(next);
        var response = Run("Org1MSP", _network.Org2.Admin, GovernanceChaincode.MarkApplied, ByteString.CopyFromUtf8("p1"), resources: applied);
        Assert.True(response.Status == 200, response.Message);

        var proposal = Get(resources: applied);
        Assert.Equal(ProposalStatus.Applied, proposal.Status);
        Assert.False(string.IsNullOrEmpty(proposal.AppliedTxId));
        Assert.Contains("already marked applied", Run("Org1MSP", _network.Org1.Admin, GovernanceChaincode.MarkApplied, ByteString.CopyFromUtf8("p1"), resources: applied).Message, StringComparison.Ordinal);
        Assert.Contains("votes are closed", Vote(_network.Org3, yes: false).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_proposal_is_superseded_once_the_configuration_moves_on()
    {
        Create(Request());
        var moved = _network.Config.Clone();
        moved.Sequence = 1;
        Assert.Equal(ProposalStatus.Superseded, Get(resources: ChannelResources.Create(moved)).Status);
    }

    [Fact]
    public void List_returns_every_proposal_with_its_status()
    {
        Create(Request("p1"));
        Create(Request("p2", update: ConfigUpdates.Propose(_network.Config, MembershipUpdates.RemoveOrganization(_network.Config, "Org3MSP")).ConfigUpdate));

        var response = Run("Org1MSP", _network.Org2.Client, GovernanceChaincode.List);
        var all = GovernanceProposals.Parser.ParseFrom(response.Payload).Proposals;
        Assert.Equal(["p1", "p2"], all.Select(p => p.Id));
        Assert.Equal(GovernanceAction.RemoveOrganization, all[1].Action);
        Assert.Equal("Org3MSP", all[1].SubjectMspId);
    }
}
