using ZonCoin.Core.Policies;
using ZonCoin.Core.Protocol;
using ZonCoin.Protos.Common;

namespace ZonCoin.Peer.Sync;

/// <summary>
/// Checks a block received from an orderer before it is committed (Fabric's block verification): it is the next
/// block, its previous hash is the hash of our last header, its data hash matches its data, and its SIGNATURES
/// metadata satisfies the channel's <c>/Channel/Orderer/BlockValidation</c> policy, each signature covering
/// value ‖ signature header ‖ the block header's DER bytes.
/// </summary>
internal static class BlockVerifier
{
    public const string BlockValidationPolicy = "/Channel/Orderer/BlockValidation";

    /// <summary>Null when the block is acceptable; otherwise why not.</summary>
    public static string? Check(Block block, ulong expectedNumber, ReadOnlySpan<byte> previousHeaderHash, ChannelPolicies policies)
    {
        ArgumentNullException.ThrowIfNull(block);
        ArgumentNullException.ThrowIfNull(policies);
        if (block.Header is null || block.Data is null || block.Metadata is null)
        {
            return "block lacks a header, data or metadata";
        }
        if (block.Header.Number != expectedNumber)
        {
            return $"expected block {expectedNumber}, received block {block.Header.Number}";
        }
        if (!block.Header.PreviousHash.Span.SequenceEqual(previousHeaderHash))
        {
            return $"block {expectedNumber}'s previous hash does not match the hash of block {expectedNumber - 1}";
        }
        if (!Blocks.HasValidDataHash(block))
        {
            return $"block {expectedNumber}'s data hash does not match its data";
        }
        var signatures = Signatures(block);
        if (signatures is null)
        {
            return $"block {expectedNumber} carries no orderer signatures";
        }
        var result = policies.Evaluate(BlockValidationPolicy, signatures);
        return result.IsSatisfied ? null : $"block {expectedNumber}'s orderer signatures do not satisfy {BlockValidationPolicy}: {result.Reason}";
    }

    /// <summary>The block's orderer signatures as signed data, or null when the SIGNATURES slot is missing or unreadable.</summary>
    public static IReadOnlyList<SignedData>? Signatures(Block block)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (block.Metadata.Metadata.Count <= (int)BlockMetadataIndex.Signatures || block.Metadata.Metadata[(int)BlockMetadataIndex.Signatures].IsEmpty)
        {
            return null;
        }
        try
        {
            var metadata = Metadata.Parser.ParseFrom(block.Metadata.Metadata[(int)BlockMetadataIndex.Signatures]);
            var header = BlockHashing.HeaderBytes(block.Header);
            var signed = new List<SignedData>(metadata.Signatures.Count);
            foreach (var signature in metadata.Signatures)
            {
                var signatureHeader = SignatureHeader.Parser.ParseFrom(signature.SignatureHeader);
                signed.Add(new SignedData([.. metadata.Value.Span, .. signature.SignatureHeader.Span, .. header], signatureHeader.Creator.ToByteArray(), signature.Signature.ToByteArray()));
            }
            return signed.Count == 0 ? null : signed;
        }
        catch (Google.Protobuf.InvalidProtocolBufferException)
        {
            return null;
        }
    }
}
