using ZonCoin.Protos.Common;

namespace ZonCoin.Orderer.Consensus;

/// <summary>
/// A channel's consensus (Fabric's <c>consensus.Chain</c>): takes validated messages and turns them into the
/// channel's blocks, through the <see cref="Channels.ChainSupport"/> it was created with.
/// </summary>
internal interface IChain : IAsyncDisposable
{
    /// <summary>
    /// Hands a normal message to consensus. Completes when consensus has accepted it (solo: queued in order;
    /// kafka: acknowledged by the brokers). Throws <see cref="MsgProcessor.MessageRejectedException"/> with 503
    /// when the chain cannot take messages now.
    /// </summary>
    ValueTask OrderAsync(Envelope envelope, ulong configSequence, CancellationToken cancellationToken);

    /// <summary>Hands a CONFIG envelope to consensus; it will form a block of its own.</summary>
    ValueTask ConfigureAsync(Envelope configEnvelope, ulong configSequence, CancellationToken cancellationToken);

    /// <summary>Null when the chain serves; otherwise why not (Deliver answers 503, health turns unhealthy).</summary>
    string? Fault { get; }

    /// <summary>Starts the chain's loop; returns once it runs.</summary>
    Task StartAsync(CancellationToken cancellationToken);
}
