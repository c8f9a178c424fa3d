using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace ZonCoin.Chaincode.Token;

/// <summary>
/// JSON as the contract stores and returns it: camelCase, amounts as decimal-integer strings. The stored records'
/// and events' metadata is generated at build time (<see cref="TokenJson"/>, what the natively compiled host runs);
/// other types fall back to reflection.
/// </summary>
internal static class Json
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = false,
        TypeInfoResolver = JsonTypeInfoResolver.Combine(TokenJson.Default, new DefaultJsonTypeInfoResolver()),
    };

    public static byte[] Bytes<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    public static string Text<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Read<T>(ReadOnlyMemory<byte> bytes) =>
        JsonSerializer.Deserialize<T>(bytes.Span, Options) ?? throw new InvalidOperationException($"stored {typeof(T).Name} is null");
}

/// <summary>The token's settings, written once by <c>Initialize</c>.</summary>
internal sealed record TokenConfig(string Name, string Symbol, int Decimals, string IssuerMspId, int CashbackBasisPoints, string InitializedAt);

/// <summary>What <c>TokenInfo</c> returns: the settings and the total supply.</summary>
internal sealed record TokenSummary(string Name, string Symbol, int Decimals, string IssuerMspId, int CashbackBasisPoints, string InitializedAt, string TotalSupply);

/// <summary>An account's existence marker.</summary>
internal sealed record AccountRecord(string Id, string MspId, string OpenedAt);

/// <summary>A catalogue offer.</summary>
internal sealed record Offer(string Id, string Description, string Kind, string PriceInZon, bool Active, string UpdatedAt);

/// <summary>A redemption of an offer (id = the transaction id).</summary>
internal sealed record Redemption(string RedemptionId, string OfferId, string Kind, long Quantity, string Amount, string Account, string Time);

/// <summary>A rewarded usage report (so it is rewarded only once).</summary>
internal sealed record Reward(string UsageReportId, string Account, string BilledAmountCents, string Period, string Amount, string Minter, string TxId, string Time);

/// <summary>An escrow hold.</summary>
internal sealed record Hold(
    string HoldId,
    string Payer,
    string Payee,
    string Notary,
    string Amount,
    string ExpiresAt,
    string Reference,
    string Status,
    string CreatedAt,
    string? ExecutedAmount = null,
    string? ReturnedAmount = null,
    string? ClosedAt = null,
    string? ClosedBy = null)
{
    public const string Open = "open";
    public const string Executed = "executed";
    public const string Released = "released";
}

/// <summary>Build-time JSON metadata of the token's stored records and results.</summary>
[JsonSerializable(typeof(TokenConfig))]
[JsonSerializable(typeof(TokenSummary))]
[JsonSerializable(typeof(AccountRecord))]
[JsonSerializable(typeof(Offer))]
[JsonSerializable(typeof(List<Offer>))]
[JsonSerializable(typeof(Redemption))]
[JsonSerializable(typeof(Reward))]
[JsonSerializable(typeof(Hold))]
[JsonSerializable(typeof(TransferEvent))]
[JsonSerializable(typeof(ApprovalEvent))]
[JsonSerializable(typeof(MintEvent))]
[JsonSerializable(typeof(BurnEvent))]
internal sealed partial class TokenJson : JsonSerializerContext;
