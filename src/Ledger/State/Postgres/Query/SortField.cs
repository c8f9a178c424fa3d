namespace ZonCoin.Ledger.State.Postgres.Query;

/// <summary>One entry of a query's <c>sort</c>: a field (<c>_id</c> is the key) and its direction.</summary>
public sealed record SortField(FieldPath Field, bool Descending);
