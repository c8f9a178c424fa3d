namespace ZonCoin.Ledger.State;

/// <summary>
/// An error a chaincode author can fix: a rich query (CouchDB Mango JSON, as chaincode passes to
/// <c>GetQueryResult</c>) that is malformed or unsupported (bad JSON, a missing or non-object selector, an
/// unsupported operator, a bad operand, sort, limit, skip, fields or bookmark, an invalid <c>$regex</c> pattern),
/// a malformed index definition, or a rich query on a state database without rich queries. The message names the
/// problem (the operator or option and the field path where it was found, or the index file). Failures of the
/// database itself are <see cref="StateDatabaseException"/>.
/// </summary>
public sealed class QueryException : Exception
{
    /// <summary>Creates an exception with a message.</summary>
    public QueryException(string message) : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the failure that caused it.</summary>
    public QueryException(string message, Exception inner) : base(message, inner)
    {
    }

    /// <summary>Creates an exception with no message.</summary>
    public QueryException() : base("The rich query is not valid.")
    {
    }
}
