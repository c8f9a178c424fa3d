using System.Runtime.CompilerServices;
using ZonCoin.Ledger.State;

namespace ZonCoin.Ledger.Tests.State;

/// <summary>
/// A state database's <see cref="IStateWriteHook"/> that tests arm: the next block write runs the armed action
/// once, inside its open transaction, when at least the armed number of rows were written (or just before the
/// savepoint, if the block has fewer rows).
/// </summary>
internal sealed class OneShotWriteHook : IStateWriteHook
{
    private Armed? _armed;

    public void Arm(int afterWrites, Action action) => Volatile.Write(ref _armed, new Armed(afterWrites, action));

    public void RowsWritten(ulong blockNumber, int rowsWritten, bool beforeSavepoint)
    {
        if (Volatile.Read(ref _armed) is { } armed && (beforeSavepoint || rowsWritten >= armed.AfterWrites))
        {
            Volatile.Write(ref _armed, null);
            armed.Action();
        }
    }

    private sealed record Armed(int AfterWrites, Action Action);
}

/// <summary>The hooks of the databases a test factory opened, one each, armed through the database.</summary>
internal sealed class OneShotWriteHooks
{
    private readonly ConditionalWeakTable<IStateDatabase, OneShotWriteHook> _hooks = [];

    /// <summary>Opens a database with a new hook of its own.</summary>
    public TDatabase Open<TDatabase>(Func<IStateWriteHook, TDatabase> open)
        where TDatabase : IStateDatabase
    {
        var hook = new OneShotWriteHook();
        var database = open(hook);
        _hooks.Add(database, hook);
        return database;
    }

    /// <summary>Arms the hook of <paramref name="database"/> (see <see cref="OneShotWriteHook.Arm"/>).</summary>
    public void Arm(IStateDatabase database, int afterWrites, Action action)
    {
        if (!_hooks.TryGetValue(database, out var hook))
        {
            throw new InvalidOperationException("the database was not opened by this factory");
        }
        hook.Arm(afterWrites, action);
    }
}
