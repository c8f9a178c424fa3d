using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using ZonCoin.Core.Crypto;
using ZonCoin.Core.Protocol;
using ZonCoin.Ledger.Blocks;
using ZonCoin.Ledger.State;
using ZonCoin.Peer.Sync;
using ZonCoin.Protos.Common;
using ZonCoin.Rpc.Client;
using ZonCoin.Rpc.Deliver;

namespace ZonCoin.Peer.Channels;

/// <summary>How the peer reaches orderers: its identity for Deliver requests and, unless insecure, its TLS client certificate.</summary>
internal sealed record OrdererConnectionSettings(SigningIdentity Signer, X509Certificate2? ClientCertificate);

/// <summary>
/// The channels this peer has joined: block store under <c>&lt;data&gt;/chains/&lt;channel&gt;</c>, state database
/// from <see cref="StateDatabaseProvider"/> (SQLite <c>&lt;data&gt;/state/&lt;channel&gt;.db</c> or a PostgreSQL schema), and one loop per channel that pulls blocks from the channel's
/// orderers, verifies and commits them. Joined from the genesis block; reopened (and recovered) on start.
/// </summary>
internal sealed partial class PeerChannels : IAsyncDisposable, IDeliverChains
{
    /// <summary>The pause before a channel's sync starts again after a failure.</summary>
    private static readonly TimeSpan RetryPause = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, (PeerChannel Channel, Task Sync, ChannelSyncHealth Health)> _channels = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _membership = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private int _disposed;
    private readonly string _dataDirectory;
    private readonly StateDatabaseProvider _stateDatabases;
    private readonly OrdererConnectionSettings _orderers;
    private readonly PeerMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<PeerChannels> _logger;
    private readonly OwnSignatures? _ownSignatures;

    /// <param name="ownSignatures">The peer's own recent endorsement signatures, which validation need not verify.</param>
    public PeerChannels(string dataDirectory, StateDatabaseProvider stateDatabases, OrdererConnectionSettings orderers, PeerMetrics metrics, TimeProvider time,
        ILogger<PeerChannels> logger, OwnSignatures? ownSignatures = null)
    {
        _ownSignatures = ownSignatures;
        _time = time;
        _dataDirectory = dataDirectory;
        _stateDatabases = stateDatabases;
        _orderers = orderers;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>The TLS CAs of every organisation of every joined channel, for accepting client certificates.</summary>
    public X509Certificate2Collection TlsClientRoots()
    {
        var roots = new X509Certificate2Collection();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pem in All.SelectMany(channel => channel.Resources.TlsCertificateAuthorities).Where(seen.Add))
        {
            roots.ImportFromPem(pem);
        }
        return roots;
    }

    /// <summary>
    /// Raised on the channel's commit thread after a block that changed its chaincode definitions (a
    /// <c>_lifecycle</c> write) was committed.
    /// </summary>
    public event Action<PeerChannel>? DefinitionsCommitted;

    public PeerChannel? Find(string channelId) => _channels.TryGetValue(channelId, out var entry) ? entry.Channel : null;

    IDeliverChain? IDeliverChains.Find(string channelId) => Find(channelId);

    public IReadOnlyList<PeerChannel> All => [.. _channels.Values.Select(e => e.Channel).OrderBy(c => c.ChannelId, StringComparer.Ordinal)];

    /// <summary>Each joined channel that cannot keep up with its chain, and why (see <see cref="ChannelSyncHealth"/>).</summary>
    public IReadOnlyList<(string ChannelId, string Problem)> SyncProblems() =>
        [.. _channels.Values
            .Select(e => (e.Channel.ChannelId, Problem: e.Health.Problem(OrdererEndpoints(e.Channel).Count)))
            .Where(p => p.Problem is not null)
            .Select(p => (p.ChannelId, p.Problem!))
            .OrderBy(p => p.ChannelId, StringComparer.Ordinal)];

    public Task StartAsync()
    {
        var chains = Path.Combine(_dataDirectory, "chains");
        Directory.CreateDirectory(chains);
        foreach (var directory in Directory.EnumerateDirectories(chains).Order(StringComparer.Ordinal))
        {
            var channelId = Path.GetFileName(directory);
            var channel = Open(channelId);
            if (channel.RecoveredBlocks > 0)
            {
                LogRecovered(_logger, channelId, channel.RecoveredBlocks);
            }
            Start(channel);
        }
        return Task.CompletedTask;
    }

    /// <summary>Joins a channel from its genesis block. Throws <see cref="ArgumentException"/> for a bad block or a channel already joined.</summary>
    public async Task<PeerChannel> JoinAsync(Block genesis, CancellationToken cancellationToken)
    {
        var channelId = ChannelLedger.ChannelIdOf(genesis);
        await _membership.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_channels.ContainsKey(channelId))
            {
                throw new ArgumentException($"channel '{channelId}' is already joined");
            }
            var blocksDirectory = ChannelLedger.BlocksDirectory(_dataDirectory, channelId);
            if (Directory.Exists(blocksDirectory))
            {
                Directory.Delete(blocksDirectory, recursive: true);
            }
            _stateDatabases.Delete(channelId);
            ChannelLedger.Create(_dataDirectory, channelId, genesis, _stateDatabases);
            var channel = Open(channelId);
            Start(channel);
            LogJoined(_logger, channelId);
            return channel;
        }
        finally
        {
            _membership.Release();
        }
    }

    /// <summary>Stops syncing and closes the channels; a second call (the host's lifetime, then its container) does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var (channel, sync, _) in _channels.Values)
        {
            try
            {
                await sync.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception ex)
            {
                // The sync loop retries every failure it knows; anything else ended it early and must not fail the stop.
                LogSyncEnded(_logger, ex, channel.ChannelId);
            }
            channel.Dispose();
        }
        _channels.Clear();
        _stopping.Dispose();
        _membership.Dispose();
    }

    private PeerChannel Open(string channelId) =>
        ChannelLedger.Open(channelId, BlockStore.Open(ChannelLedger.BlocksDirectory(_dataDirectory, channelId)), _stateDatabases,
            (chaincode, ex) => LogIndexFailed(_logger, ex, channelId, chaincode), _ownSignatures);

    private void Start(PeerChannel channel)
    {
        _metrics.TrackHeight(channel.ChannelId, () => (long)channel.Height);
        var health = new ChannelSyncHealth(_time);
        var sync = Task.Run(() => SyncAsync(channel, health, _stopping.Token));
        _channels[channel.ChannelId] = (channel, sync, health);
    }

    /// <summary>Pulls, verifies and commits blocks until the peer stops; a bad block makes it try another orderer.</summary>
    private async Task SyncAsync(PeerChannel channel, ChannelSyncHealth health, CancellationToken cancellationToken)
    {
        var puller = new BlockPuller(channel.ChannelId, _orderers.Signer, () => OrdererEndpoints(channel), endpoint => Connect(channel, endpoint),
            () => _orderers.ClientCertificate is { } certificate ? System.Security.Cryptography.SHA256.HashData(certificate.RawData) : null, health, _time, _logger);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var block in puller.PullAsync(channel.Height, cancellationToken).ConfigureAwait(false))
                {
                    var definitions = channel.Definitions.Version;
                    var committed = channel.Commit(block);
                    health.Committed();
                    _metrics.BlockCommitted(channel.ChannelId, committed);
                    if (channel.Definitions.Version != definitions)
                    {
                        DefinitionsCommitted?.Invoke(channel);
                    }
                }
            }
            catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
            {
                // The peer is stopping: the pull was cancelled (gRPC reports a cancelled call as CANCELLED).
                return;
            }
            catch (InvalidDataException ex)
            {
                LogBadBlock(_logger, channel.ChannelId, ex.Message);
                await Task.Delay(RetryPause, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or BlockStoreException or StateDatabaseException)
            {
                health.CommitFailed(ex.Message);
                LogSyncFailed(_logger, ex, channel.ChannelId);
                await Task.Delay(RetryPause, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException ex)
            {
                LogSyncFailed(_logger, ex, channel.ChannelId);
                await Task.Delay(RetryPause, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static IReadOnlyList<string> OrdererEndpoints(PeerChannel channel) =>
        [.. channel.Resources.Config.Orderer.Organizations.SelectMany(org => org.OrdererEndpoints)];

    private GrpcChannel Connect(PeerChannel channel, string endpoint)
    {
        if (_orderers.ClientCertificate is null)
        {
            return RpcChannels.ForAddress($"http://{endpoint}");
        }
        var roots = new X509Certificate2Collection();
        foreach (var org in channel.Resources.Config.Orderer.Organizations)
        {
            foreach (var pem in org.Msp.TlsRootCerts.Concat(org.Msp.TlsIntermediateCerts))
            {
                roots.ImportFromPem(pem.ToStringUtf8());
            }
        }
        return RpcChannels.ForAddress($"https://{endpoint}", new RpcChannelOptions { RootCertificates = roots, ClientCertificate = _orderers.ClientCertificate });
    }

    [LoggerMessage(EventId = 8001, Level = LogLevel.Information, Message = "Joined channel {ChannelId}")]
    private static partial void LogJoined(ILogger logger, string channelId);

    [LoggerMessage(EventId = 8002, Level = LogLevel.Warning, Message = "Channel {ChannelId}: re-applied {Blocks} blocks stored after the state savepoint")]
    private static partial void LogRecovered(ILogger logger, string channelId, int blocks);

    [LoggerMessage(EventId = 8003, Level = LogLevel.Error, Message = "Channel {ChannelId}: refused a block from the orderer: {Reason}")]
    private static partial void LogBadBlock(ILogger logger, string channelId, string reason);

    [LoggerMessage(EventId = 8004, Level = LogLevel.Error, Message = "Channel {ChannelId}: committing blocks failed; retrying")]
    private static partial void LogSyncFailed(ILogger logger, Exception exception, string channelId);

    [LoggerMessage(EventId = 8006, Level = LogLevel.Error, Message = "Channel {ChannelId}: syncing blocks had stopped on an unexpected error")]
    private static partial void LogSyncEnded(ILogger logger, Exception exception, string channelId);

    [LoggerMessage(EventId = 8005, Level = LogLevel.Error, Message = "Channel {ChannelId}: creating the state database indexes of chaincode {Chaincode} failed; its rich queries run without them")]
    private static partial void LogIndexFailed(ILogger logger, Exception exception, string channelId, string chaincode);
}
