using Google.Protobuf;
using ZonCoin.Core.Protocol;
using ZonCoin.Peer.Lifecycle;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Ledger.Rwset;
using ZonCoin.Protos.Ledger.Rwset.Kvrwset;
using ZonCoin.Protos.Lifecycle;
using ZonCoin.Protos.Peer;
using StateVersion = ZonCoin.Ledger.State.Version;

namespace ZonCoin.Peer.Tests.Support;

/// <summary>Builds read-write sets and endorsed transaction envelopes the way clients and endorsers do.</summary>
internal static class Tx
{
    public const string Chaincode = "cc";

    public static UnpackedProposal Propose(SigningIdentity creator, string chaincode = Chaincode, string channelId = TestNetwork.ChannelId)
    {
        var (signed, _) = Proposals.Create(ChaincodeInvocation.Of(channelId, chaincode, "invoke", "a"), creator);
        return Proposals.Unpack(signed);
    }

    public static ByteString RwSet(params (string Ns, KVRWSet Set)[] sets)
    {
        var txRwSet = new TxReadWriteSet { DataModel = TxReadWriteSet.Types.DataModel.Kv };
        foreach (var (ns, set) in sets)
        {
            txRwSet.NsRwset.Add(new NsReadWriteSet { Namespace = ns, Rwset = set.ToByteString() });
        }
        return txRwSet.ToByteString();
    }

    public static ByteString RwSet(KVRWSet set) => RwSet((Chaincode, set));

    /// <summary>Writes (a null value deletes the key).</summary>
    public static KVRWSet Writes(params (string Key, string? Value)[] writes)
    {
        var set = new KVRWSet();
        foreach (var (key, value) in writes)
        {
            set.Writes.Add(new KVWrite { Key = key, IsDelete = value is null, Value = value is null ? ByteString.Empty : ByteString.CopyFromUtf8(value) });
        }
        return set;
    }

    public static KVRead Read(string key, StateVersion? version) =>
        new() { Key = key, Version = version is { } v ? new Protos.Ledger.Rwset.Kvrwset.Version { BlockNum = v.BlockNumber, TxNum = v.TxNumber } : null };

    public static SimulationResult Result(ByteString results, string chaincode = Chaincode, int status = 200, ChaincodeEvent? chaincodeEvent = null) =>
        new(new ChaincodeID { Name = chaincode, Version = "1.0" }, new Response { Status = status, Payload = ByteString.CopyFromUtf8("result") }, results, chaincodeEvent);

    /// <summary>The official path: endorse by each endorser, assemble, sign by the creator.</summary>
    public static Envelope Endorsed(SigningIdentity creator, ByteString results, IEnumerable<SigningIdentity> endorsers, string chaincode = Chaincode,
        ChaincodeEvent? chaincodeEvent = null, string channelId = TestNetwork.ChannelId)
    {
        var proposal = Propose(creator, chaincode, channelId);
        var result = Result(results, chaincode, chaincodeEvent: chaincodeEvent);
        var responses = endorsers.Select(endorser => Endorsements.Endorse(proposal, result, endorser)).ToList();
        return Endorsements.Sign(Endorsements.CreateTransaction(proposal, responses), creator);
    }

    /// <summary>
    /// A <c>_lifecycle</c> transaction by <paramref name="admin"/> that writes the committed definition of chaincode
    /// <paramref name="name"/> (version 1.0, sequence 1, a chaincode server at <c>name:1</c>, no endorsement policy: the
    /// channel's default), endorsed by <paramref name="endorsers"/>.
    /// </summary>
    public static Envelope CommitDefinition(SigningIdentity admin, IEnumerable<SigningIdentity> endorsers, string name = Chaincode)
    {
        var definition = new ChaincodeDefinition { Name = name, Version = "1.0", Sequence = 1, Address = $"{name}:1" };
        definition.PackageId = ChaincodePackageIds.Compute(name, "1.0", definition.Address);
        var set = new KVRWSet();
        set.Writes.Add(new KVWrite { Key = LifecycleKeys.Definition(name), Value = definition.ToByteString() });
        return Endorsed(admin, RwSet((LifecycleKeys.Namespace, set)), endorsers, chaincode: LifecycleKeys.Namespace);
    }

    /// <summary>Assembles a transaction by hand from a ProposalResponsePayload, each endorser signing prp ‖ endorser.</summary>
    public static Envelope Assemble(UnpackedProposal proposal, ByteString prp, IEnumerable<SigningIdentity> endorsers, SigningIdentity creator)
    {
        var endorsed = new ChaincodeEndorsedAction { ProposalResponsePayload = prp };
        foreach (var endorser in endorsers)
        {
            var endorserBytes = ByteString.CopyFrom(endorser.Creator);
            endorsed.Endorsements.Add(new Endorsement { Endorser = endorserBytes, Signature = ByteString.CopyFrom(endorser.Sign([.. prp.Span, .. endorserBytes.Span])) });
        }
        var actionPayload = new ChaincodeActionPayload { ChaincodeProposalPayload = ByteString.CopyFrom(Proposals.WithoutTransient(proposal.Payload)), Action = endorsed };
        var transaction = new Transaction();
        transaction.Actions.Add(new TransactionAction { Header = proposal.Header.SignatureHeader, Payload = actionPayload.ToByteString() });
        var payload = new Payload { Header = proposal.Header, Data = transaction.ToByteString() };
        return Endorsements.Sign(new Envelope { Payload = payload.ToByteString() }, creator);
    }

    /// <summary>Changes the payload and signs it again with <paramref name="signer"/>.</summary>
    public static Envelope Resign(Envelope envelope, SigningIdentity signer, Action<Payload> mutate)
    {
        var payload = Payload.Parser.ParseFrom(envelope.Payload);
        mutate(payload);
        return Endorsements.Sign(new Envelope { Payload = payload.ToByteString() }, signer);
    }

    /// <summary>Changes the (only) transaction's data.</summary>
    public static Envelope ResignTransaction(Envelope envelope, SigningIdentity signer, Action<Transaction> mutate) =>
        Resign(envelope, signer, payload =>
        {
            var transaction = Transaction.Parser.ParseFrom(payload.Data);
            mutate(transaction);
            payload.Data = transaction.ToByteString();
        });
}
