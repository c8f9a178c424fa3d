namespace ZonCoin.Ledger.State.Postgres.Query;

/// <summary>
/// A rich query (CouchDB Mango JSON, as chaincode passes to <c>GetQueryResult</c>) that cannot be translated:
/// malformed JSON, a missing or non-object selector, an unsupported operator, a bad operand, sort, limit, skip,
/// fields or bookmark. The message names the operator or option and the field path where it was found.
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
