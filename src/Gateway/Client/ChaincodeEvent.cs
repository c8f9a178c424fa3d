namespace ZonCoin.Gateway.Client;

/// <summary>An event a chaincode emitted from a transaction that committed as valid.</summary>
public sealed record ChaincodeEvent(ulong BlockNumber, string TransactionId, string ChaincodeName, string EventName, byte[] Payload);

/// <summary>Where a chaincode-events stream starts (Fabric's <c>ChaincodeEventsOptions</c>).</summary>
public sealed record ChaincodeEventsOptions
{
    /// <summary>The block to start at; null (and no checkpoint) starts at the next block to commit.</summary>
    public ulong? StartBlock { get; init; }

    /// <summary>
    /// A checkpoint to resume from; when it holds a position it wins over <see cref="StartBlock"/>. The stream does
    /// not update it: checkpoint each event once processed.
    /// </summary>
    public ICheckpointer? Checkpoint { get; init; }
}

/// <summary>Where a block-events stream starts (Fabric's <c>BlockEventsOptions</c>).</summary>
public sealed record BlockEventsOptions
{
    /// <summary>The block to start at; null (and no checkpoint) starts at the next block to commit.</summary>
    public ulong? StartBlock { get; init; }

    /// <summary>A checkpoint to resume from; when it holds a block number it wins over <see cref="StartBlock"/>.</summary>
    public ICheckpointer? Checkpoint { get; init; }
}
