using System.Text;
using ZonCoin.Core.Protocol;
using ZonCoin.Protos.Common;

namespace ZonCoin.Ledger.Blocks;

/// <summary>Reads the txids a block's envelopes carry in their channel headers.</summary>
internal static class TransactionIdExtractor
{
    /// <summary>The longest txid indexed (UTF-8 bytes); longer ones are not indexed.</summary>
    public const int MaxTxIdBytes = ushort.MaxValue;

    /// <summary>
    /// Every non-empty <c>ChannelHeader.tx_id</c> with its envelope index; envelopes that do not unpack are skipped.
    /// </summary>
    public static List<TxIdEntry> Extract(Block block)
    {
        var result = new List<TxIdEntry>();
        if (block.Data is null)
        {
            return result;
        }
        for (var i = 0; i < block.Data.Data.Count; i++)
        {
            string txId;
            try
            {
                txId = Envelopes.Unpack(block.Data.Data[i]).ChannelHeader.TxId;
            }
            catch (MalformedMessageException)
            {
                continue;
            }
            if (txId.Length > 0 && Encoding.UTF8.GetByteCount(txId) <= MaxTxIdBytes)
            {
                result.Add(new TxIdEntry(i, txId));
            }
        }
        return result;
    }
}
