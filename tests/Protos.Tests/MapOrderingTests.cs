using Google.Protobuf;
using ZonCoin.Protos.Peer;
using static ZonCoin.Protos.Tests.KnownValues;

namespace ZonCoin.Protos.Tests;

/// <summary>
/// google-protobuf (JS) writes map entries sorted by key; Google.Protobuf (C#) writes them in insertion order.
/// Both parse either order, but the bytes, and so any hash over them, differ.
/// </summary>
public sealed class MapOrderingTests
{
    private static ChaincodeProposalPayload Payload(params string[] keyOrder)
    {
        var cpp = new ChaincodeProposalPayload { Input = ByteString.CopyFromUtf8("input") };
        foreach (var key in keyOrder)
        {
            cpp.TransientMap.Add(key, ByteString.CopyFrom(key == TransientKeyA ? TransientValueA : TransientValueZ));
        }

        return cpp;
    }

    [Fact]
    public void Csharp_keeps_insertion_order_so_unsorted_inserts_give_different_bytes()
    {
        var sorted = Payload(TransientKeyA, TransientKeyZ);
        var unsorted = Payload(TransientKeyZ, TransientKeyA);
        Assert.Equal(sorted, unsorted); // equal as messages
        Assert.NotEqual(sorted.ToByteArray(), unsorted.ToByteArray()); // but not on the wire
    }

    [Fact]
    public void Parsing_keeps_wire_order_so_reserialization_is_stable()
    {
        var unsortedBytes = Payload(TransientKeyZ, TransientKeyA).ToByteArray();
        var reparsed = ChaincodeProposalPayload.Parser.ParseFrom(unsortedBytes);
        Assert.Equal([TransientKeyZ, TransientKeyA], reparsed.TransientMap.Keys);
        Assert.Equal(unsortedBytes, reparsed.ToByteArray());
    }
}
