using Google.Protobuf;
using ZonCoin.Core.Protocol;
using ZonCoin.Protos.Common;

namespace ZonCoin.Ledger.Tests.Support;

/// <summary>Builds a valid chain of real blocks whose envelopes carry the given txids in their channel headers.</summary>
internal sealed class TestChain
{
    private static readonly DateTimeOffset Timestamp = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly List<Block> _blocks = [];

    public IReadOnlyList<Block> Blocks => _blocks;

    public byte[] LastHash => _blocks.Count == 0 ? [] : BlockHashing.HeaderHash(_blocks[^1].Header);

    /// <summary>The next block, with one envelope per txid (plus padding bytes in each payload).</summary>
    public Block Next(params string[] txIds) => NextWith(txIds.Select(id => Envelope(id)));

    /// <summary>The next block over the given raw envelope bytes.</summary>
    public Block NextWith(IEnumerable<ByteString> envelopes)
    {
        var block = ZonCoin.Core.Protocol.Blocks.Create((ulong)_blocks.Count, LastHash, envelopes);
        _blocks.Add(block);
        return block;
    }

    /// <summary>Appends <paramref name="count"/> blocks, each with txids <c>tx-{n}-0</c> and <c>tx-{n}-1</c>.</summary>
    public IReadOnlyList<Block> Generate(int count, int padding = 0)
    {
        var created = new List<Block>();
        for (var i = 0; i < count; i++)
        {
            var n = _blocks.Count;
            created.Add(NextWith([Envelope($"tx-{n}-0", padding), Envelope($"tx-{n}-1", padding)]));
        }
        return created;
    }

    public static ByteString Envelope(string txId, int padding = 0)
    {
        var payload = new Payload
        {
            Header = new Header
            {
                ChannelHeader = Envelopes.NewChannelHeader(HeaderType.EndorserTransaction, "supplychain", txId, Timestamp).ToByteString(),
                SignatureHeader = ByteString.Empty,
            },
            Data = ByteString.CopyFrom(Enumerable.Range(0, padding).Select(i => (byte)i).ToArray()),
        };
        return new Envelope { Payload = payload.ToByteString() }.ToByteString();
    }
}
