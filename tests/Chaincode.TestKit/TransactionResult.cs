using System.Text;
using ZonCoin.Chaincode.Shim;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Chaincode.TestKit;

/// <summary>What one transaction submitted to an <see cref="InMemoryLedger"/> did.</summary>
/// <param name="TxId">The transaction id.</param>
/// <param name="Response">The chaincode's response.</param>
/// <param name="Event">The chaincode event when the transaction committed, else null.</param>
/// <param name="Reads">The keys it read, in order.</param>
/// <param name="RangeReads">The ranges it read.</param>
/// <param name="Writes">Its writes, key → new value, null for a delete (made even when it failed).</param>
public sealed record TransactionResult(
    string TxId,
    ChaincodeResponse Response,
    ChaincodeEvent? Event,
    IReadOnlyList<string> Reads,
    IReadOnlyList<(string Start, string End)> RangeReads,
    IReadOnlyDictionary<string, byte[]?> Writes)
{
    /// <summary>True when the chaincode succeeded (and the transaction committed).</summary>
    public bool Ok => Response.IsSuccess;

    /// <summary>The response payload as UTF-8 text.</summary>
    public string Text => Encoding.UTF8.GetString(Response.Payload.Span);

    /// <summary>The response message (the error of a failed transaction).</summary>
    public string Message => Response.Message;

    /// <summary>The committed event's name, or empty.</summary>
    public string EventName => Event?.EventName ?? "";

    /// <summary>The committed event's payload as UTF-8 text, or empty.</summary>
    public string EventJson => Event?.Payload.ToStringUtf8() ?? "";

    /// <summary>True when the transaction read <paramref name="key"/>, directly or through a range.</summary>
    /// <param name="key">The key.</param>
    public bool ReadCovers(string key) =>
        Reads.Contains(key) || RangeReads.Any(r => Utf8Comparer.Instance.InRange(key, r.Start, r.End));

    /// <summary>The response and the committed event, for <c>var (response, committedEvent) = …</c>.</summary>
    /// <param name="response">The chaincode's response.</param>
    /// <param name="committedEvent">The committed event, or null.</param>
    public void Deconstruct(out ChaincodeResponse response, out ChaincodeEvent? committedEvent)
    {
        response = Response;
        committedEvent = Event;
    }

    /// <inheritdoc />
    public override string ToString() => Ok ? $"{TxId} ok {Text}" : $"{TxId} failed: {Message}";
}
