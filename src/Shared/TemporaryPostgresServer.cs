using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace ZonCoin.Shared;

// One source file compiled into the CLI (zoncoin bench commit) and linked into the test projects that need a real
// PostgreSQL server (their PostgresServer fixture wraps it), so the start/stop logic exists once.

/// <summary>
/// A throwaway PostgreSQL 15 server (for the tests and <c>zoncoin bench commit --state postgres</c>), started from
/// the installed binaries (<c>/usr/lib/postgresql/15/bin</c>, or the directory in <c>ZONCOIN_PG_BIN</c>): <c>initdb</c> in a temp directory, <c>pg_ctl start</c> on a free
/// 127.0.0.1 port with trust authentication and its unix socket inside the temp directory; stopped
/// (<c>pg_ctl stop -m fast</c>) and deleted on dispose. PostgreSQL refuses to run as root, so when run as
/// root the server runs as the <c>postgres</c> user (through <c>runuser</c>). Users isolate their data by using
/// their own channels (schemas). Missing binaries are an error (tests fail; they are not skipped).
/// </summary>
internal sealed class TemporaryPostgresServer : IDisposable
{
    private const string DefaultBin = "/usr/lib/postgresql/15/bin";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);

    private readonly string _bin;
    private readonly string _root;
    private readonly string _data;
    private readonly bool _asPostgresUser;
    private readonly bool _persistent;
    private bool _started;

    public TemporaryPostgresServer()
        : this(Path.Combine(Path.GetTempPath(), "zoncoin-pg-" + Guid.NewGuid().ToString("N")[..12]), port: null, persistent: false)
    {
    }

    private TemporaryPostgresServer(string root, int? port, bool persistent)
    {
        _bin = Environment.GetEnvironmentVariable("ZONCOIN_PG_BIN") is { Length: > 0 } bin ? bin : DefaultBin;
        if (!File.Exists(Path.Combine(_bin, "initdb")) || !File.Exists(Path.Combine(_bin, "pg_ctl")))
        {
            throw new InvalidOperationException(
                $"A throwaway PostgreSQL server needs the PostgreSQL 15 server binaries (initdb, pg_ctl) in {_bin}: install the postgresql-15 package (apt-get install postgresql-15) or set ZONCOIN_PG_BIN to their directory.");
        }
        _asPostgresUser = Environment.UserName == "root";
        _persistent = persistent;
        _root = root;
        _data = Path.Combine(_root, "data");
        Directory.CreateDirectory(_root);
        try
        {
            if (_asPostgresUser)
            {
                Run("chown", ["postgres:postgres", _root], asPostgres: false);
            }
            Port = port ?? FreePort();
            if (!File.Exists(Path.Combine(_data, "PG_VERSION")))
            {
                Run(Path.Combine(_bin, "initdb"), ["-D", _data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-instructions"], asPostgres: _asPostgresUser);
            }
            // pg_ctl passes -o to the server through a shell; the folder's path must have no spaces or quotes.
            var serverOptions = $"-p {Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={_root} -c max_connections=200 -c fsync=on";
            _started = true;
            var log = Path.Combine(_root, "server.log");
            try
            {
                Run(Path.Combine(_bin, "pg_ctl"), ["start", "-D", _data, "-w", "-t", "60", "-l", log, "-o", serverOptions], asPostgres: _asPostgresUser);
            }
            catch (InvalidOperationException ex) when (File.Exists(log))
            {
                throw new InvalidOperationException($"{ex.Message}\nserver log:\n{File.ReadAllText(log)}", ex);
            }
        }
        catch when (!persistent)
        {
            Dispose();
            throw;
        }
        ConnectionString = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = "postgres",
            Database = "postgres",
        }.ToString();
    }

    /// <summary>
    /// Starts a server kept in <paramref name="root"/> on <paramref name="port"/> (initialised there on first use) that
    /// outlives this object and the process: disposing it does nothing; <see cref="StopAt"/> stops it.
    /// </summary>
    public static TemporaryPostgresServer StartPersistent(string root, int port) => new(Path.GetFullPath(root), port, persistent: true);

    /// <summary>Stops the persistent server of <paramref name="root"/> (pg_ctl stop -m fast) if it runs; its files stay.</summary>
    public static void StopAt(string root)
    {
        var data = Path.Combine(root, "data");
        if (RunningPid(root) is null)
        {
            return;
        }
        var bin = Environment.GetEnvironmentVariable("ZONCOIN_PG_BIN") is { Length: > 0 } b ? b : DefaultBin;
        Run(Path.Combine(bin, "pg_ctl"), ["stop", "-D", data, "-m", "fast", "-w"], asPostgres: Environment.UserName == "root");
    }

    /// <summary>The postmaster's process id of the server kept in <paramref name="root"/>, or null when it does not run.</summary>
    public static int? RunningPid(string root)
    {
        var file = Path.Combine(root, "data", "postmaster.pid");
        if (!File.Exists(file))
        {
            return null;
        }
        var first = File.ReadLines(file).FirstOrDefault();
        return int.TryParse(first, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid)
            && Directory.Exists($"/proc/{pid}") ? pid : null;
    }

    /// <summary>Creates database <paramref name="name"/> unless it exists, through <paramref name="connectionString"/> (a superuser's).</summary>
    public static void EnsureDatabase(string connectionString, string name)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using (var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection))
        {
            exists.Parameters.AddWithValue("name", name);
            if (exists.ExecuteScalar() is not null)
            {
                return;
            }
        }
        using var create = new NpgsqlCommand($"CREATE DATABASE \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
        create.ExecuteNonQuery();
    }

    /// <summary>A connection string to database <paramref name="database"/> of the server on 127.0.0.1:<paramref name="port"/> as the superuser.</summary>
    public static string ConnectionStringFor(int port, string database) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = port, Username = "postgres", Database = database }.ToString();

    /// <summary>The server's TCP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>A connection string to the <c>postgres</c> database as the superuser.</summary>
    public string ConnectionString { get; } = "";

    public void Dispose()
    {
        if (_persistent)
        {
            return;
        }
        if (_started)
        {
            _started = false;
            try
            {
                Run(Path.Combine(_bin, "pg_ctl"), ["stop", "-D", _data, "-m", "fast", "-w"], asPostgres: _asPostgresUser);
            }
            catch (InvalidOperationException)
            {
                // Best effort: the server may not have started.
            }
        }
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Runs a program (as the postgres user through runuser when asked) and throws with its output if it fails.</summary>
    private static void Run(string program, IReadOnlyList<string> arguments, bool asPostgres)
    {
        var start = new ProcessStartInfo(asPostgres ? "runuser" : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asPostgres)
        {
            foreach (var a in (string[])["-u", "postgres", "--", program])
            {
                start.ArgumentList.Add(a);
            }
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(CommandTimeout))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{start.FileName} {string.Join(' ', start.ArgumentList)} did not finish in {CommandTimeout}.");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{start.FileName} {string.Join(' ', start.ArgumentList)} exited with {process.ExitCode}: {stdout.GetAwaiter().GetResult()}{stderr.GetAwaiter().GetResult()}");
        }
    }
}
