using System.Text.RegularExpressions;

namespace ZonCoin.Ledger.State.Postgres.Query;

/// <summary>How translated SQL names the state table and its own parameters.</summary>
public sealed partial record QueryTranslatorOptions
{
    /// <summary>The alias of the state table (columns <c>key bytea</c>, <c>value bytea</c>, <c>doc jsonb</c>).</summary>
    public string TableAlias { get; init; } = "s";

    /// <summary>
    /// The prefix of the translator's parameter names (<c>q0</c>, <c>q1</c>, ...), so the caller's own parameters
    /// (the namespace, for example) cannot collide with them.
    /// </summary>
    public string ParameterPrefix { get; init; } = "q";

    /// <summary>
    /// The most rows a translated query returns: a larger <c>limit</c> or page size, or none, becomes this
    /// (Fabric's <c>totalQueryLimit</c>). Null for no cap.
    /// </summary>
    public long? MaxLimit { get; init; }

    internal void Validate()
    {
        if (MaxLimit is < 0)
        {
            throw new ArgumentException("MaxLimit must not be negative.", nameof(MaxLimit));
        }

        if (!Identifier().IsMatch(TableAlias))
        {
            throw new ArgumentException($"TableAlias '{TableAlias}' must be a lower-case SQL identifier.", nameof(TableAlias));
        }

        if (!Identifier().IsMatch(ParameterPrefix))
        {
            throw new ArgumentException($"ParameterPrefix '{ParameterPrefix}' must be a lower-case SQL identifier.", nameof(ParameterPrefix));
        }
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,30}$", RegexOptions.CultureInvariant)]
    private static partial Regex Identifier();
}
