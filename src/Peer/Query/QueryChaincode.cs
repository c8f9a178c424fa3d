using System.Globalization;
using Google.Protobuf;
using ZonCoin.Core.Policies;
using ZonCoin.Core.Protocol;
using ZonCoin.Ledger.Blocks;
using ZonCoin.Peer.Channels;
using ZonCoin.Peer.Endorser;
using ZonCoin.Peer.SystemChaincodes;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Peer.Query;

/// <summary>
/// The <c>qscc</c> system chaincode (Fabric's <c>core/scc/qscc</c>), run inside the peer. args[0] is the function,
/// args[1] the channel whose ledger is read (it need not be the proposal's channel: the ACL is checked on it), args[2]
/// the function's argument: <c>GetChainInfo</c> (none) → <c>common.BlockchainInfo</c>; <c>GetBlockByNumber</c>
/// (decimal number; 2^64-1 is the last block) and <c>GetBlockByHash</c> (header hash bytes) → <c>common.Block</c>
/// as stored, committed metadata included; <c>GetTransactionByID</c> (txid) → <c>protos.ProcessedTransaction</c>
/// with the validation code from the block's TRANSACTIONS_FILTER; <c>GetBlockByTxID</c> (txid) → the block holding
/// it. The creator must satisfy the channel's ACL for <c>qscc/&lt;Function&gt;</c> (Readers). Failures are responses
/// with status 500 and Fabric's message.
/// </summary>
internal sealed class QueryChaincode : ISystemChaincode
{
    public const string Name = "qscc";
    public const string GetChainInfo = "GetChainInfo";
    public const string GetBlockByNumber = "GetBlockByNumber";
    public const string GetBlockByHash = "GetBlockByHash";
    public const string GetTransactionByID = "GetTransactionByID";
    public const string GetBlockByTxID = "GetBlockByTxID";

    private readonly Func<string, PeerChannel?> _channels;

    public QueryChaincode(Func<string, PeerChannel?> channels)
    {
        _channels = channels;
    }

    /// <summary>Runs the proposal's invocation; <paramref name="now"/> is the time certificates are checked at.</summary>
    public Response Execute(UnpackedProposal proposal, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        var args = proposal.Args;
        if (args.Count < 2)
        {
            return Error($"Incorrect number of arguments, {args.Count}");
        }
        var function = args[0].ToStringUtf8();
        var channelId = args[1].ToStringUtf8();
        if (function != GetChainInfo && args.Count < 3)
        {
            return Error($"missing 3rd argument for {function}");
        }
        var channel = _channels(channelId);
        if (channel is null)
        {
            return Error($"Invalid chain ID, {channelId}");
        }
        if (CheckAcl($"{Name}/{function}", channel, proposal, now) is { } denied)
        {
            return Error($"access denied for [{function}][{channelId}]: [{denied}]");
        }
        try
        {
            return function switch
            {
                GetTransactionByID => TransactionById(channel.Blocks, args[2].ToStringUtf8()),
                GetBlockByNumber => BlockByNumber(channel.Blocks, args[2].ToStringUtf8()),
                GetBlockByHash => BlockByHash(channel.Blocks, args[2].Span),
                GetChainInfo => ChainInfo(channel.Blocks),
                GetBlockByTxID => BlockByTxId(channel.Blocks, args[2].ToStringUtf8()),
                _ => Error($"Requested function {function} not found."),
            };
        }
        catch (BlockStoreException ex)
        {
            return Error($"{function} failed reading the ledger of channel {channelId}: {ex.Message}");
        }
    }

    /// <summary>Fabric's ACL check of a signed proposal: null when allowed, else the reason.</summary>
    private static string? CheckAcl(string resource, PeerChannel channel, UnpackedProposal proposal, DateTimeOffset now)
    {
        var policy = ChannelAcls.PolicyOf(resource);
        if (policy is null)
        {
            return $"Unmapped policy for {resource}";
        }
        var resources = channel.Resources;
        var signed = proposal.SignedProposal;
        var signers = SignerSet.From(
            [new SignedData(signed.ProposalBytes.ToByteArray(), proposal.SignatureHeader.Creator.ToByteArray(), signed.Signature.ToByteArray())],
            resources.Msps, now);
        var result = resources.Policies.Evaluate(policy, signers);
        if (result.IsSatisfied)
        {
            return null;
        }
        var reason = signers.Identities.Count == 0 ? $"{result.Reason} ({signers.Describe()})" : result.Reason;
        return $"Failed evaluating policy on signed data during check policy on channel [{channel.ChannelId}] with policy [{policy}]: [{reason}]";
    }

    private static Response ChainInfo(BlockStore blocks)
    {
        // One snapshot of the tip: height and hashes always describe the same block.
        var last = blocks.LastBlock;
        var info = last is null
            ? new BlockchainInfo()
            : new BlockchainInfo
            {
                Height = last.Header.Number + 1,
                CurrentBlockHash = ByteString.CopyFrom(BlockHashing.HeaderHash(last.Header)),
                PreviousBlockHash = last.Header.PreviousHash,
            };
        return Ok(info.ToByteString());
    }

    private static Response BlockByNumber(BlockStore blocks, string text)
    {
        if (!TryParseUInt64(text, out var number, out var parseError))
        {
            return Error($"Failed to parse block number with error {parseError}");
        }
        var height = blocks.Height;
        if (number == ulong.MaxValue && height > 0)
        {
            number = height - 1;
        }
        return number < height
            ? Ok(ByteString.CopyFrom(blocks.GetBlockBytes(number)))
            : Error($"Failed to get block number {number}, error no such block number [{number}] in index");
    }

    private static Response BlockByHash(BlockStore blocks, ReadOnlySpan<byte> hash)
    {
        var hex = Convert.ToHexStringLower(hash);
        return blocks.FindBlockNumber(hash) is { } number
            ? Ok(ByteString.CopyFrom(blocks.GetBlockBytes(number)))
            : Error($"Failed to get block hash {hex}, error no such block hash [{hex}] in index");
    }

    private static Response TransactionById(BlockStore blocks, string txId)
    {
        if (blocks.FindTransaction(txId) is not { } location)
        {
            return Error($"Failed to get transaction with id {txId}, error no such transaction ID [{txId}] in index");
        }
        var block = blocks.GetBlock(location.BlockNumber);
        var filter = block.Metadata?.Metadata.Count > (int)BlockMetadataIndex.TransactionsFilter
            ? block.Metadata.Metadata[(int)BlockMetadataIndex.TransactionsFilter]
            : ByteString.Empty;
        var code = location.TxIndex < filter.Length ? filter[location.TxIndex] : (int)TxValidationCode.NotValidated;
        var processed = new ProcessedTransaction
        {
            TransactionEnvelope = Envelope.Parser.ParseFrom(block.Data.Data[location.TxIndex]),
            ValidationCode = code,
        };
        return Ok(processed.ToByteString());
    }

    private static Response BlockByTxId(BlockStore blocks, string txId) =>
        blocks.FindTransaction(txId) is { } location
            ? Ok(ByteString.CopyFrom(blocks.GetBlockBytes(location.BlockNumber)))
            : Error($"Failed to get block for txID {txId}, error no such transaction ID [{txId}] in index");

    /// <summary>Go's <c>strconv.ParseUint(text, 10, 64)</c>, with its error text.</summary>
    private static bool TryParseUInt64(string text, out ulong value, out string error)
    {
        if (ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            error = "";
            return true;
        }
        var reason = text.Length > 0 && text.All(char.IsAsciiDigit) ? "value out of range" : "invalid syntax";
        error = $"strconv.ParseUint: parsing \"{text}\": {reason}";
        return false;
    }

    private static Response Ok(ByteString payload) => new() { Status = 200, Payload = payload };

    private static Response Error(string message) => new() { Status = 500, Message = message };

    string ISystemChaincode.Name => Name;

    /// <summary>Fabric runs qscc without a simulator: its response carries no read-write set.</summary>
    bool ISystemChaincode.ReadOnly => true;

    Response ISystemChaincode.Execute(SystemChaincodeInvocation invocation) => Execute(invocation.Proposal, invocation.Now);
}
