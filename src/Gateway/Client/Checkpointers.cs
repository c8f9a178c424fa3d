using System.Text.Json;
using System.Text.Json.Serialization;

namespace ZonCoin.Gateway.Client;

/// <summary>
/// Remembers how far an event consumer got, so that a new stream resumes after the last processed event
/// (Fabric's <c>Checkpointer</c>).
/// </summary>
public interface ICheckpointer
{
    /// <summary>The block to resume from, or null when nothing was checkpointed.</summary>
    ulong? BlockNumber { get; }

    /// <summary>The last processed transaction in <see cref="BlockNumber"/>, or null to take the whole block.</summary>
    string? TransactionId { get; }

    /// <summary>Block <paramref name="blockNumber"/> is fully processed: resume from the next block.</summary>
    Task CheckpointBlockAsync(ulong blockNumber, CancellationToken cancellationToken = default);

    /// <summary>Transaction <paramref name="transactionId"/> in block <paramref name="blockNumber"/> is processed: resume after it.</summary>
    Task CheckpointTransactionAsync(ulong blockNumber, string transactionId, CancellationToken cancellationToken = default);

    /// <summary>The event is processed: resume after its transaction.</summary>
    Task CheckpointChaincodeEventAsync(ChaincodeEvent chaincodeEvent, CancellationToken cancellationToken = default);
}

/// <summary>A checkpointer in memory, for the life of the process.</summary>
public sealed class InMemoryCheckpointer : ICheckpointer
{
    private readonly Lock _lock = new();
    private (ulong? Block, string? TransactionId) _position;

    /// <inheritdoc />
    public ulong? BlockNumber
    {
        get
        {
            lock (_lock)
            {
                return _position.Block;
            }
        }
    }

    /// <inheritdoc />
    public string? TransactionId
    {
        get
        {
            lock (_lock)
            {
                return _position.TransactionId;
            }
        }
    }

    /// <inheritdoc />
    public Task CheckpointBlockAsync(ulong blockNumber, CancellationToken cancellationToken = default)
    {
        Set(blockNumber + 1, null);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task CheckpointTransactionAsync(ulong blockNumber, string transactionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transactionId);
        Set(blockNumber, transactionId);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task CheckpointChaincodeEventAsync(ChaincodeEvent chaincodeEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chaincodeEvent);
        return CheckpointTransactionAsync(chaincodeEvent.BlockNumber, chaincodeEvent.TransactionId, cancellationToken);
    }

    private void Set(ulong block, string? transactionId)
    {
        lock (_lock)
        {
            _position = (block, transactionId);
        }
    }
}

/// <summary>
/// A checkpointer kept in a JSON file (<c>{"blockNumber":N,"transactionId":"..."}</c>) that survives restarts.
/// Each checkpoint replaces the file atomically: a temporary file is written, flushed to disk, then renamed.
/// </summary>
public sealed class FileCheckpointer : ICheckpointer, IDisposable
{
    private readonly SemaphoreSlim _write = new(1, 1);
    private volatile State _state;

    private FileCheckpointer(string path, State state)
    {
        Path = path;
        _state = state;
    }

    /// <summary>The checkpoint file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public ulong? BlockNumber => _state.BlockNumber;

    /// <inheritdoc />
    public string? TransactionId => _state.TransactionId;

    /// <summary>
    /// Opens the checkpoint file at <paramref name="path"/>, creating it (empty checkpoint) when missing. A file
    /// that is not a checkpoint throws <see cref="InvalidDataException"/>.
    /// </summary>
    public static async Task<FileCheckpointer> OpenAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = System.IO.Path.GetFullPath(path);
        State state;
        if (File.Exists(fullPath))
        {
            var text = await File.ReadAllTextAsync(fullPath, cancellationToken).ConfigureAwait(false);
            state = Parse(fullPath, text);
        }
        else
        {
            state = new State(null, null);
        }
        var checkpointer = new FileCheckpointer(fullPath, state);
        await checkpointer.SaveAsync(state, cancellationToken).ConfigureAwait(false);
        return checkpointer;
    }

    /// <summary>Releases the write lock; the file stays.</summary>
    public void Dispose() => _write.Dispose();

    /// <inheritdoc />
    public Task CheckpointBlockAsync(ulong blockNumber, CancellationToken cancellationToken = default) =>
        SaveAsync(new State(blockNumber + 1, null), cancellationToken);

    /// <inheritdoc />
    public Task CheckpointTransactionAsync(ulong blockNumber, string transactionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transactionId);
        return SaveAsync(new State(blockNumber, transactionId), cancellationToken);
    }

    /// <inheritdoc />
    public Task CheckpointChaincodeEventAsync(ChaincodeEvent chaincodeEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chaincodeEvent);
        return CheckpointTransactionAsync(chaincodeEvent.BlockNumber, chaincodeEvent.TransactionId, cancellationToken);
    }

    private async Task SaveAsync(State state, CancellationToken cancellationToken)
    {
        await _write.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var directory = System.IO.Path.GetDirectoryName(Path)!;
            Directory.CreateDirectory(directory);
            var temporary = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(Path)}.{Guid.NewGuid():N}.tmp");
            try
            {
                var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous);
                await using (stream.ConfigureAwait(false))
                {
                    await JsonSerializer.SerializeAsync(stream, state, CheckpointJson.Default.State, cancellationToken).ConfigureAwait(false);
                    await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                    stream.Flush(flushToDisk: true);
                }
                File.Move(temporary, Path, overwrite: true);
            }
            finally
            {
                File.Delete(temporary);
            }
            _state = state;
        }
        finally
        {
            _write.Release();
        }
    }

    private static State Parse(string path, string text)
    {
        State? state;
        try
        {
            state = JsonSerializer.Deserialize(text, CheckpointJson.Default.State);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"checkpoint file '{path}' is corrupt: {ex.Message}", ex);
        }
        if (state is null)
        {
            throw new InvalidDataException($"checkpoint file '{path}' is corrupt: it holds no checkpoint object");
        }
        if (state.BlockNumber is null && state.TransactionId is not null)
        {
            throw new InvalidDataException($"checkpoint file '{path}' is corrupt: transactionId without blockNumber");
        }
        return state;
    }

    internal sealed record State(ulong? BlockNumber, string? TransactionId);
}

/// <summary>The file checkpointer's JSON, generated at build time.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(FileCheckpointer.State))]
internal sealed partial class CheckpointJson : JsonSerializerContext;
