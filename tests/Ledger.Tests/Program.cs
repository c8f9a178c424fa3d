using ZonCoin.Ledger.Tests.State;

namespace ZonCoin.Ledger.Tests;

/// <summary>
/// The test assembly's entry point (the test SDK's generated one is turned off): lets tests start this assembly as a
/// child process that they kill at a chosen moment (<c>dotnet ZonCoin.Ledger.Tests.dll COMMAND ARGS</c>).
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        if (args is [SqliteCrashHelper.Command, var path])
        {
            return SqliteCrashHelper.Run(path);
        }
        Console.Error.WriteLine($"usage: dotnet ZonCoin.Ledger.Tests.dll {SqliteCrashHelper.Command} PATH (a helper for the tests; run the tests with dotnet test)");
        return 2;
    }
}
