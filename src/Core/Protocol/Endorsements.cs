using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Core.Protocol;

/// <summary>What a chaincode simulation produced, ready to be endorsed.</summary>
public sealed record SimulationResult(ChaincodeID ChaincodeId, Response Response, ByteString Results, ChaincodeEvent? Event);

/// <summary>Builds endorsements (<c>ProposalResponse</c>) and the endorsed transaction envelope from them.</summary>
public static class Endorsements
{
    /// <summary>The ProposalResponsePayload bytes for a simulation of the proposal.</summary>
    public static ByteString ResponsePayload(UnpackedProposal proposal, SimulationResult result)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        ArgumentNullException.ThrowIfNull(result);
        if (string.IsNullOrEmpty(result.ChaincodeId.Version))
        {
            throw new ArgumentException("the endorsed chaincode id needs a version (the definition's version)", nameof(result));
        }
        var action = new ChaincodeAction
        {
            Results = result.Results,
            Events = result.Event?.ToByteString() ?? ByteString.Empty,
            Response = result.Response,
            ChaincodeId = result.ChaincodeId,
        };
        return new ProposalResponsePayload { ProposalHash = ByteString.CopyFrom(proposal.Hash()), Extension = action.ToByteString() }.ToByteString();
    }

    /// <summary>
    /// A signed ProposalResponse: <c>Endorsement.signature</c> = Sign(prp ‖ endorser). A response with status
    /// ≥ 400 carries no endorsement and no payload, as Fabric's peer returns it.
    /// </summary>
    public static ProposalResponse Endorse(UnpackedProposal proposal, SimulationResult result, SigningIdentity endorser, DateTimeOffset? timestamp = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(endorser);
        var response = new ProposalResponse
        {
            Version = 1,
            Timestamp = Timestamp.FromDateTimeOffset(timestamp ?? DateTimeOffset.UtcNow),
            Response = result.Response,
        };
        if (result.Response.Status >= 400)
        {
            return response;
        }
        var payload = ResponsePayload(proposal, result);
        var endorserBytes = ByteString.CopyFrom(endorser.Creator);
        response.Payload = payload;
        response.Endorsement = new Endorsement
        {
            Endorser = endorserBytes,
            Signature = ByteString.CopyFrom(endorser.Sign([.. payload.Span, .. endorserBytes.Span])),
        };
        return response;
    }

    /// <summary>
    /// The unsigned transaction envelope for a proposal and its endorsements: the proposal's header bytes, one
    /// TransactionAction with the transient-free proposal payload, the (identical) ProposalResponsePayload and
    /// the endorsements deduplicated by endorser.
    /// </summary>
    public static Envelope CreateTransaction(UnpackedProposal proposal, IEnumerable<ProposalResponse> responses)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        ArgumentNullException.ThrowIfNull(responses);
        var list = responses.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("at least one proposal response is needed", nameof(responses));
        }
        var failed = list.FirstOrDefault(r => r.Response is null || r.Response.Status is < 200 or >= 400 || r.Endorsement is null);
        if (failed is not null)
        {
            throw new ArgumentException($"proposal response was not successful: status {failed.Response?.Status}, {failed.Response?.Message}", nameof(responses));
        }
        var prp = list[0].Payload;
        if (list.Any(r => r.Payload != prp))
        {
            throw new ArgumentException("proposal response payloads do not match", nameof(responses));
        }
        var endorsed = new ChaincodeEndorsedAction { ProposalResponsePayload = prp };
        var seen = new HashSet<ByteString>();
        foreach (var response in list.Where(r => seen.Add(r.Endorsement.Endorser)))
        {
            endorsed.Endorsements.Add(response.Endorsement);
        }
        var actionPayload = new ChaincodeActionPayload
        {
            ChaincodeProposalPayload = ByteString.CopyFrom(Proposals.WithoutTransient(proposal.Payload)),
            Action = endorsed,
        };
        var transaction = new Transaction();
        transaction.Actions.Add(new TransactionAction { Header = proposal.Header.SignatureHeader, Payload = actionPayload.ToByteString() });
        var payload = new Payload { Header = proposal.Header, Data = transaction.ToByteString() };
        return new Envelope { Payload = payload.ToByteString() };
    }

    /// <summary>Signs a prepared transaction envelope's payload in place.</summary>
    public static Envelope Sign(Envelope prepared, SigningIdentity signer)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        ArgumentNullException.ThrowIfNull(signer);
        return new Envelope { Payload = prepared.Payload, Signature = ByteString.CopyFrom(signer.Sign(prepared.Payload.Span)) };
    }
}
