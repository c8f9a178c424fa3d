namespace ZonCoin.Ledger.State;

/// <summary>
/// One field of a <see cref="StateIndexDefinition"/>: its Mango name (dotted path, <c>\.</c> a literal dot) and
/// the direction the definition gives it.
/// </summary>
public sealed record StateIndexField(string Name, bool Descending);
