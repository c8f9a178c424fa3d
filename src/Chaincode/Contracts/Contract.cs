namespace ZonCoin.Chaincode.Contracts;

/// <summary>
/// A smart contract (fabric-contract-api's <c>Contract</c>). Every public instance method declared by a subclass is a
/// transaction, called by the name <c>"ContractName:Method"</c>, or just <c>"Method"</c> on the default contract
/// (the first one registered). A transaction method may take a <see cref="Context"/> first and a
/// <see cref="CancellationToken"/> last; its other parameters come from the proposal's arguments (strings, numbers,
/// booleans, or JSON for other types). It may return nothing, a value, a <see cref="Task"/> or a <see cref="Task{TResult}"/>:
/// strings and primitives go back as UTF-8 text, <c>byte[]</c> as is, other objects as JSON. A thrown exception becomes
/// a 500 response carrying its message. Mark read-only methods <c>[Transaction(Submit = false)]</c> (or <c>[Evaluate]</c>).
/// </summary>
public abstract class Contract
{
    /// <summary>Creates a contract named <paramref name="name"/>, or after its class when null.</summary>
    /// <param name="name">The contract name used in <c>"Name:Method"</c>.</param>
    protected Contract(string? name = null)
    {
        Name = string.IsNullOrEmpty(name) ? GetType().Name : name;
    }

    /// <summary>The contract name.</summary>
    public string Name { get; }

    /// <summary>Title, version and description published in the metadata; defaults to the name and empty fields.</summary>
    public virtual ContractInfo Info => new(Name, "");

    /// <summary>Runs before every transaction of this contract; throwing rejects the transaction.</summary>
    /// <param name="context">The transaction context.</param>
    public virtual Task BeforeTransactionAsync(Context context) => Task.CompletedTask;

    /// <summary>Runs after every successful transaction of this contract, with its result (or null).</summary>
    /// <param name="context">The transaction context.</param>
    /// <param name="result">What the transaction returned.</param>
    public virtual Task AfterTransactionAsync(Context context, object? result) => Task.CompletedTask;

    /// <summary>Called for a function this contract does not have; the default fails the transaction as Fabric does.</summary>
    /// <param name="context">The transaction context.</param>
    public virtual Task UnknownTransactionAsync(Context context)
    {
        ArgumentNullException.ThrowIfNull(context);
        throw new InvalidOperationException($"You've asked to invoke a function that does not exist: {context.Function}");
    }
}

/// <summary>A contract's <c>info</c> in the metadata.</summary>
/// <param name="Title">A title.</param>
/// <param name="Version">A version string.</param>
public sealed record ContractInfo(string Title, string Version)
{
    /// <summary>A longer description.</summary>
    public string? Description { get; init; }
}
