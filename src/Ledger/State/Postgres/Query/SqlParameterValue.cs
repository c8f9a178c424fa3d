namespace ZonCoin.Ledger.State.Postgres.Query;

/// <summary>
/// One parameter of a translated query. <paramref name="Name"/> is the placeholder without the <c>@</c>
/// (the SQL text references it as <c>@Name</c>, Npgsql's named style); <paramref name="PgType"/> is the
/// PostgreSQL type to bind it as (<c>text</c>, <c>text[]</c>, <c>jsonb</c>, <c>jsonb[]</c>, <c>bytea</c>,
/// <c>bytea[]</c>, <c>integer</c>, <c>bigint</c>). The SQL also casts every placeholder to that type, so binding the CLR value untyped works too.
/// Values: <c>text</c> and <c>jsonb</c> are <see cref="string"/> (jsonb as JSON text), <c>text[]</c> and
/// <c>jsonb[]</c> are <see cref="T:string[]"/>, <c>bytea</c> is <see cref="T:byte[]"/> (a key's UTF-8 bytes),
/// <c>bytea[]</c> is <see cref="T:byte[][]"/>, <c>integer</c> is <see cref="int"/>, <c>bigint</c> is <see cref="long"/>.
/// </summary>
public sealed record SqlParameterValue(string Name, object Value, string PgType);
