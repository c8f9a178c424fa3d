namespace ZonCoin.Ledger.Blocks;

/// <summary>Where a transaction is stored: its block and its position in that block's data.</summary>
/// <param name="BlockNumber">The number of the block holding the transaction.</param>
/// <param name="TxIndex">The index of the envelope within <c>BlockData.data</c>.</param>
public sealed record TransactionLocation(ulong BlockNumber, int TxIndex);
