namespace ZonCoin.Core.Policies;

/// <summary>
/// A policy that cannot be used: malformed policy text, an invalid signature policy envelope, an unsupported
/// policy type, or a policy path that does not exist.
/// </summary>
public sealed class PolicyException : Exception
{
    public PolicyException(string message) : base(message) { }

    public PolicyException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates an exception for policy text, remembering the zero-based offset of the error.</summary>
    public PolicyException(string message, int position) : base(message)
    {
        Position = position;
    }

    /// <summary>The zero-based offset into the policy text where parsing failed, when the error came from text.</summary>
    public int? Position { get; }
}
