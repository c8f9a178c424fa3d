namespace ZonCoin.Ledger.Blocks;

/// <summary>A transaction id found in a block, with the envelope's index.</summary>
internal readonly record struct TxIdEntry(int TxIndex, string TxId);

/// <summary>The index entry of one block: where its frame is, its header hash and which txids it holds.</summary>
internal sealed record IndexRecord(ulong Number, SegmentLocation Location, BlockHashKey HeaderHash, IReadOnlyList<TxIdEntry> TxIds);
