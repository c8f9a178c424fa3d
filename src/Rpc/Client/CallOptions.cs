namespace ZonCoin.Rpc.Client;

/// <summary>Per-call options (Grpc.Core.CallOptions).</summary>
public readonly record struct CallOptions(Metadata? Headers = null, DateTime? Deadline = null, CancellationToken CancellationToken = default);
