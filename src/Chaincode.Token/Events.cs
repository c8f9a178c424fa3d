using System.Text.Json.Serialization;

namespace ZonCoin.Chaincode.Token;

/// <summary>The <c>Transfer</c> event (<c>Transfer</c>, and <c>TransferFrom</c> with its <see cref="Spender"/>).</summary>
internal sealed record TransferEvent(
    string From,
    string To,
    string Amount,
    string Memo,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Spender,
    string TxId);

/// <summary>The <c>Approval</c> event.</summary>
internal sealed record ApprovalEvent(string Owner, string Spender, string Amount);

/// <summary>The <c>Mint</c> event.</summary>
internal sealed record MintEvent(string Account, string Amount, string Reason, string Minter, string TxId);

/// <summary>The <c>Burn</c> event.</summary>
internal sealed record BurnEvent(string Account, string Amount, string Reason, string TxId);
