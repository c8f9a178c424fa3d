namespace ZonCoin.Gateway.Client;

/// <summary>Per-operation deadlines (gRPC deadlines), with the defaults of Fabric's samples, and the client's clock.</summary>
public sealed record GatewayOptions
{
    /// <summary>Deadline of an Evaluate call.</summary>
    public TimeSpan EvaluateTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Deadline of an Endorse call.</summary>
    public TimeSpan EndorseTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Deadline of a Submit call.</summary>
    public TimeSpan SubmitTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Deadline of a CommitStatus call (it waits for the transaction to commit).</summary>
    public TimeSpan CommitStatusTimeout { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// SHA-256 of the client's TLS certificate when the connection uses mutual TLS (Fabric's
    /// <c>tlsClientCertificateHash</c>): block-events requests carry it, and the server checks it against the
    /// certificate it sees. Null without mutual TLS.
    /// </summary>
    public byte[]? TlsClientCertificateHash { get; init; }

    /// <summary>The clock of the client's own waits (the backoff of a <see cref="ConflictRetryPolicy"/>); the system clock unless a test gives its own.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
