using ZonCoin.Integration.Tests.Support;

namespace ZonCoin.Integration.Tests;

/// <summary>The peer network of <see cref="PeerNetwork"/> built once more for a test that stops its orderer and a peer.</summary>
public sealed class ChaincodeCommitNetwork : PeerNetwork
{
}

[CollectionDefinition(Name)]
public sealed class ChaincodeCommitCollectionDefinition : ICollectionFixture<ChaincodeCommitNetwork>
{
    public const string Name = "ChaincodeCommit";
}

/// <summary>
/// <c>zoncoin chaincode commit</c> endorses on every named org's peer; a peer that has not yet committed another org's
/// approval would simulate the commit with different reads, and the responses could not form one transaction.
/// </summary>
[Collection(ChaincodeCommitCollectionDefinition.Name)]
public sealed class ChaincodeCommitTests(ChaincodeCommitNetwork network)
{
    private string[] Definition(params (OrgMaterial Org, PeerNode Peer)[] orgs) =>
    [
        "--channel", PeerNetwork.ChannelId, "--name", PeerNetwork.Chaincode, "--version", "1.0", "--address", network.Host.Address,
        "--sequence", "2", "--policy", "AND('Org1MSP.peer','Org2MSP.peer')", "--orderer", $"127.0.0.1:{network.Orderer.Port}",
        .. orgs.SelectMany(o => new[] { "--msp-id", o.Org.MspId, "--admin-msp-dir", Path.Combine(o.Org.UserDirectory("Admin"), "msp"), "--peer", o.Peer.Endpoint }),
    ];

    private static async Task CliAsync(params string[] args)
    {
        var (exitCode, output) = await NodeProcess.RunAsync(Repo.CliDll, args);
        Assert.True(exitCode == 0, $"zoncoin {string.Join(' ', args)} exited with {exitCode}:\n{output}");
    }

    [Fact]
    public async Task Commit_waits_until_a_lagging_endorsing_peer_has_the_other_orgs_approval()
    {
        var (org1, peer1, org2, peer2) = (network.Org1, network.Peer1, network.Org2, network.Peer2);
        await CliAsync(["chaincode", "approve", .. Definition((org2, peer2))]);

        // Org2's peer is down while Org1's approval is committed; with the orderer down too, it restarts one block behind.
        await peer2.StopAsync();
        await CliAsync(["chaincode", "approve", .. Definition((org1, peer1))]);
        var height = await peer1.LedgerHeightAsync(PeerNetwork.ChannelId);
        await network.Orderer.StopAsync();
        await peer2.StartAsync();
        Assert.Equal(height - 1, await peer2.LedgerHeightAsync(PeerNetwork.ChannelId));

        // The commit does not endorse on the lagging peer (which would answer with other reads): it waits for the
        // peer to catch up, which it does once the orderer is back.
        var commit = NodeProcess.RunAsync(Repo.CliDll, ["chaincode", "commit", .. Definition((org1, peer1), (org2, peer2))]);
        if (await Task.WhenAny(commit, Task.Delay(TimeSpan.FromSeconds(3))) == commit)
        {
            Assert.Fail($"the commit ended while Org2's peer was behind:\n{(await commit).Output}");
        }
        await network.Orderer.StartAsync();
        var (exitCode, output) = await commit;
        Assert.True(exitCode == 0, $"commit exited with {exitCode}:\n{output}\nOrg2's peer:\n{peer2.Output}");

        await network.WaitForBothPeersAsync(height!.Value);
        var definition = await NodeProcess.RunAsync(Repo.CliDll, "chaincode", "list", "--channel", PeerNetwork.ChannelId, "--msp-id", org2.MspId,
            "--admin-msp-dir", Path.Combine(org2.UserDirectory("Admin"), "msp"), "--peer", peer2.Endpoint);
        Assert.True(definition.ExitCode == 0, definition.Output);
        Assert.Contains("Name: basic, Version: 1.0, Sequence: 2", definition.Output, StringComparison.Ordinal);
    }
}
