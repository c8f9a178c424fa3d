using System.CommandLine;
using System.Globalization;
using ZonCoin.Cli.Bench;
using ZonCoin.Ledger.Blocks;
using ZonCoin.Ledger.State;
using ZonCoin.Peer.LedgerTools;

namespace ZonCoin.Cli.Commands;

/// <summary>
/// <c>zoncoin ledger verify|rebuild</c>: offline tools for a peer's channel ledger (the peer's
/// <see cref="LedgerVerifier"/> and <see cref="LedgerRebuilder"/>); and <c>zoncoin bench commit</c>, the peer's
/// validation and commit throughput.
/// </summary>
internal static class LedgerCommands
{
    /// <summary>Adds <c>ledger</c> to <paramref name="root"/>, and <c>commit</c> to its <c>bench</c> command when present.</summary>
    public static void AddTo(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
        root.Subcommands.Add(Create());
        root.Subcommands.FirstOrDefault(command => command.Name == "bench")?.Subcommands.Add(BenchCommit());
    }

    public static Command Create()
    {
        var verify = new Command("verify", "Check every block of a channel's block store: numbering, hash chain, data hashes, orderer signatures (against the config in force) and stored checksums; names the first bad block")
        {
            DataOption(), ChannelOption(),
        };
        verify.SetAction(parse =>
        {
            var (directory, channelId) = (parse.GetValue<string>("--dir")!, parse.GetValue<string>("--channel")!);
            var exit = 0;
            var code = CommandErrors.Run(() =>
            {
                var result = Guard(() => LedgerVerifier.Verify(directory, channelId));
                if (!result.Recovery.WasClean)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"note: opening the block store repaired it: cut {result.Recovery.TruncatedBytes} bytes from its tail, index rebuilt: {result.Recovery.IndexRebuilt}"));
                }
                if (result.IsValid)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"channel {channelId}: {result.Blocks} blocks verified (0..{result.Blocks - 1}), {result.Transactions} transactions ({result.ValidTransactions} valid), {result.ConfigBlocks} config blocks: OK"));
                }
                else
                {
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"block {result.BadBlock}: {result.Problem}"));
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"channel {channelId}: blocks 0..{(long)result.BadBlock!.Value - 1} verified; block {result.BadBlock} is bad"));
                    exit = 1;
                }
            });
            return code != 0 ? code : exit;
        });

        var rebuild = new Command("rebuild", "Delete a channel's state database and recreate state and history from its blocks (the peer must be stopped)")
        {
            DataOption(), ChannelOption(), StateOption(), PostgresOption("The peer's Peer:PostgresConnectionString (with --state postgres)"),
        };
        rebuild.SetAction(parse =>
        {
            var (directory, channelId) = (parse.GetValue<string>("--dir")!, parse.GetValue<string>("--channel")!);
            var (state, postgres) = (parse.GetValue<string>("--state")!, parse.GetValue<string>("--postgres") ?? "");
            return CommandErrors.Run(() =>
            {
                var result = Guard(() => LedgerRebuilder.Rebuild(directory, channelId, RebuildState(state, postgres)));
                if (result.StoreRepaired)
                {
                    Console.WriteLine("note: opening the block store repaired its tail or index");
                }
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"channel {channelId}: rebuilt {result.State} from {result.Blocks} blocks: {result.Transactions} transactions, {result.ValidTransactions} valid applied, savepoint block {result.Blocks - 1}, in {result.Elapsed.TotalSeconds:F1} s"));
            });
        });
        return new Command("ledger", "Offline tools for a peer's channel ledgers (run them while the peer is stopped)") { verify, rebuild };
    }

    private static Command BenchCommit()
    {
        var txs = new Option<int>("--txs") { Description = "Endorsed transactions to build and commit", DefaultValueFactory = _ => 20_000 };
        var orgs = new Option<int>("--orgs") { Description = "Application organisations; the chaincode's policy needs an endorsement from each", DefaultValueFactory = _ => 2 };
        var blockSize = new Option<int>("--block-size") { Description = "Transactions per block", DefaultValueFactory = _ => 500 };
        txs.Validators.Add(result => Between(result, 1, 10_000_000));
        orgs.Validators.Add(result => Between(result, 1, 32));
        var keys = new Option<int>("--keys") { Description = "Keys loaded into the state before the timed commits (through committed blocks, not timed); the query latencies read them", DefaultValueFactory = _ => 100_000 };
        blockSize.Validators.Add(result => Between(result, 1, 100_000));
        keys.Validators.Add(result => Between(result, 0, 100_000_000));
        var state = StateOption();
        var postgres = PostgresOption("With --state postgres: the PostgreSQL database to use (the benchmark works in a channel schema of its own and drops it); absent, a throwaway PostgreSQL 15 server is started in a temp folder and stopped after");
        var command = new Command("commit", "Build N endorsed transactions and time the peer's validation and commit of their blocks (SQLite or PostgreSQL state) over a preloaded state: tx/s, blocks/s, block commit latency; then point and range read latency")
        {
            txs, orgs, blockSize, keys, state, postgres,
        };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(() =>
            CommitBenchmark.RunAsync(
                new CommitWorkloadSettings(parse.GetValue(orgs), parse.GetValue(txs), parse.GetValue(blockSize)) { PreloadKeys = parse.GetValue(keys) },
                new CommitBenchmarkState(parse.GetValue(state)!, parse.GetValue(postgres)),
                Console.Out,
                cancellationToken)));
        return command;
    }

    private static Option<string> DataOption() =>
        new("--dir") { Description = "The peer's data folder (holding chains/ and state/)", Required = true };

    /// <summary><c>--state sqlite|postgres</c>: the state database the peer is configured with (<c>Peer:StateDatabase</c>).</summary>
    private static Option<string> StateOption()
    {
        var option = new Option<string>("--state") { Description = "The state database: sqlite (the peer's Peer:StateDatabase default) or postgres", DefaultValueFactory = _ => StateDatabaseSettings.Sqlite };
        option.AcceptOnlyFromAmong(StateDatabaseSettings.Sqlite, StateDatabaseSettings.Postgres);
        return option;
    }

    private static Option<string> PostgresOption(string description) =>
        new("--postgres") { Description = description };

    private static Option<string> ChannelOption() =>
        new("--channel") { Description = "The channel ID", Required = true };

    /// <summary>The state database of <c>ledger rebuild</c>; refuses <c>--state postgres</c> without <c>--postgres</c>.</summary>
    private static StateDatabaseSettings RebuildState(string state, string postgresConnectionString)
    {
        if (state == StateDatabaseSettings.Postgres && string.IsNullOrWhiteSpace(postgresConnectionString))
        {
            throw new ArgumentException("--state postgres needs --postgres \"connection string\" (the peer's Peer:PostgresConnectionString)", nameof(postgresConnectionString));
        }
        return new StateDatabaseSettings(state, postgresConnectionString);
    }

    /// <summary>Turns ledger failures into the errors <see cref="CommandErrors"/> reports.</summary>
    private static T Guard<T>(Func<T> body)
    {
        try
        {
            return body();
        }
        catch (Exception ex) when (ex is BlockStoreException or StateDatabaseException)
        {
            throw new InvalidOperationException(ex.Message, ex);
        }
    }

    private static void Between(System.CommandLine.Parsing.OptionResult result, int min, int max)
    {
        if (result.GetValueOrDefault<int>() is var value && (value < min || value > max))
        {
            result.AddError($"{result.Option.Name} must be between {min} and {max}");
        }
    }
}
