using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using ZonCoin.Kafka;
using ZonCoin.Orderer.Channels;
using ZonCoin.Orderer.Hosting;
using ZonCoin.Orderer.MsgProcessor;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Kafka;

namespace ZonCoin.Orderer.Consensus.Kafka;

/// <summary>
/// Kafka consensus as in Fabric 1.x ("A Kafka-based Ordering Service for Fabric"): Broadcast posts each accepted
/// envelope, wrapped with the config sequence it was validated against, to partition 0 of the channel's topic
/// (acks=all); every orderer consumes the same partition and cuts identical blocks with the same deterministic
/// cutter. Batch time-outs travel through the log as TIME_TO_CUT messages (the first one for the block being
/// filled cuts it, later ones are ignored), a CONNECT message is posted at start, messages validated against an
/// older config are re-validated and re-posted with their original offset, and each block records the offsets
/// that let a restarted orderer resume exactly where its ledger ends.
/// </summary>
/// <remarks>
/// With adaptive cutting (the default) an orderer whose consumer has read to the end of the partition while a batch
/// is pending posts the TIME_TO_CUT for the block being filled at once rather than when its batch timer fires (one
/// such early TIME_TO_CUT per block number). The decision is local but the cut is not: every orderer cuts where that
/// TIME_TO_CUT sits in the log, and the copies other orderers post for the same block are ignored. A lone message is
/// then a block after one more round trip through Kafka; under load messages keep arriving while the TIME_TO_CUT
/// travels, so batches grow, up to the count and byte limits. The batch timer stays the upper bound.
/// </remarks>
internal sealed partial class KafkaChain : IChain
{
    private static readonly TimeSpan ConnectRetryInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    private readonly ChainSupport _support;
    private readonly string _brokers;
    private readonly KafkaSettings _settings;
    private readonly OrdererMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly bool _adaptiveCutting;
    private readonly TopicPartition _partition;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _timerLock = new();
    private IProducer<Null, byte[]>? _producer;
    private IConsumer<Null, byte[]>? _consumer;
    private Task? _loop;
    private volatile string? _fault = "connecting to Kafka";
    private volatile TaskCompletionSource? _ingressHeld;
    private ITimer? _timer;
    private long _consumedOffset = -1;

    // Owned by the consume loop.
    private KafkaOffsets _offsets = KafkaOffsets.Initial;
    private ulong _lastCutBlock;
    private ulong _earlyTimeToCutBlock;

    public KafkaChain(ChainSupport support, IReadOnlyList<string> brokers, KafkaSettings settings, OrdererMetrics metrics, TimeProvider time, ILogger logger,
        bool adaptiveCutting = true)
    {
        _support = support ?? throw new ArgumentNullException(nameof(support));
        _brokers = string.Join(',', brokers);
        _settings = settings;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _adaptiveCutting = adaptiveCutting;
        _partition = new TopicPartition(support.ChannelId, new Partition(0));
    }

    public string? Fault => _fault;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        KafkaNative.EnsureLoaded();
        _offsets = KafkaOffsets.Read(_support.LastConsenterMetadata());
        _lastCutBlock = _support.Store.Height - 1;
        if (_offsets.LastResubmittedConfigOffset > _offsets.LastOriginalOffsetProcessed)
        {
            // A re-posted config message was in flight when this orderer stopped: hold Broadcast until it is ordered.
            HoldIngress();
        }
        var producerConfig = KafkaClientConfigs.OrderingProducer(_brokers);
        // Many Broadcast streams post at once: a millisecond of lingering lets librdkafka batch them into one
        // produce request instead of one round trip each.
        producerConfig.LingerMs = 1;
        _producer = new ProducerBuilder<Null, byte[]>(producerConfig)
            .SetErrorHandler((_, error) => OnClientError("producer", error))
            .SetLogHandler((_, log) => LogClientMessage(_logger, _support.ChannelId, log.Name, log.Message))
            .Build();
        _metrics.TrackKafkaLag(_support.ChannelId, ConsumerLag);
        _loop = Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        return Task.CompletedTask;
    }

    public async ValueTask OrderAsync(Envelope envelope, ulong configSequence, CancellationToken cancellationToken)
    {
        await WaitForIngressAsync(cancellationToken).ConfigureAwait(false);
        await PostAsync(Regular(envelope, configSequence, KafkaMessageRegular.Types.Class.Normal, originalOffset: 0), cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask ConfigureAsync(Envelope configEnvelope, ulong configSequence, CancellationToken cancellationToken)
    {
        await WaitForIngressAsync(cancellationToken).ConfigureAwait(false);
        await PostAsync(Regular(configEnvelope, configSequence, KafkaMessageRegular.Types.Class.Config, originalOffset: 0), cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
        StopTimer();
        _metrics.UntrackKafkaLag(_support.ChannelId);
        _producer?.Flush(TimeSpan.FromSeconds(5));
        _producer?.Dispose();
        _ingressHeld?.TrySetResult();
        _stopping.Dispose();
    }

    private void Run()
    {
        var token = _stopping.Token;
        try
        {
            EnsureTopic();
            PostConnect(token);
            var consumerConfig = KafkaClientConfigs.PartitionConsumer(_brokers, $"zoncoin-orderer-{_support.ChannelId}");
            // Reaching the end of the partition is what adaptive cutting waits for.
            consumerConfig.EnablePartitionEof = _adaptiveCutting;
            using var consumer = new ConsumerBuilder<Null, byte[]>(consumerConfig)
                .SetErrorHandler((_, error) => OnClientError("consumer", error))
                .SetLogHandler((_, log) => LogClientMessage(_logger, _support.ChannelId, log.Name, log.Message))
                .Build();
            _consumer = consumer;
            var start = _offsets.LastOffsetPersisted + 1;
            consumer.Assign(new TopicPartitionOffset(_partition, start <= 0 ? Offset.Beginning : new Offset(start)));
            LogStarted(_logger, _support.ChannelId, start, _lastCutBlock);
            _fault = null;
            while (!token.IsCancellationRequested)
            {
                ConsumeResult<Null, byte[]>? result;
                try
                {
                    result = consumer.Consume(PollInterval);
                }
                catch (ConsumeException ex)
                {
                    SetFault($"reading from Kafka failed: {ex.Error.Reason}");
                    _ = ProbeAsync();
                    continue;
                }
                if (result is null)
                {
                    continue;
                }
                if (result.IsPartitionEOF)
                {
                    OnCaughtUp();
                    continue;
                }
                _fault = null;
                Interlocked.Exchange(ref _consumedOffset, result.Offset.Value);
                Process(result.Message.Value, result.Offset.Value);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            SetFault($"the Kafka chain stopped: {ex.Message}");
            LogChainFailed(_logger, ex, _support.ChannelId);
        }
        finally
        {
            _consumer = null;
        }
    }

    /// <summary>Handles one message of the log; runs on the consume loop only.</summary>
    private void Process(byte[] value, long offset)
    {
        KafkaMessage message;
        try
        {
            message = KafkaMessage.Parser.ParseFrom(value);
        }
        catch (InvalidProtocolBufferException)
        {
            LogUnreadable(_logger, _support.ChannelId, offset);
            return;
        }
        switch (message.TypeCase)
        {
            case KafkaMessage.TypeOneofCase.Connect:
                return;
            case KafkaMessage.TypeOneofCase.TimeToCut:
                OnTimeToCut(message.TimeToCut.BlockNumber, offset);
                return;
            case KafkaMessage.TypeOneofCase.Regular:
                OnRegular(message.Regular, offset);
                return;
            default:
                LogUnreadable(_logger, _support.ChannelId, offset);
                return;
        }
    }

    /// <summary>
    /// The consumer has read everything in the partition (and every block cut so far is written): a pending batch
    /// need not wait for the batch timer. Runs on the consume loop only.
    /// </summary>
    private void OnCaughtUp()
    {
        var blockNumber = _lastCutBlock + 1;
        if (!_support.Cutter.HasPending || _earlyTimeToCutBlock == blockNumber)
        {
            return;
        }
        _earlyTimeToCutBlock = blockNumber;
        _ = PostTimeToCutAsync(blockNumber);
    }

    private void OnTimeToCut(ulong blockNumber, long offset)
    {
        if (blockNumber == _lastCutBlock + 1)
        {
            var batch = _support.Cutter.Cut();
            if (batch.Count > 0)
            {
                _offsets = _offsets with { LastOffsetPersisted = offset };
                WriteBlock(batch);
            }
            StopTimer();
        }
        else if (blockNumber > _lastCutBlock + 1)
        {
            throw new InvalidOperationException(
                $"TIME_TO_CUT for block {blockNumber} at offset {offset}, but the last block cut is {_lastCutBlock}: this orderer's ledger and the log disagree");
        }
    }

    private void OnRegular(KafkaMessageRegular regular, long offset)
    {
        Envelope envelope;
        try
        {
            envelope = Envelope.Parser.ParseFrom(regular.Payload);
        }
        catch (InvalidProtocolBufferException)
        {
            LogUnreadable(_logger, _support.ChannelId, offset);
            return;
        }
        var isConfig = regular.Class == KafkaMessageRegular.Types.Class.Config;
        var resubmitted = regular.OriginalOffset != 0;
        if (resubmitted && regular.OriginalOffset <= _offsets.LastOriginalOffsetProcessed)
        {
            return; // another orderer's copy of a message already processed
        }
        if (regular.ConfigSeq < _support.State.Sequence)
        {
            // As Fabric: the copy's original offset is where this message was read, even when it is itself a copy
            // (stale again after another config). Keeping the first original offset lost it once a later message's
            // copy, with a higher original offset, was ordered first.
            Repost(envelope, isConfig, offset);
            return;
        }
        var newOriginalOffset = resubmitted ? regular.OriginalOffset : _offsets.LastOriginalOffsetProcessed;
        if (isConfig)
        {
            CommitConfig(envelope, offset, newOriginalOffset);
        }
        else
        {
            CommitNormal(envelope, offset, newOriginalOffset);
        }
    }

    /// <summary>Re-validates a stale message and posts it again with its original offset (every orderer does; copies after the first are dropped).</summary>
    private void Repost(Envelope envelope, bool isConfig, long originalOffset)
    {
        Envelope revalidated;
        ulong sequence;
        try
        {
            if (isConfig)
            {
                revalidated = _support.RevalidateConfig(envelope);
                sequence = _support.State.Sequence;
            }
            else
            {
                sequence = _support.Revalidate(envelope);
                revalidated = envelope;
            }
        }
        catch (MessageRejectedException ex)
        {
            LogDiscarded(_logger, _support.ChannelId, originalOffset, ex.Message);
            return;
        }
        if (isConfig)
        {
            _offsets = _offsets with { LastResubmittedConfigOffset = originalOffset };
            HoldIngress();
        }
        var message = Regular(revalidated, sequence, isConfig ? KafkaMessageRegular.Types.Class.Config : KafkaMessageRegular.Types.Class.Normal, originalOffset);
        PostAsync(message, _stopping.Token).AsTask().GetAwaiter().GetResult();
    }

    private void CommitNormal(Envelope envelope, long offset, long newOriginalOffset)
    {
        var batches = _support.Cutter.Ordered(envelope);
        var pending = _support.Cutter.HasPending;
        if (batches.Count == 0)
        {
            _offsets = _offsets with { LastOriginalOffsetProcessed = newOriginalOffset };
            StartTimerIfStopped();
            return;
        }
        var persisted = pending || batches.Count == 2 ? offset - 1 : offset;
        if (!(pending || batches.Count == 2))
        {
            _offsets = _offsets with { LastOriginalOffsetProcessed = newOriginalOffset };
        }
        _offsets = _offsets with { LastOffsetPersisted = persisted };
        WriteBlock(batches[0]);
        if (batches.Count == 2)
        {
            _offsets = _offsets with { LastOffsetPersisted = offset, LastOriginalOffsetProcessed = newOriginalOffset };
            WriteBlock(batches[1]);
        }
        else if (pending)
        {
            // The message waits in the next batch: the block just written must not claim it, but a later copy of
            // a re-posted message must still be recognised as processed (a restart replays it from the log).
            _offsets = _offsets with { LastOriginalOffsetProcessed = newOriginalOffset };
        }
        // A cut clears the timer (it was for the block just cut); a message left pending starts one for the next block.
        StopTimer();
        if (pending)
        {
            StartTimerIfStopped();
        }
    }

    private void CommitConfig(Envelope envelope, long offset, long newOriginalOffset)
    {
        var pending = _support.Cutter.Cut();
        if (pending.Count > 0)
        {
            _offsets = _offsets with { LastOffsetPersisted = offset - 1 };
            WriteBlock(pending);
        }
        _offsets = _offsets with { LastOffsetPersisted = offset, LastOriginalOffsetProcessed = newOriginalOffset };
        _lastCutBlock++;
        _support.WriteConfigBlock(_support.CreateNextBlock([envelope]), _offsets.ToMetadata());
        StopTimer();
        if (_offsets.LastOriginalOffsetProcessed >= _offsets.LastResubmittedConfigOffset)
        {
            ReleaseIngress();
        }
    }

    private void WriteBlock(IReadOnlyList<Envelope> batch)
    {
        _lastCutBlock++;
        _support.WriteBlock(_support.CreateNextBlock(batch), _offsets.ToMetadata());
    }

    private void StartTimerIfStopped()
    {
        lock (_timerLock)
        {
            if (_timer is not null)
            {
                return;
            }
            var blockNumber = _lastCutBlock + 1;
            _timer = _time.CreateTimer(_ => _ = PostTimeToCutAsync(blockNumber), null, _support.State.Batch.BatchTimeout, Timeout.InfiniteTimeSpan);
        }
    }

    private void StopTimer()
    {
        lock (_timerLock)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }

    private async Task PostTimeToCutAsync(ulong blockNumber)
    {
        try
        {
            await PostAsync(new KafkaMessage { TimeToCut = new KafkaMessageTimeToCut { BlockNumber = blockNumber } }, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MessageRejectedException or OperationCanceledException or ObjectDisposedException)
        {
            LogTimeToCutFailed(_logger, _support.ChannelId, ex.Message);
        }
    }

    private async ValueTask PostAsync(KafkaMessage message, CancellationToken cancellationToken)
    {
        var producer = _producer ?? throw new MessageRejectedException(Status.ServiceUnavailable, $"channel '{_support.ChannelId}' is not started");
        if (_stopping.IsCancellationRequested)
        {
            // Producing through a disposed librdkafka producer crashes the process.
            throw new MessageRejectedException(Status.ServiceUnavailable, $"channel '{_support.ChannelId}' is shutting down");
        }
        try
        {
            await producer.ProduceAsync(_partition, new Message<Null, byte[]> { Value = message.ToByteArray() }, cancellationToken).ConfigureAwait(false);
        }
        catch (ProduceException<Null, byte[]> ex)
        {
            throw new MessageRejectedException(Status.ServiceUnavailable, $"posting to Kafka topic '{_partition.Topic}' failed: {ex.Error.Reason}");
        }
        catch (KafkaException ex)
        {
            throw new MessageRejectedException(Status.ServiceUnavailable, $"posting to Kafka topic '{_partition.Topic}' failed: {ex.Error.Reason}");
        }
    }

    private async ValueTask WaitForIngressAsync(CancellationToken cancellationToken)
    {
        if (_fault is { } fault)
        {
            throw new MessageRejectedException(Status.ServiceUnavailable, $"channel '{_support.ChannelId}' is not ready: {fault}");
        }
        if (_ingressHeld is { } held)
        {
            await held.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void HoldIngress() => _ingressHeld ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    private void ReleaseIngress()
    {
        var held = _ingressHeld;
        _ingressHeld = null;
        held?.TrySetResult();
    }

    /// <summary>Makes sure the channel's topic exists (one partition); creating it where the brokers allow.</summary>
    private void EnsureTopic()
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _brokers }).Build();
        var deadline = _time.GetUtcNow() + _settings.StartupTimeout;
        while (true)
        {
            _stopping.Token.ThrowIfCancellationRequested();
            try
            {
                var metadata = admin.GetMetadata(_partition.Topic, TimeSpan.FromSeconds(10));
                var topic = metadata.Topics.FirstOrDefault(t => t.Topic == _partition.Topic);
                if (topic is { Error.IsError: false } && topic.Partitions.Count > 0)
                {
                    return;
                }
                admin.CreateTopicsAsync([new TopicSpecification
                {
                    Name = _partition.Topic,
                    NumPartitions = 1,
                    ReplicationFactor = (short)_settings.ReplicationFactor,
                    Configs = new Dictionary<string, string>
                    {
                        ["unclean.leader.election.enable"] = "false",
                        ["retention.ms"] = "-1",
                        ["min.insync.replicas"] = _settings.ReplicationFactor >= 3 ? "2" : "1",
                    },
                }]).GetAwaiter().GetResult();
                return;
            }
            catch (CreateTopicsException ex) when (ex.Results.All(r => r.Error.Code == ErrorCode.TopicAlreadyExists))
            {
                return;
            }
            catch (KafkaException ex)
            {
                SetFault($"Kafka topic '{_partition.Topic}' is not available: {ex.Error.Reason}");
                if (_time.GetUtcNow() > deadline)
                {
                    throw;
                }
            }
            _stopping.Token.WaitHandle.WaitOne(ConnectRetryInterval);
        }
    }

    /// <summary>Posts CONNECT until the brokers acknowledge it (Fabric retries for a long time at start).</summary>
    private void PostConnect(CancellationToken token)
    {
        var deadline = _time.GetUtcNow() + _settings.StartupTimeout;
        while (true)
        {
            try
            {
                PostAsync(new KafkaMessage { Connect = new KafkaMessageConnect() }, token).AsTask().GetAwaiter().GetResult();
                return;
            }
            catch (MessageRejectedException ex)
            {
                SetFault($"cannot post CONNECT: {ex.Message}");
                if (_time.GetUtcNow() > deadline)
                {
                    throw;
                }
            }
            token.WaitHandle.WaitOne(ConnectRetryInterval);
            token.ThrowIfCancellationRequested();
        }
    }

    private async Task ProbeAsync()
    {
        try
        {
            await PostAsync(new KafkaMessage { Connect = new KafkaMessageConnect() }, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MessageRejectedException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private void OnClientError(string client, Error error)
    {
        if (error.IsFatal || error.Code == ErrorCode.Local_AllBrokersDown)
        {
            SetFault($"Kafka {client}: {error.Reason}");
            // Consuming this probe once the brokers are back clears the fault.
            _ = ProbeAsync();
        }
        LogClientError(_logger, _support.ChannelId, client, error.Reason);
    }

    private void SetFault(string reason)
    {
        _fault = reason;
    }

    private long ConsumerLag()
    {
        var consumer = _consumer;
        var consumed = Interlocked.Read(ref _consumedOffset);
        if (consumer is null)
        {
            return 0;
        }
        try
        {
            var high = consumer.GetWatermarkOffsets(_partition).High;
            return high == Offset.Unset ? 0 : Math.Max(0, high.Value - (consumed + 1));
        }
        catch (Exception ex) when (ex is KafkaException or ObjectDisposedException or InvalidOperationException)
        {
            return 0;
        }
    }

    private static KafkaMessage Regular(Envelope envelope, ulong configSequence, KafkaMessageRegular.Types.Class messageClass, long originalOffset) => new()
    {
        Regular = new KafkaMessageRegular
        {
            Payload = envelope.ToByteString(),
            ConfigSeq = configSequence,
            Class = messageClass,
            OriginalOffset = originalOffset,
        },
    };

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Channel {ChannelId}: consuming its Kafka topic from offset {Offset} (last block {LastBlock})")]
    private static partial void LogStarted(ILogger logger, string channelId, long offset, ulong lastBlock);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Critical, Message = "Channel {ChannelId}: the Kafka chain stopped")]
    private static partial void LogChainFailed(ILogger logger, Exception exception, string channelId);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Warning, Message = "Channel {ChannelId}: skipping an unreadable Kafka message at offset {Offset}")]
    private static partial void LogUnreadable(ILogger logger, string channelId, long offset);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Warning, Message = "Channel {ChannelId}: discarding the message first posted at offset {Offset}, no longer valid under the new config: {Reason}")]
    private static partial void LogDiscarded(ILogger logger, string channelId, long offset, string reason);

    [LoggerMessage(EventId = 2105, Level = LogLevel.Warning, Message = "Channel {ChannelId}: posting TIME_TO_CUT failed: {Reason}")]
    private static partial void LogTimeToCutFailed(ILogger logger, string channelId, string reason);

    [LoggerMessage(EventId = 2107, Level = LogLevel.Debug, Message = "Channel {ChannelId}: librdkafka {Client}: {Text}")]
    private static partial void LogClientMessage(ILogger logger, string channelId, string client, string text);

    [LoggerMessage(EventId = 2106, Level = LogLevel.Debug, Message = "Channel {ChannelId}: Kafka {Client} reported: {Reason}")]
    private static partial void LogClientError(ILogger logger, string channelId, string client, string reason);
}
