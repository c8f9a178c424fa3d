using ZonCoin.Rpc.Protocol;

namespace ZonCoin.Rpc.Server;

/// <summary>Server-wide limits.</summary>
public sealed class RpcServerOptions
{
    /// <summary>Largest request message accepted; larger ones end the call with RESOURCE_EXHAUSTED. Default 100 MB.</summary>
    public int MaxReceiveMessageSize { get; set; } = GrpcProtocol.DefaultMaxMessageSize;

    /// <summary>Largest response message sent; larger ones end the call with RESOURCE_EXHAUSTED. Default 100 MB.</summary>
    public int MaxSendMessageSize { get; set; } = GrpcProtocol.DefaultMaxMessageSize;
}
