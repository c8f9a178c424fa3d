using Npgsql;
using ZonCoin.Ledger.State;
using ZonCoin.Ledger.State.Postgres;
using ZonCoin.Ledger.Tests.Support;

namespace ZonCoin.Ledger.Tests.State;

/// <summary>
/// PostgreSQL databases as channels <c>PREFIX-name</c> on the shared test server, with a prefix unique to the
/// factory so tests never see each other's data; their schemas are dropped on dispose.
/// </summary>
internal sealed class PostgresStateDatabaseFactory : IStateDatabaseFactory
{
    private readonly HashSet<string> _channels = [];
    private readonly OneShotWriteHooks _hooks = new();

    public PostgresStateDatabaseFactory(PostgresServer server, PostgresStateDatabaseOptions? options = null)
    {
        Server = server;
        Options = options ?? new PostgresStateDatabaseOptions();
        Prefix = PostgresServer.UniqueName("t");
    }

    public PostgresServer Server { get; }

    public PostgresStateDatabaseOptions Options { get; }

    public string Prefix { get; }

    public string ChannelOf(string name) => $"{Prefix}-{name}";

    public IStateDatabase Open(string name) => OpenPostgres(name);

    public PostgresStateDatabase OpenPostgres(string name)
    {
        var channel = ChannelOf(name);
        lock (_channels)
        {
            _channels.Add(channel);
        }
        return _hooks.Open(hook => PostgresStateDatabase.Open(Server.ConnectionString, channel, Options with { WriteHook = hook }));
    }

    public void OnNextApply(IStateDatabase database, int afterWrites, Action action) => _hooks.Arm(database, afterWrites, action);

    public void Dispose()
    {
        using var connection = new NpgsqlConnection(Server.ConnectionString);
        connection.Open();
        foreach (var channel in _channels)
        {
            using var builder = new NpgsqlCommandBuilder();
            using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {builder.QuoteIdentifier(PostgresSchemaName(channel))} CASCADE;", connection);
            command.ExecuteNonQuery();
        }
    }

    /// <summary>The schema of a channel (the rule the database uses).</summary>
    public static string PostgresSchemaName(string channel) => PostgresSchema.SchemaName(channel);
}
