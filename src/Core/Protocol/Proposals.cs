using Google.Protobuf;
using ZonCoin.Core.Crypto;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Core.Protocol;

/// <summary>What a client asks a chaincode to do.</summary>
public sealed record ChaincodeInvocation(string ChannelId, string ChaincodeName, IReadOnlyList<byte[]> Args)
{
    /// <summary>Private inputs: sent to endorsers, never written to the ledger.</summary>
    public IReadOnlyDictionary<string, byte[]> Transient { get; init; } = new Dictionary<string, byte[]>();

    /// <summary>Builds an invocation from a function name and string arguments, as Fabric's clients pass them.</summary>
    public static ChaincodeInvocation Of(string channelId, string chaincodeName, string function, params string[] args) =>
        new(channelId, chaincodeName, [.. new[] { function }.Concat(args).Select(System.Text.Encoding.UTF8.GetBytes)]);
}

/// <summary>A chaincode proposal unpacked layer by layer, keeping the received bytes for hashing.</summary>
public sealed record UnpackedProposal(
    SignedProposal SignedProposal,
    Proposal Proposal,
    Header Header,
    ChannelHeader ChannelHeader,
    SignatureHeader SignatureHeader,
    ChaincodeHeaderExtension Extension,
    ChaincodeProposalPayload Payload,
    ChaincodeInvocationSpec Invocation)
{
    public string TxId => ChannelHeader.TxId;

    public string ChannelId => ChannelHeader.ChannelId;

    public string ChaincodeName => Invocation.ChaincodeSpec.ChaincodeId.Name;

    public IReadOnlyList<ByteString> Args => Invocation.ChaincodeSpec.Input.Args;

    /// <summary>
    /// Fabric's proposal hash: SHA-256(channel_header ‖ signature_header ‖ ChaincodeProposalPayload without the
    /// transient map), over the received header bytes.
    /// </summary>
    public byte[] Hash() => Proposals.Hash(Header, Payload);
}

/// <summary>Builds, signs and unpacks chaincode proposals (<c>protos.SignedProposal</c>).</summary>
public static class Proposals
{
    /// <summary>Creates a signed chaincode proposal and returns it with its transaction id.</summary>
    public static (SignedProposal Proposal, string TxId) Create(ChaincodeInvocation invocation, SigningIdentity signer, DateTimeOffset? timestamp = null)
    {
        ArgumentNullException.ThrowIfNull(signer);
        var (proposal, txId) = CreateUnsigned(invocation, signer.Creator, timestamp);
        var proposalBytes = proposal.ToByteString();
        var signed = new SignedProposal { ProposalBytes = proposalBytes, Signature = ByteString.CopyFrom(signer.Sign(proposalBytes.Span)) };
        return (signed, txId);
    }

    /// <summary>
    /// Builds the unsigned chaincode proposal for <paramref name="creator"/> (a serialized <c>SerializedIdentity</c>)
    /// with a fresh nonce, and returns it with its transaction id. Its serialization is what gets signed
    /// (<c>SignedProposal.proposal_bytes</c>); offline signers sign it elsewhere.
    /// </summary>
    public static (Proposal Proposal, string TxId) CreateUnsigned(ChaincodeInvocation invocation, byte[] creator, DateTimeOffset? timestamp = null)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        ArgumentNullException.ThrowIfNull(creator);
        var nonce = TransactionIds.NewNonce();
        var txId = TransactionIds.Compute(nonce, creator);
        var chaincodeId = new ChaincodeID { Name = invocation.ChaincodeName };
        var header = new Header
        {
            ChannelHeader = Envelopes.NewChannelHeader(HeaderType.EndorserTransaction, invocation.ChannelId, txId, timestamp,
                new ChaincodeHeaderExtension { ChaincodeId = chaincodeId }.ToByteString()).ToByteString(),
            SignatureHeader = new SignatureHeader { Creator = ByteString.CopyFrom(creator), Nonce = ByteString.CopyFrom(nonce) }.ToByteString(),
        };
        var input = new ChaincodeInput();
        input.Args.AddRange(invocation.Args.Select(ByteString.CopyFrom));
        var spec = new ChaincodeInvocationSpec
        {
            ChaincodeSpec = new ChaincodeSpec { Type = ChaincodeSpec.Types.Type.Node, ChaincodeId = chaincodeId, Input = input },
        };
        var payload = new ChaincodeProposalPayload { Input = spec.ToByteString() };
        foreach (var (key, value) in invocation.Transient)
        {
            payload.TransientMap[key] = ByteString.CopyFrom(value);
        }
        return (new Proposal { Header = header.ToByteString(), Payload = payload.ToByteString() }, txId);
    }

    /// <summary>
    /// Unpacks every layer of a chaincode proposal and checks its syntax (header type, epoch, nonce, creator,
    /// chaincode name, txid). Signature and creator validity are the caller's (they need the channel's MSPs).
    /// </summary>
    public static UnpackedProposal Unpack(SignedProposal signedProposal)
    {
        ArgumentNullException.ThrowIfNull(signedProposal);
        if (signedProposal.ProposalBytes.IsEmpty)
        {
            throw new MalformedMessageException("SignedProposal", "proposal_bytes is empty");
        }
        if (signedProposal.Signature.IsEmpty)
        {
            throw new MalformedMessageException("SignedProposal", "signature is empty");
        }
        var proposal = Messages.Parse(Proposal.Parser, signedProposal.ProposalBytes, "SignedProposal.proposal_bytes");
        var header = Messages.Parse(Header.Parser, proposal.Header, "Proposal.header");
        var channelHeader = Messages.Parse(ChannelHeader.Parser, header.ChannelHeader, "Header.channel_header");
        var signatureHeader = Messages.Parse(SignatureHeader.Parser, header.SignatureHeader, "Header.signature_header");
        var type = (HeaderType)channelHeader.Type;
        if (type is not (HeaderType.EndorserTransaction or HeaderType.Config))
        {
            throw new MalformedMessageException("ChannelHeader", $"invalid header type {channelHeader.Type}, expected ENDORSER_TRANSACTION");
        }
        if (channelHeader.Epoch != 0)
        {
            throw new MalformedMessageException("ChannelHeader", $"epoch must be 0, got {channelHeader.Epoch}");
        }
        if (signatureHeader.Nonce.IsEmpty)
        {
            throw new MalformedMessageException("SignatureHeader", "nonce is empty");
        }
        if (signatureHeader.Creator.IsEmpty)
        {
            throw new MalformedMessageException("SignatureHeader", "creator is empty");
        }
        if (!TransactionIds.Matches(channelHeader.TxId, signatureHeader.Nonce.Span, signatureHeader.Creator.Span))
        {
            throw new MalformedMessageException("ChannelHeader",
                $"incorrectly computed txid '{channelHeader.TxId}', expected '{TransactionIds.Compute(signatureHeader.Nonce.Span, signatureHeader.Creator.Span)}'");
        }
        var extension = Messages.Parse(ChaincodeHeaderExtension.Parser, channelHeader.Extension, "ChannelHeader.extension");
        if (string.IsNullOrEmpty(extension.ChaincodeId?.Name))
        {
            throw new MalformedMessageException("ChaincodeHeaderExtension", "chaincode name is empty");
        }
        var payload = Messages.Parse(ChaincodeProposalPayload.Parser, proposal.Payload, "Proposal.payload");
        var invocation = Messages.Parse(ChaincodeInvocationSpec.Parser, payload.Input, "ChaincodeProposalPayload.input");
        if (invocation.ChaincodeSpec?.Input is null || string.IsNullOrEmpty(invocation.ChaincodeSpec.ChaincodeId?.Name))
        {
            throw new MalformedMessageException("ChaincodeInvocationSpec", "chaincode spec, its chaincode id or its input is missing");
        }
        return new UnpackedProposal(signedProposal, proposal, header, channelHeader, signatureHeader, extension, payload, invocation);
    }

    /// <summary>Fabric's proposal hash over the given header and payload (transient map left out).</summary>
    public static byte[] Hash(Header header, ChaincodeProposalPayload payload)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(payload);
        return Hashing.Sha256Concat(header.ChannelHeader.ToByteArray(), header.SignatureHeader.ToByteArray(), WithoutTransient(payload));
    }

    /// <summary>The ChaincodeProposalPayload bytes that reach the ledger: the input only.</summary>
    public static byte[] WithoutTransient(ChaincodeProposalPayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        return new ChaincodeProposalPayload { Input = payload.Input }.ToByteArray();
    }
}
