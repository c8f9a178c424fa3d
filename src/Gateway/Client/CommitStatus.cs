using ZonCoin.Protos.Peer;

namespace ZonCoin.Gateway.Client;

/// <summary>How a transaction committed: its validation code and block.</summary>
public sealed record CommitStatus(string TransactionId, TxValidationCode Code, ulong BlockNumber)
{
    /// <summary>True when the transaction committed as VALID, so its writes took effect.</summary>
    public bool Successful => Code == TxValidationCode.Valid;
}
