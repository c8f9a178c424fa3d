namespace ZonCoin.Chaincode.Contracts;

/// <summary>
/// Describes a transaction method. Public methods of a contract are transactions without it; use it to mark a
/// read-only one (<c>Submit = false</c>, tagged EVALUATE in the metadata) or to give it another name.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = true, AllowMultiple = false)]
public class TransactionAttribute : Attribute
{
    /// <summary>True (the default) for a transaction that is submitted to the ledger; false for one that is only evaluated.</summary>
    public bool Submit { get; set; } = true;

    /// <summary>The transaction name, if it differs from the method name.</summary>
    public string? Name { get; set; }
}

/// <summary>Marks a read-only transaction: the same as <c>[Transaction(Submit = false)]</c>.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = true, AllowMultiple = false)]
public sealed class EvaluateAttribute : TransactionAttribute
{
    /// <summary>Creates the attribute.</summary>
    public EvaluateAttribute()
    {
        Submit = false;
    }
}

/// <summary>Keeps a public method of a contract from being a transaction.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = true, AllowMultiple = false)]
public sealed class NonTransactionAttribute : Attribute;
