using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using ZonCoin.Core.Protocol;
using ZonCoin.Ledger.Blocks;
using ZonCoin.Orderer.Consensus;
using ZonCoin.Orderer.MsgProcessor;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Config;
using ZonCoin.Rpc.Deliver;

namespace ZonCoin.Orderer.Channels;

/// <summary>
/// The channels this orderer serves (Fabric's registrar): one block store under
/// <c>&lt;data&gt;/chains/&lt;channel&gt;</c> and one chain per channel, reopened on start, joined from a
/// genesis block through the channel participation API, and removed on request.
/// </summary>
internal sealed partial class ChannelRegistry : IAsyncDisposable, IDeliverChains
{
    private readonly ConcurrentDictionary<string, ChainSupport> _channels = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _membership = new(1, 1);
    private readonly string _chainsDirectory;
    private readonly SigningIdentity _signer;
    private readonly MessageProcessor _processor;
    private readonly IReadOnlyDictionary<string, IConsenter> _consenters;
    private readonly OrdererMetrics _metrics;
    private readonly ILogger<ChannelRegistry> _logger;
    private TlsRoots _tlsRoots = new("", []);

    public ChannelRegistry(
        string dataDirectory, SigningIdentity signer, MessageProcessor processor, IEnumerable<IConsenter> consenters,
        OrdererMetrics metrics, ILogger<ChannelRegistry> logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        _chainsDirectory = Path.Combine(dataDirectory, "chains");
        _signer = signer ?? throw new ArgumentNullException(nameof(signer));
        _processor = processor ?? throw new ArgumentNullException(nameof(processor));
        _consenters = consenters.ToDictionary(consenter => consenter.Type, StringComparer.Ordinal);
        _metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>The consensus types this orderer can run.</summary>
    public IReadOnlyCollection<string> ConsensusTypes => [.. _consenters.Keys];

    public ChainSupport? Find(string channelId) => _channels.GetValueOrDefault(channelId);

    IDeliverChain? IDeliverChains.Find(string channelId) => Find(channelId);

    /// <summary>
    /// The TLS root and intermediate CAs of every organisation in every channel served, for accepting client
    /// certificates (Fabric's orderer trusts its channels' orgs' TLS CAs). Recomputed when a channel is joined,
    /// removed or reconfigured.
    /// </summary>
    public X509Certificate2Collection TlsClientRoots()
    {
        var states = _channels.Values.Select(channel => channel.State).OrderBy(state => state.ChannelId, StringComparer.Ordinal).ToList();
        var key = string.Join('|', states.Select(state => $"{state.ChannelId}:{state.Sequence}"));
        var cached = Volatile.Read(ref _tlsRoots);
        if (cached.Key == key)
        {
            return cached.Roots;
        }
        var roots = new X509Certificate2Collection();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var organization in states.SelectMany(state => (state.Config.Application?.Organizations ?? []).Concat(state.Config.Orderer.Organizations)))
        {
            foreach (var pem in organization.Msp.TlsRootCerts.Concat(organization.Msp.TlsIntermediateCerts))
            {
                var text = pem.ToStringUtf8();
                if (seen.Add(text))
                {
                    roots.ImportFromPem(text);
                }
            }
        }
        Volatile.Write(ref _tlsRoots, new TlsRoots(key, roots));
        return roots;
    }

    public IReadOnlyList<ChainSupport> Channels => [.. _channels.Values.OrderBy(channel => channel.ChannelId, StringComparer.Ordinal)];

    /// <summary>Reopens every channel found in the data directory and starts its chain.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_chainsDirectory);
        foreach (var directory in Directory.EnumerateDirectories(_chainsDirectory).Order(StringComparer.Ordinal))
        {
            var channelId = Path.GetFileName(directory);
            var store = BlockStore.Open(directory);
            if (store.Recovery.TruncatedBytes > 0)
            {
                LogTornTail(_logger, channelId, store.Recovery.TruncatedBytes);
            }
            try
            {
                if (store.Height == 0)
                {
                    throw new ChannelConfigException($"channel '{channelId}' has an empty block store at {directory}; remove the directory and join again");
                }
                var support = CreateSupport(ReadState(store), store);
                await support.Chain.StartAsync(cancellationToken).ConfigureAwait(false);
                _channels[channelId] = support;
                LogChannelOpened(_logger, channelId, store.Height);
            }
            catch
            {
                store.Dispose();
                throw;
            }
        }
    }

    /// <summary>
    /// Joins a channel from its genesis block: checks the block, writes it as block 0 and starts the chain.
    /// Throws <see cref="ChannelJoinException"/> with what is wrong.
    /// </summary>
    public async Task<ChainSupport> JoinAsync(Block genesis, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(genesis);
        var state = ReadGenesis(genesis);
        await _membership.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_channels.ContainsKey(state.ChannelId))
            {
                throw new ChannelJoinException(ChannelJoinError.AlreadyExists, $"channel '{state.ChannelId}' already exists on this orderer");
            }
            var directory = Path.Combine(_chainsDirectory, state.ChannelId);
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
            var store = BlockStore.Open(directory);
            try
            {
                store.Append(genesis);
                var support = CreateSupport(state, store);
                await support.Chain.StartAsync(cancellationToken).ConfigureAwait(false);
                _channels[state.ChannelId] = support;
                LogChannelJoined(_logger, state.ChannelId, state.ConsensusType);
                return support;
            }
            catch
            {
                store.Dispose();
                Directory.Delete(directory, recursive: true);
                throw;
            }
        }
        finally
        {
            _membership.Release();
        }
    }

    /// <summary>Stops a channel's chain and deletes its blocks; false when the channel is unknown.</summary>
    public async Task<bool> RemoveAsync(string channelId, CancellationToken cancellationToken)
    {
        await _membership.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_channels.TryRemove(channelId, out var support))
            {
                return false;
            }
            await support.DisposeAsync().ConfigureAwait(false);
            Directory.Delete(Path.Combine(_chainsDirectory, channelId), recursive: true);
            LogChannelRemoved(_logger, channelId);
            return true;
        }
        finally
        {
            _membership.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var support in _channels.Values)
        {
            await support.DisposeAsync().ConfigureAwait(false);
        }
        _channels.Clear();
        _membership.Dispose();
    }

    private ChainSupport CreateSupport(ChannelState state, BlockStore store)
    {
        var support = new ChainSupport(state, store, _signer, _processor, _metrics);
        support.Chain = _consenters[state.ConsensusType].CreateChain(support);
        return support;
    }

    private ChannelState ReadGenesis(Block block)
    {
        if (block.Header is null || block.Data is null)
        {
            throw new ChannelJoinException(ChannelJoinError.BadBlock, "the join block has no header or data");
        }
        if (block.Header.Number != 0)
        {
            throw new ChannelJoinException(ChannelJoinError.BadBlock,
                $"the join block is block {block.Header.Number}; this orderer joins channels from their genesis block (block 0)");
        }
        if (!Blocks.HasValidDataHash(block))
        {
            throw new ChannelJoinException(ChannelJoinError.BadBlock, "the join block's data hash does not match its data");
        }
        ChannelState state;
        try
        {
            state = ReadConfigBlock(block);
        }
        catch (Exception ex) when (ex is MalformedMessageException or ChannelConfigException or InvalidProtocolBufferException)
        {
            throw new ChannelJoinException(ChannelJoinError.BadBlock, $"the join block is not a valid config block: {ex.Message}");
        }
        if (!_consenters.ContainsKey(state.ConsensusType))
        {
            throw new ChannelJoinException(ChannelJoinError.BadBlock,
                $"channel '{state.ChannelId}' uses consensus type '{state.ConsensusType}', which this orderer does not run (it runs: {string.Join(", ", _consenters.Keys)})");
        }
        if (!state.Config.Orderer.Organizations.Any(org => org.MspId == _signer.MspId))
        {
            throw new ChannelJoinException(ChannelJoinError.BadBlock,
                $"this orderer's MSP '{_signer.MspId}' is not one of channel '{state.ChannelId}''s orderer organizations");
        }
        return state;
    }

    private static ChannelState ReadState(BlockStore store)
    {
        var last = store.LastBlock!;
        var lastConfig = last.Header.Number == 0 ? 0 : LastConfigIndex(last);
        return ReadConfigBlock(store.GetBlock(lastConfig));
    }

    private static ulong LastConfigIndex(Block block)
    {
        var slot = block.Metadata.Metadata[(int)BlockMetadataIndex.LastConfig];
        return LastConfig.Parser.ParseFrom(Metadata.Parser.ParseFrom(slot).Value).Index;
    }

    private static ChannelState ReadConfigBlock(Block block)
    {
        if (block.Data.Data.Count != 1)
        {
            throw new ChannelConfigException($"config block {block.Header.Number} holds {block.Data.Data.Count} envelopes, expected exactly 1");
        }
        ChannelConfig config = MessageProcessor.ReadConfig(Envelope.Parser.ParseFrom(block.Data.Data[0]));
        return ChannelState.Create(config);
    }

    private sealed record TlsRoots(string Key, X509Certificate2Collection Roots);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Channel {ChannelId} opened at height {Height}")]
    private static partial void LogChannelOpened(ILogger logger, string channelId, ulong height);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Channel {ChannelId} joined ({ConsensusType})")]
    private static partial void LogChannelJoined(ILogger logger, string channelId, string consensusType);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Channel {ChannelId} removed")]
    private static partial void LogChannelRemoved(ILogger logger, string channelId);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Channel {ChannelId}: truncated {Bytes} bytes of a torn block at the end of the block store")]
    private static partial void LogTornTail(ILogger logger, string channelId, long bytes);
}
