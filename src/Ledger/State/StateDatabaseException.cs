namespace ZonCoin.Ledger.State;

/// <summary>
/// A state database failure: a block applied out of order (at or below the savepoint), a database that is
/// already open, was written by a newer schema or is not a state database, or an error from the database engine.
/// </summary>
public sealed class StateDatabaseException : Exception
{
    /// <summary>Creates an exception with a message.</summary>
    public StateDatabaseException(string message) : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the failure that caused it.</summary>
    public StateDatabaseException(string message, Exception inner) : base(message, inner)
    {
    }

    /// <summary>Creates an exception with no message.</summary>
    public StateDatabaseException() : base("The state database failed.")
    {
    }

    /// <summary>The savepoint when a block was refused for being at or below it.</summary>
    public Version? Savepoint { get; init; }

    internal static StateDatabaseException AlreadyApplied(ulong blockNumber, Version savepoint) =>
        new($"Block {blockNumber} was already applied to the state database (savepoint {savepoint}): apply only blocks after the savepoint; on start replay from block {savepoint.BlockNumber + 1}.")
        {
            Savepoint = savepoint,
        };
}
