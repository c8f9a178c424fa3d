using Google.Protobuf;
using ZonCoin.Core.Policies;
using ZonCoin.Core.Protocol;
using ZonCoin.Ledger.State;
using ZonCoin.Peer.Governance;
using ZonCoin.Peer.Lifecycle;
using ZonCoin.Peer.Tests.Support;
using ZonCoin.Peer.Validation;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Ledger.Rwset.Kvrwset;
using ZonCoin.Protos.Peer;
using StateVersion = ZonCoin.Ledger.State.Version;

namespace ZonCoin.Peer.Tests.Validation;

public sealed class TransactionValidatorTests : IDisposable
{
    private readonly TestNetwork _network = new();
    private readonly TestLedger _ledger;
    private readonly TransactionValidator _validator;

    public TransactionValidatorTests()
    {
        _ledger = new TestLedger(_network);
        _validator = new TransactionValidator(TestNetwork.ChannelId, _network.Resources.Msps,
            new Definitions(new Dictionary<string, IPolicy> { ["cc"] = _network.Policy("AND('Org1MSP.peer', 'Org2MSP.peer')") }));
    }

    private SigningIdentity Client => _network.Org1.Client;

    private SigningIdentity[] BothPeers => [_network.Org1.Peer, _network.Org2.Peer];

    private static KVRWSet SampleRwSet()
    {
        var set = Tx.Writes(("b", "2"), ("c", null));
        set.Reads.Add(Tx.Read("a", new StateVersion(3, 1)));
        set.Reads.Add(Tx.Read("missing", null));
        return set;
    }

    private TransactionVerdict Validate(Envelope envelope) => _validator.ValidateWithPolicies(envelope.ToByteString(), _ledger.State);

    [Fact]
    public void Endorsed_transaction_is_valid_with_its_parsed_read_write_sets()
    {
        var chaincodeEvent = new ChaincodeEvent { ChaincodeId = "cc", EventName = "ev", Payload = ByteString.CopyFromUtf8("p") };
        var envelope = Tx.Endorsed(Client, Tx.RwSet(SampleRwSet()), BothPeers, chaincodeEvent: chaincodeEvent);

        var verdict = Validate(envelope);

        Assert.Equal(TxValidationCode.Valid, verdict.Code);
        var tx = verdict.Transaction!;
        Assert.Equal(HeaderType.EndorserTransaction, tx.Type);
        Assert.Equal(Envelopes.Unpack(envelope).ChannelHeader.TxId, tx.TxId);
        Assert.Equal("cc", tx.ChaincodeName);
        Assert.Equal("Org1MSP", tx.Creator!.MspId);
        var ns = Assert.Single(tx.RwSets);
        Assert.Equal("cc", ns.Namespace);
        Assert.Equal(SampleRwSet(), ns.RwSet);
        Assert.Equal("ev", tx.Event!.EventName);
    }

    [Fact]
    public void Empty_envelope_is_nil()
    {
        Assert.Equal(TxValidationCode.NilEnvelope, _validator.Validate(ByteString.Empty).Code);
    }

    [Fact]
    public void Unparseable_payload_is_bad_payload()
    {
        var envelope = new Envelope { Payload = ByteString.CopyFrom(0x0A, 0x05, 0x01), Signature = ByteString.CopyFrom(1) };
        Assert.Equal(TxValidationCode.BadPayload, Validate(envelope).Code);
        Assert.Equal(TxValidationCode.BadPayload, _validator.Validate(ByteString.CopyFrom(0x0A, 0x09)).Code);
    }

    [Fact]
    public void Missing_header_or_nonce_is_bad_common_header()
    {
        var envelope = Tx.Endorsed(Client, Tx.RwSet(SampleRwSet()), BothPeers);
        var noHeader = Tx.Resign(envelope, Client, payload => payload.Header = null);
        var noNonce = Tx.Resign(envelope, Client, payload =>
        {
            var signatureHeader = SignatureHeader.Parser.ParseFrom(payload.Header.SignatureHeader);
            signatureHeader.Nonce = ByteString.Empty;
            payload.Header.SignatureHeader = signatureHeader.ToByteString();
        });
        var garbledHeader = Tx.Resign(envelope, Client, payload => payload.Header.ChannelHeader = ByteString.CopyFrom(0x0A, 0x07));

        Assert.Equal(TxValidationCode.BadCommonHeader, Validate(noHeader).Code);
        Assert.Equal(TxValidationCode.BadCommonHeader, Validate(noNonce).Code);
        Assert.Equal(TxValidationCode.BadCommonHeader, Validate(garbledHeader).Code);
    }

    [Fact]
    public void Tampered_signature_is_bad_creator_signature()
    {
        var envelope = Tx.Endorsed(Client, Tx.RwSet(SampleRwSet()), BothPeers);
        var signature = envelope.Signature.ToByteArray();
        signature[^1] ^= 0x01;
        var tampered = new Envelope { Payload = envelope.Payload, Signature = ByteString.CopyFrom(signature) };
        var signedByOther = Endorsements.Sign(new Envelope { Payload = envelope.Payload }, _network.Org2.Client);

        Assert.Equal(TxValidationCode.BadCreatorSignature, Validate(tampered).Code);
        Assert.Equal(TxValidationCode.BadCreatorSignature, Validate(signedByOther).Code);
    }

    [Fact]
    public void Creator_outside_the_channel_is_bad_creator_signature()
    {
        var envelope = Tx.Endorsed(_network.Org9.Client, Tx.RwSet(SampleRwSet()), BothPeers);
        Assert.Equal(TxValidationCode.BadCreatorSignature, Validate(envelope).Code);
    }

    [Fact]
    public void Txid_not_derived_from_nonce_and_creator_is_bad_proposal_txid()
    {
        var envelope = Tx.Endorsed(Client, Tx.RwSet(SampleRwSet()), BothPeers);
        var forged = Tx.Resign(envelope, Client, payload =>
        {
            var channelHeader = ChannelHeader.Parser.ParseFrom(payload.Header.ChannelHeader);
            channelHeader.TxId = new string('a', 64);
            payload.Header.ChannelHeader = channelHeader.ToByteString();
        });
        Assert.Equal(TxValidationCode.BadProposalTxid, Validate(forged).Code);
    }

    [Fact]
    public void Transaction_for_another_channel_is_target_chain_not_found()
    {
        var envelope = Tx.Endorsed(Client, Tx.RwSet(SampleRwSet()), BothPeers, channelId: "otherchannel");
        Assert.Equal(TxValidationCode.TargetChainNotFound, Validate(envelope).Code);
    }

    [Fact]
    public void Proposal_hash_mismatch_is_invalid_endorser_transaction()
    {
        var envelope = Tx.Endorsed(Client, Tx.RwSet(SampleRwSet()), BothPeers);
        var other = Tx.Propose(Client);
        var swapped = Tx.ResignTransaction(envelope, Client, transaction =>
        {
            var actionPayload = ChaincodeActionPayload.Parser.ParseFrom(transaction.Actions[0].Payload);
            var input = ChaincodeInvocationSpec.Parser.ParseFrom(other.Payload.Input);
            input.ChaincodeSpec.Input.Args[0] = ByteString.CopyFromUtf8("somethingElse");
            actionPayload.ChaincodeProposalPayload = new ChaincodeProposalPayload { Input = input.ToByteString() }.ToByteString();
            transaction.Actions[0].Payload = actionPayload.ToByteString();
        });

        var verdict = Validate(swapped);

        Assert.Equal(TxValidationCode.InvalidEndorserTransaction, verdict.Code);
        Assert.Contains("proposal hash", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_actions_are_an_invalid_endorser_transaction()
    {
        var envelope = Tx.Endorsed(Client, Tx.RwSet(SampleRwSet()), BothPeers);
        var doubled = Tx.ResignTransaction(envelope, Client, transaction => transaction.Actions.Add(transaction.Actions[0].Clone()));
        Assert.Equal(TxValidationCode.InvalidEndorserTransaction, Validate(doubled).Code);
    }

    [Fact]
    public void Failed_chaincode_response_is_an_invalid_endorser_transaction()
    {
        var proposal = Tx.Propose(Client);
        var prp = Endorsements.ResponsePayload(proposal, Tx.Result(Tx.RwSet(SampleRwSet()), status: 500));
        var envelope = Tx.Assemble(proposal, prp, BothPeers, Client);

        var verdict = Validate(envelope);

        Assert.Equal(TxValidationCode.InvalidEndorserTransaction, verdict.Code);
        Assert.Contains("500", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void One_endorsement_of_an_and_policy_is_an_endorsement_policy_failure()
    {
        var envelope = Tx.Endorsed(Client, Tx.RwSet(SampleRwSet()), [_network.Org1.Peer]);
        Assert.Equal(TxValidationCode.EndorsementPolicyFailure, Validate(envelope).Code);
    }

    [Fact]
    public void Endorsement_over_different_response_bytes_does_not_count()
    {
        var proposal = Tx.Propose(Client);
        var honest = Endorsements.Endorse(proposal, Tx.Result(Tx.RwSet(SampleRwSet())), _network.Org1.Peer);
        var other = Endorsements.Endorse(proposal, Tx.Result(Tx.RwSet(Tx.Writes(("b", "999")))), _network.Org2.Peer);
        other.Payload = honest.Payload; // Org2's signature covers other bytes
        var envelope = Endorsements.Sign(Endorsements.CreateTransaction(proposal, [honest, other]), Client);

        Assert.Equal(TxValidationCode.EndorsementPolicyFailure, Validate(envelope).Code);
    }

    [Fact]
    public void Chaincode_without_definition_is_invalid_chaincode()
    {
        var envelope = Tx.Endorsed(Client, Tx.RwSet(("nocc", Tx.Writes(("k", "v")))), BothPeers, chaincode: "nocc");
        Assert.Equal(TxValidationCode.InvalidChaincode, Validate(envelope).Code);
    }

    [Fact]
    public void Write_to_a_namespace_without_definition_is_invalid_chaincode()
    {
        var envelope = Tx.Endorsed(Client, Tx.RwSet(("cc", Tx.Writes(("k", "v"))), ("nocc", Tx.Writes(("k", "v")))), BothPeers);
        Assert.Equal(TxValidationCode.InvalidChaincode, Validate(envelope).Code);
    }

    [Fact]
    public void Config_transaction_is_valid_config()
    {
        var verdict = Validate(_network.ConfigEnvelope);

        Assert.Equal(TxValidationCode.Valid, verdict.Code);
        Assert.Equal(HeaderType.Config, verdict.Transaction!.Type);
        Assert.Empty(verdict.Transaction.RwSets);
    }

    [Fact]
    public void Lifecycle_approval_needs_the_approving_orgs_endorsement()
    {
        using var ledger = new TestLedger(_network);
        var cache = new ChaincodeDefinitionCache(ledger.State, () => _network.Resources);
        var validator = new TransactionValidator(TestNetwork.ChannelId, _network.Resources.Msps, cache);
        var approval = Tx.RwSet((LifecycleKeys.Namespace, Tx.Writes((LifecycleKeys.Approval("cc", 1, "Org1MSP"), "hash"))));

        var byOrg1 = Tx.Endorsed(_network.Org1.Admin, approval, [_network.Org1.Peer], chaincode: LifecycleKeys.Namespace);
        var byOrg2 = Tx.Endorsed(_network.Org1.Admin, approval, [_network.Org2.Peer], chaincode: LifecycleKeys.Namespace);

        Assert.Equal(TxValidationCode.Valid, validator.ValidateWithPolicies(byOrg1.ToByteString(), ledger.State).Code);
        Assert.Equal(TxValidationCode.EndorsementPolicyFailure, validator.ValidateWithPolicies(byOrg2.ToByteString(), ledger.State).Code);
    }

    [Fact]
    public void Lifecycle_definition_needs_lifecycle_endorsement_majority()
    {
        using var ledger = new TestLedger(_network);
        var cache = new ChaincodeDefinitionCache(ledger.State, () => _network.Resources);
        var validator = new TransactionValidator(TestNetwork.ChannelId, _network.Resources.Msps, cache);
        var definition = Tx.RwSet((LifecycleKeys.Namespace, Tx.Writes((LifecycleKeys.Definition("cc"), "def"))));

        var byOne = Tx.Endorsed(Client, definition, [_network.Org1.Peer], chaincode: LifecycleKeys.Namespace);
        var byTwo = Tx.Endorsed(Client, definition, BothPeers, chaincode: LifecycleKeys.Namespace);

        Assert.Equal(TxValidationCode.EndorsementPolicyFailure, validator.ValidateWithPolicies(byOne.ToByteString(), ledger.State).Code);
        Assert.Equal(TxValidationCode.Valid, validator.ValidateWithPolicies(byTwo.ToByteString(), ledger.State).Code);
    }

    [Fact]
    public void Governance_vote_needs_the_voting_orgs_endorsement_and_a_proposal_the_channel_majority()
    {
        using var ledger = new TestLedger(_network);
        var cache = new ChaincodeDefinitionCache(ledger.State, () => _network.Resources);
        var validator = new TransactionValidator(TestNetwork.ChannelId, _network.Resources.Msps, cache);
        var vote = Tx.RwSet((GovernanceKeys.Namespace, Tx.Writes((GovernanceKeys.Vote("p1", "Org2MSP"), "vote"))));
        var outsiderVote = Tx.RwSet((GovernanceKeys.Namespace, Tx.Writes((GovernanceKeys.Vote("p1", "Org9MSP"), "vote"))));
        var proposal = Tx.RwSet((GovernanceKeys.Namespace, Tx.Writes((GovernanceKeys.Proposal("p1"), "proposal"))));

        Assert.Equal(TxValidationCode.Valid, validator.ValidateWithPolicies(Tx.Endorsed(_network.Org2.Admin, vote, [_network.Org2.Peer], chaincode: GovernanceKeys.Namespace).ToByteString(), ledger.State).Code);
        Assert.Equal(TxValidationCode.EndorsementPolicyFailure, validator.ValidateWithPolicies(Tx.Endorsed(_network.Org2.Admin, vote, [_network.Org1.Peer], chaincode: GovernanceKeys.Namespace).ToByteString(), ledger.State).Code);
        Assert.Equal(TxValidationCode.EndorsementPolicyFailure, validator.ValidateWithPolicies(Tx.Endorsed(_network.Org1.Admin, outsiderVote, BothPeers, chaincode: GovernanceKeys.Namespace).ToByteString(), ledger.State).Code);
        Assert.Equal(TxValidationCode.EndorsementPolicyFailure, validator.ValidateWithPolicies(Tx.Endorsed(_network.Org1.Admin, proposal, [_network.Org1.Peer], chaincode: GovernanceKeys.Namespace).ToByteString(), ledger.State).Code);
        Assert.Equal(TxValidationCode.Valid, validator.ValidateWithPolicies(Tx.Endorsed(_network.Org1.Admin, proposal, BothPeers, chaincode: GovernanceKeys.Namespace).ToByteString(), ledger.State).Code);
    }

    [Fact]
    public void Committed_definition_policy_applies_via_the_cache()
    {
        using var ledger = new TestLedger(_network);
        var definition = new Protos.Lifecycle.ChaincodeDefinition
        {
            Name = "cc",
            Version = "1.0",
            Sequence = 1,
            EndorsementPolicy = new Protos.Common.ApplicationPolicy { SignaturePolicy = PolicyDsl.Parse("OR('Org3MSP.peer')") },
        };
        var batch = new UpdateBatch();
        batch.Put(LifecycleKeys.Namespace, LifecycleKeys.Definition("cc"), definition.ToByteArray(), new StateVersion(1, 0));
        ledger.State.ApplyBlock(1, batch);
        var cache = new ChaincodeDefinitionCache(ledger.State, () => _network.Resources);
        var validator = new TransactionValidator(TestNetwork.ChannelId, _network.Resources.Msps, cache);

        Assert.Equal(TxValidationCode.EndorsementPolicyFailure, validator.ValidateWithPolicies(Tx.Endorsed(Client, Tx.RwSet(SampleRwSet()), BothPeers).ToByteString(), ledger.State).Code);
        Assert.Equal(TxValidationCode.Valid, validator.ValidateWithPolicies(Tx.Endorsed(Client, Tx.RwSet(SampleRwSet()), [_network.Org3.Peer]).ToByteString(), ledger.State).Code);
        Assert.Equal(TxValidationCode.InvalidChaincode, validator.ValidateWithPolicies(Tx.Endorsed(Client, Tx.RwSet(("other", Tx.Writes(("k", "v")))), BothPeers, chaincode: "other").ToByteString(), ledger.State).Code);
    }

    public void Dispose()
    {
        _ledger.Dispose();
        _network.Dispose();
    }
}

public sealed class TransactionValidatorRobustnessTests : IDisposable
{
    private readonly TestNetwork _network = new();
    private readonly TestLedger _ledger;
    private readonly TransactionValidator _validator;

    public TransactionValidatorRobustnessTests()
    {
        _ledger = new TestLedger(_network);
        _validator = new TransactionValidator(TestNetwork.ChannelId, _network.Resources.Msps,
            new Definitions(new Dictionary<string, IPolicy> { ["cc"] = _network.Policy("OR('Org1MSP.peer')"), ["cc2"] = _network.Policy("OR('Org1MSP.peer')") }));
    }

    private Envelope FromPrp(Func<UnpackedProposal, ByteString> prp)
    {
        var proposal = Tx.Propose(_network.Org1.Client);
        return Tx.Assemble(proposal, prp(proposal), [_network.Org1.Peer], _network.Org1.Client);
    }

    private static ByteString Prp(UnpackedProposal proposal, ChaincodeAction action) =>
        new ProposalResponsePayload { ProposalHash = ByteString.CopyFrom(proposal.Hash()), Extension = action.ToByteString() }.ToByteString();

    private static ChaincodeAction Action(ByteString results, string name = "cc", string version = "1.0") => new()
    {
        Results = results,
        Response = new Response { Status = 200 },
        ChaincodeId = new ChaincodeID { Name = name, Version = version },
    };

    [Fact]
    public void Garbage_creator_is_bad_creator_signature_not_an_exception()
    {
        var envelope = Tx.Endorsed(_network.Org1.Client, Tx.RwSet(Tx.Writes(("a", "1"))), [_network.Org1.Peer]);
        var garbage = Tx.Resign(envelope, _network.Org1.Client, payload =>
            payload.Header.SignatureHeader = new SignatureHeader { Creator = ByteString.CopyFrom(1, 2, 3), Nonce = ByteString.CopyFrom(4) }.ToByteString());
        Assert.Equal(TxValidationCode.BadCreatorSignature, _validator.ValidateWithPolicies(garbage.ToByteString(), _ledger.State).Code);
    }

    [Fact]
    public void Garbage_endorser_does_not_count_and_does_not_throw()
    {
        var proposal = Tx.Propose(_network.Org1.Client);
        var response = Endorsements.Endorse(proposal, Tx.Result(Tx.RwSet(Tx.Writes(("a", "1")))), _network.Org1.Peer);
        response.Endorsement.Endorser = ByteString.CopyFrom(9, 9, 9);
        var envelope = Endorsements.Sign(Endorsements.CreateTransaction(proposal, [response]), _network.Org1.Client);
        Assert.Equal(TxValidationCode.EndorsementPolicyFailure, _validator.ValidateWithPolicies(envelope.ToByteString(), _ledger.State).Code);
    }

    [Fact]
    public void Duplicate_namespace_is_an_illegal_writeset_not_an_exception()
    {
        var results = Tx.RwSet(("cc", Tx.Writes(("a", "1"))), ("cc", Tx.Writes(("b", "2"))));
        var envelope = Tx.Endorsed(_network.Org1.Client, results, [_network.Org1.Peer]);

        Assert.Equal(TxValidationCode.IllegalWriteset, _validator.ValidateWithPolicies(envelope.ToByteString(), _ledger.State).Code);
    }

    [Fact]
    public void Unparseable_rwset_is_bad_rwset()
    {
        var envelope = FromPrp(p => Prp(p, Action(ByteString.CopyFrom(0x12, 0x09, 0x01))));
        Assert.Equal(TxValidationCode.BadRwset, _validator.ValidateWithPolicies(envelope.ToByteString(), _ledger.State).Code);
    }

    [Fact]
    public void Unparseable_event_is_invalid_not_an_exception()
    {
        var envelope = FromPrp(p =>
        {
            var action = Action(Tx.RwSet(Tx.Writes(("a", "1"))));
            action.Events = ByteString.CopyFrom(0x0A, 0x09);
            return Prp(p, action);
        });
        Assert.Equal(TxValidationCode.InvalidOtherReason, _validator.ValidateWithPolicies(envelope.ToByteString(), _ledger.State).Code);
    }

    [Fact]
    public void Event_of_another_chaincode_is_invalid_other_reason()
    {
        var chaincodeEvent = new ChaincodeEvent { ChaincodeId = "cc2", EventName = "ev" };
        var envelope = Tx.Endorsed(_network.Org1.Client, Tx.RwSet(Tx.Writes(("a", "1"))), [_network.Org1.Peer], chaincodeEvent: chaincodeEvent);
        Assert.Equal(TxValidationCode.InvalidOtherReason, _validator.ValidateWithPolicies(envelope.ToByteString(), _ledger.State).Code);
    }

    [Fact]
    public void Action_for_another_chaincode_than_the_header_is_invalid_chaincode()
    {
        // The header invokes cc; the endorsed action claims cc2.
        var envelope = FromPrp(p => Prp(p, Action(Tx.RwSet(("cc2", Tx.Writes(("a", "1")))), name: "cc2")));
        Assert.Equal(TxValidationCode.InvalidChaincode, _validator.ValidateWithPolicies(envelope.ToByteString(), _ledger.State).Code);
    }

    [Fact]
    public void Action_without_chaincode_version_is_invalid_chaincode()
    {
        var envelope = FromPrp(p => Prp(p, Action(Tx.RwSet(Tx.Writes(("a", "1"))), version: "")));
        Assert.Equal(TxValidationCode.InvalidChaincode, _validator.ValidateWithPolicies(envelope.ToByteString(), _ledger.State).Code);
    }

    public void Dispose()
    {
        _ledger.Dispose();
        _network.Dispose();
    }
}
