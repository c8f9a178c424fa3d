using ZonCoin.Cli.Network;

namespace ZonCoin.Cli.Tests;

public sealed class ServiceCommandsTests : IDisposable
{
    private readonly string _cli = Directory.CreateTempSubdirectory("zoncoin-cli-").FullName;

    public void Dispose() => Directory.Delete(_cli, recursive: true);

    [Fact]
    public void A_service_without_a_native_build_runs_its_dll_with_dotnet()
    {
        var command = ServiceCommands.CommandLine(ServiceCommands.PeerDll, ["--listen", "127.0.0.1:7051"], _cli);

        Assert.Equal(["dotnet", Path.Combine(_cli, "zoncoin-peer.dll"), "--listen", "127.0.0.1:7051"], command);
        Assert.Equal(Path.Combine(_cli, "zoncoin-peer.dll"), ServiceCommands.Program(command));
    }

    [Fact]
    public void A_service_compiled_natively_runs_its_executable_from_native_name()
    {
        var native = Path.Combine(_cli, "native", "zoncoin-peer", "zoncoin-peer");
        Directory.CreateDirectory(Path.GetDirectoryName(native)!);
        File.WriteAllBytes(native, []);

        var command = ServiceCommands.CommandLine(ServiceCommands.PeerDll, ["--listen", "127.0.0.1:7051"], _cli);

        Assert.Equal([native, "--listen", "127.0.0.1:7051"], command);
        Assert.Equal(native, ServiceCommands.Program(command));
        // Only the service that has a native build: the orderer still runs from its DLL.
        Assert.Equal("dotnet", ServiceCommands.CommandLine(ServiceCommands.OrdererDll, [], _cli)[0]);
    }

    [Fact]
    public void A_chaincode_dll_given_by_full_path_looks_for_its_native_build_beside_the_cli()
    {
        var dll = Path.Combine(_cli, "build", "basic", "ZonCoin.Chaincode.Sample.dll");

        Assert.Equal(["dotnet", dll], ServiceCommands.CommandLine(dll, [], _cli));
    }
}
