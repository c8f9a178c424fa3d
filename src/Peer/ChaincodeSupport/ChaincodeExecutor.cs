using Google.Protobuf;
using Microsoft.Extensions.Logging;
using ZonCoin.Peer.Channels;
using ZonCoin.Peer.Query;
using ZonCoin.Protos.Lifecycle;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Peer.ChaincodeSupport;

/// <summary>
/// Runs user chaincode (Fabric's chaincode support): finds the chaincode's connection from its committed definition
/// (and the peer's address overrides), runs a transaction on it with the execute timeout, and serves the chaincode's
/// INVOKE_CHAINCODE requests (chaincode-to-chaincode calls on the same channel, in the same simulation). It owns the
/// peer's <see cref="ChaincodeConnections"/>, which send those requests back here.
/// </summary>
internal sealed partial class ChaincodeExecutor
{
    private readonly Func<string, PeerChannel?> _findChannel;
    private readonly IReadOnlyDictionary<string, string> _addressOverrides;
    private readonly TimeSpan _executeTimeout;
    private readonly ILogger _logger;

    /// <param name="findChannel">The joined channel of an id, or null.</param>
    /// <param name="addressOverrides">The peer's <c>Peer:ChaincodeAddresses</c>: host:port per chaincode name.</param>
    /// <param name="executeTimeout">How long one transaction may run on a chaincode.</param>
    /// <param name="time">The clock of the execute and dial timeouts.</param>
    /// <param name="loggers">Loggers for the connections.</param>
    public ChaincodeExecutor(Func<string, PeerChannel?> findChannel, IReadOnlyDictionary<string, string> addressOverrides, TimeSpan executeTimeout, TimeProvider time,
        ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(findChannel);
        ArgumentNullException.ThrowIfNull(addressOverrides);
        _findChannel = findChannel;
        _addressOverrides = addressOverrides;
        _executeTimeout = executeTimeout;
        Connections = new ChaincodeConnections(InvokeAsync, time, loggers);
        _logger = loggers.CreateLogger<ChaincodeExecutor>();
    }

    /// <summary>The live chaincode connections (also what chaincodes that dial in register with).</summary>
    public ChaincodeConnections Connections { get; }

    /// <summary>
    /// Connects, in the background, to every chaincode defined on the channel that has no live connection yet, so
    /// that its first transaction does not wait for the dial and the handshake (called when the peer starts and
    /// when a definition is committed). A chaincode that cannot be reached now (not running, or not run by this
    /// organisation) is dialled again on its first transaction, as without this.
    /// </summary>
    public void ConnectAhead(PeerChannel channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        foreach (var definition in channel.Definitions.All)
        {
            var endpoint = ChaincodeEndpoint.For(definition, _addressOverrides);
            if (!string.IsNullOrWhiteSpace(endpoint.Address))
            {
                _ = ConnectAheadAsync(endpoint);
            }
        }
    }

    private async Task ConnectAheadAsync(ChaincodeEndpoint endpoint)
    {
        try
        {
            await Connections.GetAsync(endpoint, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ChaincodeException or ObjectDisposedException or UriFormatException or InvalidOperationException)
        {
            LogNotConnectedAhead(_logger, endpoint.PackageId, endpoint.Address, ex.Message);
        }
    }

    [LoggerMessage(EventId = 6201, Level = LogLevel.Debug, Message = "Chaincode {PackageId} at {Address} not connected ahead ({Reason}); it is dialled on its first transaction")]
    private static partial void LogNotConnectedAhead(ILogger logger, string packageId, string address, string reason);

    /// <summary>
    /// Runs a transaction of the chaincode <paramref name="definition"/> names; throws <see cref="ChaincodeException"/>
    /// when the chaincode cannot run it (not reachable, crashed, timed out).
    /// </summary>
    public async Task<ChaincodeResult> ExecuteAsync(ChaincodeDefinition definition, TransactionContext context, ChaincodeInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var handler = await Connections.GetAsync(ChaincodeEndpoint.For(definition, _addressOverrides), cancellationToken).ConfigureAwait(false);
        return await handler.ExecuteAsync(definition.Name, context, input, isInit: false, _executeTimeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// INVOKE_CHAINCODE: a chaincode calling another chaincode of the same channel within its transaction; the callee
    /// reads and writes through the same simulator under its own namespace. Returns the callee's COMPLETED message;
    /// a call that cannot be made throws <see cref="ChaincodeRequestException"/> with Fabric's words.
    /// </summary>
    public async Task<ChaincodeMessage> InvokeAsync(ChaincodeInvocationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var target = request.Spec.ChaincodeId?.Name ?? "";
        var slash = target.IndexOf('/', StringComparison.Ordinal);
        var name = slash < 0 ? target : target[..slash];
        if (slash >= 0 && target[(slash + 1)..] != request.Context.ChannelId)
        {
            throw new ChaincodeRequestException($"calling chaincode '{name}' on another channel ('{target[(slash + 1)..]}') is not supported");
        }
        if (name == QueryChaincode.Name)
        {
            throw new ChaincodeRequestException($"Rejecting invoke of QSCC from another chaincode because of potential for deadlocks, original invocation for '{request.CallerNamespace}'");
        }
        if (name == request.CallerNamespace)
        {
            throw new ChaincodeRequestException($"chaincode '{name}' cannot invoke itself");
        }
        var channel = _findChannel(request.Context.ChannelId)
            ?? throw new ChaincodeRequestException($"channel '{request.Context.ChannelId}' not found");
        // Fabric's words for a chaincode without a definition (its lifecycle falls back to lscc, which has none either).
        var definition = channel.Definitions.Find(name)
            ?? throw new ChaincodeRequestException($"invalid invocation: [channel {request.Context.ChannelId}] failed to get chaincode container info for {name}: chaincode {name} not found");
        var context = new TransactionContext(request.Context.ChannelId, request.Context.TxId, request.Context.Proposal, request.Context.Simulator, request.Context.ReadOnly);
        var result = await ExecuteAsync(definition, context, request.Spec.Input ?? new ChaincodeInput(), cancellationToken).ConfigureAwait(false);
        return new ChaincodeMessage
        {
            Type = ChaincodeMessage.Types.Type.Completed,
            Payload = result.Response.ToByteString(),
            ChaincodeEvent = result.Event,
            Txid = request.Context.TxId,
            ChannelId = request.Context.ChannelId,
        };
    }
}
