using System.Text;
using ZonCoin.Ledger.History;
using ZonCoin.Ledger.State;
using ZonCoin.Ledger.State.Sqlite;
using Version = ZonCoin.Ledger.State.Version;

namespace ZonCoin.Ledger.Tests.State;

/// <summary>
/// Runs in a child process (<c>dotnet ZonCoin.Ledger.Tests.dll sqlite-crash PATH</c>): applies blocks 1-3, then
/// starts block 4 and, with its transaction half written (and spilled to the WAL by a tiny page cache), prints
/// "paused" and waits for the test to kill it. If its standard input closes instead it exits without committing.
/// </summary>
internal static class SqliteCrashHelper
{
    public const string Command = "sqlite-crash";
    public const int KeysPerBlock = 100;
    public const int KeysInTornBlock = 5000;

    public static int Run(string path)
    {
        var hook = new OneShotWriteHook();
        using var db = SqliteStateDatabase.Open(path, new SqliteStateDatabaseOptions { WriterCacheKiB = 64, WriteHook = hook });
        for (var block = 1UL; block <= 3; block++)
        {
            db.ApplyBlock(block, Block(block, KeysPerBlock));
        }
        hook.Arm(KeysInTornBlock - 10, () =>
        {
            Console.Out.WriteLine("paused");
            Console.Out.Flush();
            Console.In.ReadLine();
            Environment.Exit(3);
        });
        db.ApplyBlock(4, Block(4, KeysInTornBlock));
        Console.Out.WriteLine("committed block 4 (unexpected)");
        return 1;
    }

    /// <summary>Keys k0000.. = "b{block}" plus 200 bytes, with history.</summary>
    public static UpdateBatch Block(ulong block, int keys)
    {
        var batch = new UpdateBatch();
        var padding = new string('x', 200);
        for (var i = 0; i < keys; i++)
        {
            var key = $"k{i:D4}";
            var value = Encoding.UTF8.GetBytes($"b{block}{padding}");
            batch.Put("token", key, value, new Version(block, (ulong)i));
            batch.AddHistory("token", key, new HistoryEntry($"tx-{block}-{i}", block, (ulong)i, value, false, DateTimeOffset.UnixEpoch));
        }
        return batch;
    }
}
