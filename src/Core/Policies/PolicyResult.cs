namespace ZonCoin.Core.Policies;

/// <summary>The outcome of evaluating a policy: satisfied, or not with a human-readable reason.</summary>
public readonly record struct PolicyResult
{
    private PolicyResult(bool isSatisfied, string? reason)
    {
        IsSatisfied = isSatisfied;
        Reason = reason;
    }

    /// <summary>A satisfied result.</summary>
    public static PolicyResult Satisfied { get; } = new(true, null);

    /// <summary>True when the signature set satisfied the policy.</summary>
    public bool IsSatisfied { get; }

    /// <summary>Why the policy was not satisfied; null when it was.</summary>
    public string? Reason { get; }

    /// <summary>An unsatisfied result with the reason.</summary>
    public static PolicyResult Unsatisfied(string reason)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        return new PolicyResult(false, reason);
    }

    public override string ToString() => IsSatisfied ? "satisfied" : $"not satisfied: {Reason}";
}
