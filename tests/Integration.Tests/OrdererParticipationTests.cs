using System.Net.Http;
using ZonCoin.Integration.Tests.Support;
using ZonCoin.Protos.Common;

namespace ZonCoin.Integration.Tests;

/// <summary>The channel participation API through <c>zoncoin orderer join|list|remove</c>.</summary>
[Collection(ConsortiumCollectionDefinition.Name)]
public sealed class OrdererParticipationTests
{
    private readonly Consortium _consortium;

    public OrdererParticipationTests(Consortium consortium)
    {
        _consortium = consortium;
    }

    [Fact]
    public async Task Join_list_show_and_remove_channels()
    {
        await using var orderer = await OrdererNode.StartAsync(_consortium);
        var first = _consortium.Genesis("part-one");
        Assert.Equal(0, (await orderer.JoinAsync(first)).ExitCode);
        Assert.Equal(0, (await orderer.JoinAsync(_consortium.Genesis("part-two"))).ExitCode);

        var again = await orderer.JoinAsync(first);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("405", again.Output, StringComparison.Ordinal);
        Assert.Contains("already exists", again.Output, StringComparison.Ordinal);

        var list = await orderer.CliAsync("list");
        Assert.Equal(0, list.ExitCode);
        Assert.Contains("\"name\":\"part-one\"", list.Output, StringComparison.Ordinal);
        Assert.Contains("\"name\":\"part-two\"", list.Output, StringComparison.Ordinal);
        var show = await orderer.CliAsync("list", "--channel", "part-one");
        Assert.Contains("\"height\":1", show.Output, StringComparison.Ordinal);
        Assert.Contains("\"status\":\"active\"", show.Output, StringComparison.Ordinal);

        Assert.Equal(0, (await orderer.CliAsync("remove", "--channel", "part-one")).ExitCode);
        var missing = await orderer.CliAsync("remove", "--channel", "part-one");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("404", missing.Output, StringComparison.Ordinal);
        var org = _consortium.Orgs[0];
        using var channel = orderer.Connect(org);
        await using var broadcast = new Rpc.Services.BroadcastSession(channel.CreateCallInvoker());
        Assert.Equal(Status.NotFound, (await broadcast.SendAsync(Transactions.Create("part-one", org.User()))).Status);
        Assert.Equal(Status.Success, (await broadcast.SendAsync(Transactions.Create("part-two", org.User()))).Status);

        // Removed channels stay removed across a restart; the remaining one is reopened.
        await orderer.RestartAsync();
        var afterRestart = await orderer.CliAsync("list");
        Assert.DoesNotContain("part-one", afterRestart.Output, StringComparison.Ordinal);
        Assert.Contains("part-two", afterRestart.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Join_refuses_blocks_it_cannot_serve_and_admin_clients_of_other_cas()
    {
        await using var orderer = await OrdererNode.StartAsync(_consortium);
        var block = _consortium.Genesis("part-bad");
        block.Header.Number = 3;
        var notGenesis = await orderer.JoinAsync(block);
        Assert.Equal(1, notGenesis.ExitCode);
        Assert.Contains("genesis block", notGenesis.Output, StringComparison.Ordinal);

        var tampered = _consortium.Genesis("part-bad");
        tampered.Header.DataHash = Google.Protobuf.ByteString.CopyFrom(new byte[32]);
        var badHash = await orderer.JoinAsync(tampered);
        Assert.Equal(1, badHash.ExitCode);
        Assert.Contains("data hash", badHash.Output, StringComparison.Ordinal);

        // An application org's client certificate is not an orderer admin's: the TLS handshake fails.
        var org1Tls = Path.Combine(_consortium.Orgs[0].UserDirectory("Admin"), "tls");
        var (exitCode, output) = await NodeProcess.RunAsync(Repo.CliDll, "orderer", "list", "--orderer", orderer.AdminAddress,
            "--ca-file", orderer.TlsCaFile, "--client-cert", Path.Combine(org1Tls, "client.crt"), "--client-key", Path.Combine(org1Tls, "client.key"));
        Assert.Equal(1, exitCode);
        Assert.Contains("cannot reach the orderer admin endpoint", output, StringComparison.Ordinal);
    }
}
