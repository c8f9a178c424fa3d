using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using ZonCoin.Core.Config;
using ZonCoin.Core.Protocol;
using ZonCoin.Gateway.Nodes;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Lifecycle;
using ZonCoin.Protos.Orderer;
using ZonCoin.Protos.Peer;
using ZonCoin.Rpc.Services;
using PeerDeliverResponse = ZonCoin.Protos.Peer.DeliverResponse;

namespace ZonCoin.Gateway.Channels;

/// <summary>
/// The gateway's view of one channel, kept current by following the gateway's peer: the channel configuration in
/// force (MSPs, policies, orderers, organisations' peers), commit results of new blocks, and the committed chaincode
/// definitions (asked of the peer's <c>_lifecycle</c>, forgotten when a <c>_lifecycle</c> transaction commits).
/// </summary>
internal sealed partial class GatewayChannel : IAsyncDisposable
{
    private const string LifecycleNamespace = "_lifecycle";

    private readonly PeerClient _peers;
    private readonly GatewayTopology _topology;
    private readonly NodeConnections _connections;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Lazy<Task<ChaincodeDefinition?>>> _definitions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _submitted = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _submittedOrder = new();
    private readonly CancellationTokenSource _stopping = new();
    private volatile ChannelResources _resources;
    private Task _follower = Task.CompletedTask;
    private readonly TimeProvider _time;
    private long _height;

    private GatewayChannel(string channelId, ChannelResources resources, ulong height, PeerClient peers, GatewayTopology topology, NodeConnections connections, TimeProvider time,
        ILogger logger)
    {
        _time = time;
        ChannelId = channelId;
        _resources = resources;
        _height = (long)height;
        _peers = peers;
        _topology = topology;
        _connections = connections;
        _logger = logger;
        TrustTlsRoots(resources);
    }

    public string ChannelId { get; }

    /// <summary>The configuration in force, compiled.</summary>
    public ChannelResources Resources => _resources;

    /// <summary>Commit results and waiters.</summary>
    public CommitNotifier Commits { get; } = new();

    /// <summary>The number of the next block the gateway expects to see committed.</summary>
    public ulong Height => (ulong)Interlocked.Read(ref _height);

    /// <summary>The application organisations' MSP IDs, in configuration order.</summary>
    public IReadOnlyList<string> Organizations => Resources.ApplicationMspIds;

    /// <summary>The ordering service endpoints of the channel, from its configuration.</summary>
    public IReadOnlyList<(string MspId, string Endpoint)> Orderers =>
        [.. (Resources.Config.Orderer?.Organizations ?? []).SelectMany(org => org.OrdererEndpoints.Select(endpoint => (org.MspId, endpoint)))];

    /// <summary>Peers of an organisation that may serve this channel.</summary>
    public IReadOnlyList<PeerAddress> PeersOf(string mspId) => _topology.PeersOf(mspId, Resources.Config);

    /// <summary>
    /// Finds the channel through the gateway's own peers (the first that knows it), reads its current
    /// configuration and starts following its new blocks. Throws <see cref="ChannelNotFoundException"/> when no
    /// peer has joined it and <see cref="PeersUnavailableException"/> when none answered.
    /// </summary>
    public static async Task<GatewayChannel> OpenAsync(string channelId, PeerClient peers, GatewayTopology topology, NodeConnections connections, TimeProvider time, ILogger logger,
        CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        var notFound = 0;
        foreach (var peer in topology.OwnPeers)
        {
            try
            {
                var newest = await peers.ReadBlockAsync(peer, channelId, null, cancellationToken).ConfigureAwait(false);
                var configIndex = Blocks.LastConfigIndex(newest);
                var configBlock = configIndex == newest.Header.Number
                    ? newest
                    : await peers.ReadBlockAsync(peer, channelId, configIndex, cancellationToken).ConfigureAwait(false);
                var resources = ChannelResources.Create(Blocks.ConfigOf(configBlock) ?? throw new InvalidOperationException($"block {configIndex} of channel '{channelId}' is not a configuration block"));
                topology.Succeeded(peer);
                var channel = new GatewayChannel(channelId, resources, newest.Header.Number + 1, peers, topology, connections, time, logger);
                channel._follower = Task.Run(channel.FollowAsync, CancellationToken.None);
                LogOpened(logger, channelId, newest.Header.Number + 1, peer);
                return channel;
            }
            catch (PeerRefusedException ex) when (ex.Status is Protos.Common.Status.NotFound or Protos.Common.Status.Forbidden)
            {
                notFound += ex.Status == Protos.Common.Status.NotFound ? 1 : 0;
                failures.Add(ex.Message);
            }
            catch (Exception ex) when (ex is RpcException or IOException or InvalidOperationException or MalformedMessageException)
            {
                topology.Failed(peer);
                failures.Add($"{peer}: {ex.Message}");
            }
        }
        if (notFound > 0 && notFound == failures.Count)
        {
            throw new ChannelNotFoundException(channelId);
        }
        throw new PeersUnavailableException($"cannot read channel '{channelId}' from any peer of the gateway's organisation: {string.Join("; ", failures)}");
    }

    /// <summary>The committed definition of a chaincode, or null when there is none.</summary>
    public Task<ChaincodeDefinition?> FindDefinitionAsync(string chaincode, CancellationToken cancellationToken)
    {
        var entry = _definitions.GetOrAdd(chaincode, name => new Lazy<Task<ChaincodeDefinition?>>(() => QueryDefinitionAsync(name)));
        var task = entry.Value;
        if (task.IsFaulted || task.IsCanceled)
        {
            _definitions.TryRemove(new KeyValuePair<string, Lazy<Task<ChaincodeDefinition?>>>(chaincode, entry));
        }
        return task.WaitAsync(cancellationToken);
    }

    /// <summary>Notes a transaction submitted through this gateway (its commit will be seen by the follower).</summary>
    public void Submitted(string txId)
    {
        if (_submitted.TryAdd(txId, 0))
        {
            _submittedOrder.Enqueue(txId);
            while (_submitted.Count > 200_000 && _submittedOrder.TryDequeue(out var oldest))
            {
                _submitted.TryRemove(oldest, out _);
            }
        }
    }

    /// <summary>True when the transaction was submitted through this gateway since it started following the channel.</summary>
    public bool WasSubmitted(string txId) => _submitted.ContainsKey(txId);

    /// <summary>
    /// Looks a transaction up in the ledger of the gateway's peers (<c>qscc GetBlockByTxID</c>): its commit result,
    /// or null when no peer has it.
    /// </summary>
    public async Task<CommitResult?> LookUpAsync(string txId, CancellationToken cancellationToken)
    {
        foreach (var peer in _topology.OwnPeers)
        {
            var answer = await _peers.QueryAsync(peer, ChannelId, "qscc", ["GetBlockByTxID", ChannelId, txId], cancellationToken).ConfigureAwait(false);
            if (answer.Code is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
            {
                _topology.Failed(peer);
                continue;
            }
            if (!answer.IsSuccess)
            {
                return null;
            }
            var block = Block.Parser.ParseFrom(answer.Response!.Response.Payload);
            return Find(block, txId);
        }
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _follower.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _stopping.Dispose();
    }

    private static CommitResult? Find(Block block, string txId)
    {
        var filter = Filter(block);
        for (var i = 0; i < block.Data.Data.Count; i++)
        {
            if (HeadersOf(block.Data.Data[i]) is { } headers && headers.Channel.TxId == txId)
            {
                return new CommitResult(i < filter.Length ? (TxValidationCode)filter[i] : TxValidationCode.InvalidOtherReason, block.Header.Number, headers.CreatorHash);
            }
        }
        return null;
    }

    private async Task<ChaincodeDefinition?> QueryDefinitionAsync(string chaincode)
    {
        var failures = new List<string>();
        foreach (var peer in _topology.OwnPeers)
        {
            if (_peers.TryFindDefinitionLocally(peer, ChannelId, chaincode, out var local))
            {
                return local;
            }
            var answer = await _peers.QueryAsync(peer, ChannelId, LifecycleNamespace, ["QueryChaincodeDefinition", chaincode], _stopping.Token).ConfigureAwait(false);
            if (answer.IsSuccess)
            {
                return ChaincodeDefinition.Parser.ParseFrom(answer.Response!.Response.Payload);
            }
            if (answer.Response?.Response is { Status: 404 })
            {
                return null;
            }
            failures.Add($"{peer}: {answer.Message}");
            if (answer.Retry)
            {
                _topology.Failed(peer);
            }
        }
        throw new PeersUnavailableException($"cannot read the definition of chaincode '{chaincode}' on channel '{ChannelId}': {string.Join("; ", failures)}");
    }

    private async Task FollowAsync()
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (!_stopping.IsCancellationRequested)
        {
            var peer = _topology.OwnPeer;
            if (peer is null)
            {
                return;
            }
            try
            {
                await foreach (var block in _peers.FollowAsync(peer, ChannelId, Height, _stopping.Token).ConfigureAwait(false))
                {
                    Process(block);
                    delay = TimeSpan.FromMilliseconds(200);
                }
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is RpcException or IOException or PeerRefusedException or InvalidOperationException or MalformedMessageException or InvalidProtocolBufferException
                or ObjectDisposedException)
            {
                _topology.Failed(peer);
                LogFollowFailed(_logger, ChannelId, peer.ToString(), ex.Message);
            }
            try
            {
                await Task.Delay(delay, _time, _stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
        }
    }

    private void Process(Block block)
    {
        if (block.Header.Number != Height)
        {
            throw new InvalidOperationException($"expected block {Height} of channel '{ChannelId}', the peer sent block {block.Header.Number}");
        }
        if (Blocks.ConfigOf(block) is { } config)
        {
            var resources = ChannelResources.Create(config);
            TrustTlsRoots(resources);
            _resources = resources;
            LogConfigUpdated(_logger, ChannelId, config.Sequence, block.Header.Number);
        }
        var filter = Filter(block);
        var lifecycleChanged = false;
        for (var i = 0; i < block.Data.Data.Count; i++)
        {
            if (HeadersOf(block.Data.Data[i]) is not { } headers)
            {
                continue;
            }
            var code = i < filter.Length ? (TxValidationCode)filter[i] : TxValidationCode.InvalidOtherReason;
            if (code == TxValidationCode.Valid && ChaincodeOf(headers.Channel) == LifecycleNamespace)
            {
                lifecycleChanged = true;
            }
            Commits.Committed(headers.Channel.TxId, new CommitResult(code, block.Header.Number, headers.CreatorHash));
        }
        if (lifecycleChanged)
        {
            _definitions.Clear();
        }
        Interlocked.Exchange(ref _height, (long)block.Header.Number + 1);
    }

    private void TrustTlsRoots(ChannelResources resources) => _connections.TrustRoots(resources.TlsCertificateAuthorities);

    /// <summary>A block's TRANSACTIONS_FILTER (one validation code per transaction), empty when it has none.</summary>
    internal static byte[] Filter(Block block) =>
        block.Metadata?.Metadata.Count > (int)BlockMetadataIndex.TransactionsFilter
            ? block.Metadata.Metadata[(int)BlockMetadataIndex.TransactionsFilter].ToByteArray()
            : [];

    /// <summary>A transaction's channel header and the SHA-256 of its creator, or null when it does not parse.</summary>
    private static (ChannelHeader Channel, byte[] CreatorHash)? HeadersOf(ByteString envelopeBytes)
    {
        try
        {
            var envelope = Envelope.Parser.ParseFrom(envelopeBytes);
            var payload = Payload.Parser.ParseFrom(envelope.Payload);
            if (payload.Header is null)
            {
                return null;
            }
            var creator = SignatureHeader.Parser.ParseFrom(payload.Header.SignatureHeader).Creator;
            return (ChannelHeader.Parser.ParseFrom(payload.Header.ChannelHeader), System.Security.Cryptography.SHA256.HashData(creator.Span));
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }

    private static string? ChaincodeOf(ChannelHeader header)
    {
        if (header.Type != (int)HeaderType.EndorserTransaction || header.Extension.IsEmpty)
        {
            return null;
        }
        try
        {
            return ChaincodeHeaderExtension.Parser.ParseFrom(header.Extension).ChaincodeId?.Name;
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Following channel {Channel} from block {Block} on peer {Peer}")]
    private static partial void LogOpened(ILogger logger, string channel, ulong block, PeerAddress peer);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Following channel {Channel} on peer {Peer} failed, retrying: {Reason}")]
    private static partial void LogFollowFailed(ILogger logger, string channel, string peer, string reason);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "Channel {Channel} configuration sequence {Sequence} in force from block {Block}")]
    private static partial void LogConfigUpdated(ILogger logger, string channel, ulong sequence, ulong block);
}

/// <summary>No peer of the gateway's organisation has joined the channel.</summary>
internal sealed class ChannelNotFoundException(string channelId) : Exception($"channel '{channelId}' not found: no peer of the gateway's organisation has joined it")
{
    public string ChannelId { get; } = channelId;
}

/// <summary>The peers needed could not be reached.</summary>
internal sealed class PeersUnavailableException(string message) : Exception(message);
