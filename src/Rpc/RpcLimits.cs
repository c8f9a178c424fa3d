namespace ZonCoin.Rpc;

/// <summary>Fabric's gRPC limits, applied to every ZonCoin server and client.</summary>
public static class RpcLimits
{
    /// <summary>Largest message either side sends or accepts: 100 MB, as Fabric's peers and orderers (enough for blocks).</summary>
    public const int MaxMessageSize = 100 * 1024 * 1024;
}
