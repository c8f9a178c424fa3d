using System.Globalization;
using System.Security.Cryptography;
using Google.Protobuf;
using ZonCoin.Protos.Lifecycle;

namespace ZonCoin.Peer.Lifecycle;

/// <summary>
/// Where <c>_lifecycle</c> keeps definitions and approvals in its namespace of the channel state. Every peer of a
/// channel reads this layout from committed blocks, so it is part of the ledger format: tools that build
/// <c>_lifecycle</c> writes themselves (the <c>bench commit</c> workload) use it.
/// </summary>
public static class LifecycleKeys
{
    /// <summary>The namespace of <c>_lifecycle</c> (the system chaincode's name).</summary>
    public const string Namespace = "_lifecycle";

    /// <summary>Prefix of the committed definitions' keys (a <see cref="ChaincodeDefinition"/> each).</summary>
    public const string DefinitionPrefix = "definitions/";

    /// <summary>Prefix of the approvals' keys (the <see cref="DefinitionHash"/> an organisation approved).</summary>
    public const string ApprovalPrefix = "approvals/";

    /// <summary>The key of chaincode <paramref name="name"/>'s committed definition.</summary>
    public static string Definition(string name) => DefinitionPrefix + name;

    /// <summary>The key of organisation <paramref name="mspId"/>'s approval of sequence <paramref name="sequence"/> of chaincode <paramref name="name"/>.</summary>
    public static string Approval(string name, long sequence, string mspId) =>
        string.Create(CultureInfo.InvariantCulture, $"{ApprovalPrefix}{name}/{sequence}/{mspId}");

    /// <summary>The MSP ID an approval key is for, or null when the key is not an approval.</summary>
    public static string? ApprovalMspId(string key) =>
        key.StartsWith(ApprovalPrefix, StringComparison.Ordinal) && key.LastIndexOf('/') is var slash and > 0 ? key[(slash + 1)..] : null;

    /// <summary>What an approval records: the hash of the approved definition's fields (sequence included).</summary>
    public static byte[] DefinitionHash(ChaincodeDefinition definition) => SHA256.HashData(definition.ToByteArray());
}
