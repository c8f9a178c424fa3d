using System.Runtime.CompilerServices;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using ZonCoin.Core.Protocol;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Orderer;
using ZonCoin.Rpc.Services;

namespace ZonCoin.Peer.Sync;

/// <summary>
/// Pulls a channel's blocks from its orderers with Deliver (Fabric's deliver client): from a given height, for
/// ever; on a broken stream or a refused request it moves to the next orderer endpoint of the channel config,
/// with a growing pause, and resumes from the next block it still needs.
/// </summary>
internal sealed partial class BlockPuller
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);

    private readonly string _channelId;
    private readonly SigningIdentity _signer;
    private readonly Func<IReadOnlyList<string>> _endpoints;
    private readonly Func<string, GrpcChannel> _connect;
    private readonly Func<byte[]?> _tlsCertHash;
    private readonly ChannelSyncHealth _health;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public BlockPuller(string channelId, SigningIdentity signer, Func<IReadOnlyList<string>> endpoints, Func<string, GrpcChannel> connect, Func<byte[]?> tlsCertHash,
        ChannelSyncHealth health, TimeProvider time, ILogger logger)
    {
        _time = time;
        _health = health;
        _channelId = channelId;
        _signer = signer;
        _endpoints = endpoints;
        _connect = connect;
        _tlsCertHash = tlsCertHash;
        _logger = logger;
    }

    /// <summary>Yields blocks <paramref name="from"/>, <paramref name="from"/>+1, ... until cancelled; a cancelled pull ends, or throws <see cref="OperationCanceledException"/>.</summary>
    public async IAsyncEnumerable<Block> PullAsync(ulong from, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var next = from;
        var attempt = 0;
        var index = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var endpoints = _endpoints();
            if (endpoints.Count == 0)
            {
                throw new InvalidOperationException($"channel '{_channelId}' names no orderer endpoints");
            }
            var endpoint = endpoints[index % endpoints.Count];
            var stream = ReadFromAsync(endpoint, next, cancellationToken).GetAsyncEnumerator(cancellationToken);
            var received = false;
            try
            {
                while (true)
                {
                    Block block;
                    try
                    {
                        if (!await stream.MoveNextAsync().ConfigureAwait(false))
                        {
                            StreamFailed(endpoint, "the orderer ended the stream");
                            break;
                        }
                        block = stream.Current;
                    }
                    catch (Exception ex) when (ex is RpcException or IOException or HttpRequestException or InvalidOperationException)
                    {
                        // A stop can race a failing call (a connection refused as the token is cancelled): then the
                        // failure is the stop, not the orderer's.
                        if (!cancellationToken.IsCancellationRequested)
                        {
                            StreamFailed(endpoint, ex.Message);
                        }
                        break;
                    }
                    if (block.Header.Number != next)
                    {
                        StreamFailed(endpoint, $"sent block {block.Header.Number} when {next} was due");
                        break;
                    }
                    _health.BlockReceived();
                    received = true;
                    attempt = 0;
                    next++;
                    yield return block;
                }
            }
            finally
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
            if (cancellationToken.IsCancellationRequested)
            {
                yield break;
            }
            index++;
            attempt = received ? 0 : attempt + 1;
            var pause = TimeSpan.FromMilliseconds(Math.Min(MaxBackoff.TotalMilliseconds, 100 * Math.Pow(2, Math.Min(attempt, 10))));
            await Task.Delay(pause, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async IAsyncEnumerable<Block> ReadFromAsync(string endpoint, ulong from, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var channel = _connect(endpoint);
        var request = DeliverRequests.Create(_channelId,
            DeliverRequests.Range(DeliverRequests.Specified(from), DeliverRequests.Specified(ulong.MaxValue)), _signer, _tlsCertHash());
        await foreach (var response in DeliverClient.ReadAsync(channel.CreateCallInvoker(), request, _health.StreamOpened, cancellationToken).ConfigureAwait(false))
        {
            if (response.TypeCase == DeliverResponse.TypeOneofCase.Block)
            {
                yield return response.Block;
            }
            else
            {
                throw new InvalidOperationException($"orderer {endpoint} ended the stream with status {(int)response.Status} {response.Status}");
            }
        }
    }

    private void StreamFailed(string endpoint, string reason)
    {
        _health.StreamFailed(endpoint, reason);
        LogStreamFailed(_logger, _channelId, endpoint, reason);
    }

    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "Channel {ChannelId}: pulling blocks from orderer {Endpoint} stopped: {Reason}; trying the next orderer")]
    private static partial void LogStreamFailed(ILogger logger, string channelId, string endpoint, string reason);
}
