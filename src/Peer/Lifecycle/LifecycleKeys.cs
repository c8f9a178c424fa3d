using System.Globalization;
using System.Security.Cryptography;
using Google.Protobuf;
using ZonCoin.Protos.Lifecycle;

namespace ZonCoin.Peer.Lifecycle;

/// <summary>Where <c>_lifecycle</c> keeps definitions and approvals in its namespace of the channel state.</summary>
internal static class LifecycleKeys
{
    public const string Namespace = "_lifecycle";
    public const string DefinitionPrefix = "definitions/";
    public const string ApprovalPrefix = "approvals/";

    public static string Definition(string name) => DefinitionPrefix + name;

    public static string Approval(string name, long sequence, string mspId) =>
        string.Create(CultureInfo.InvariantCulture, $"{ApprovalPrefix}{name}/{sequence}/{mspId}");

    /// <summary>The MSP ID an approval key is for, or null when the key is not an approval.</summary>
    public static string? ApprovalMspId(string key) =>
        key.StartsWith(ApprovalPrefix, StringComparison.Ordinal) && key.LastIndexOf('/') is var slash and > 0 ? key[(slash + 1)..] : null;

    /// <summary>What an approval records: the hash of the approved definition's fields (sequence included).</summary>
    public static byte[] DefinitionHash(ChaincodeDefinition definition) => SHA256.HashData(definition.ToByteArray());
}
