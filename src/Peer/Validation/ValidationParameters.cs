using Google.Protobuf;
using ZonCoin.Ledger.State;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Peer.Validation;

/// <summary>Key-level endorsement policies as stored in a key's committed metadata.</summary>
internal static class ValidationParameters
{
    /// <summary>The metadata entry holding a key-level endorsement policy (a serialized <c>SignaturePolicyEnvelope</c>).</summary>
    public const string MetadataKey = "VALIDATION_PARAMETER";

    /// <summary>The key's <c>VALIDATION_PARAMETER</c>, or null when it has none (or no value at all).</summary>
    public static ReadOnlyMemory<byte>? Of(VersionedValue? value)
    {
        if (value is null || value.Metadata.IsEmpty)
        {
            return null;
        }
        StateMetadataResult metadata;
        try
        {
            metadata = StateMetadataResult.Parser.ParseFrom(value.Metadata.Span);
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
        return metadata.Entries.FirstOrDefault(entry => entry.Metakey == MetadataKey) is { Value.IsEmpty: false } entry ? entry.Value.Memory : null;
    }

    /// <summary>System namespaces start with '_' (Fabric's chaincode names cannot) or are the query and config system chaincodes.</summary>
    public static bool IsSystemNamespace(string ns) => ns.StartsWith('_') || ns is "qscc" or "cscc" or "lscc";
}
