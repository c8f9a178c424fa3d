using ZonCoin.Core.Protocol;
using ZonCoin.Integration.Tests.Support;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Peer;
using ZonCoin.Rpc.Client;
using ZonCoin.Rpc.Services;

namespace ZonCoin.Integration.Tests;

/// <summary>
/// The peer network of <see cref="PeerNetwork"/> built once more for onboarding alone (it changes the channel's
/// members): Org1 and Org2 with a peer each, a solo orderer and the sample chaincode under
/// <c>AND('Org1MSP.peer','Org2MSP.peer')</c>.
/// </summary>
public sealed class GovernanceNetwork : PeerNetwork
{
}

[CollectionDefinition(Name)]
public sealed class GovernanceCollectionDefinition : ICollectionFixture<GovernanceNetwork>
{
    public const string Name = "Governance";
}

/// <summary>
/// Onboarding a partner organisation with the real CLI and processes, as its owners would run each step: the partner
/// runs <c>zoncoin org init</c>; member admins create, vote on and apply proposals (<c>_governance</c>); the partner's
/// peer joins from block 0 and catches up; its org approves the chaincode and its peer's endorsement then counts
/// toward a policy naming it; finally a proposal removes Org2, whose transactions the orderer then refuses.
/// </summary>
[Collection(GovernanceCollectionDefinition.Name)]
public sealed class GovernanceTests(GovernanceNetwork network)
{
    private PeerNode? _pharmacyPeer;

    private static string AdminMsp(OrgMaterial org) => Path.Combine(org.UserDirectory("Admin"), "msp");

    private string Orderer => $"127.0.0.1:{network.Orderer.Port}";

    private static async Task<string> CliAsync(int expectedExitCode, params string[] args)
    {
        var (exitCode, output) = await NodeProcess.RunAsync(Repo.CliDll, args);
        Assert.True(exitCode == expectedExitCode, $"zoncoin {string.Join(' ', args)} exited with {exitCode}, expected {expectedExitCode}:\n{output}");
        return output;
    }

    /// <summary><c>zoncoin proposal VERB</c> as <paramref name="org"/>'s admin through <paramref name="peers"/> (its own first).</summary>
    private Task<string> ProposalAsync(int expectedExitCode, string verb, OrgMaterial org, PeerNode[] peers, params string[] extra) =>
        CliAsync(expectedExitCode,
        [
            "proposal", verb, "--channel", PeerNetwork.ChannelId, "--msp-id", org.MspId, "--admin-msp-dir", AdminMsp(org),
            .. peers.SelectMany(peer => new[] { "--peer", peer.Endpoint }),
            .. verb is "create" or "vote" or "apply" ? new[] { "--orderer", Orderer } : [],
            .. extra,
        ]);

    [Fact]
    public async Task A_partner_org_is_added_by_vote_joins_and_endorses_and_a_removed_org_can_no_longer_submit()
    {
        try
        {
            await RunAsync();
        }
        finally
        {
            if (_pharmacyPeer is not null)
            {
                await _pharmacyPeer.DisposeAsync();
            }
        }
    }

    private async Task RunAsync()
    {
        var (org1, org2, peer1, peer2) = (network.Org1, network.Org2, network.Peer1, network.Peer2);

        // The partner creates its organisation; a rerun reuses it.
        var pharmacyDirectory = network.Consortium.NewDirectory("pharmacy");
        var init = new[] { "org", "init", "--name", "Pharmacy", "--msp-id", "PharmacyMSP", "--out", pharmacyDirectory };
        await CliAsync(0, init);
        Assert.Contains("is unchanged", await CliAsync(0, init), StringComparison.Ordinal);
        var definitionFile = Path.Combine(pharmacyDirectory, "Pharmacy.org.json");
        var pharmacy = new OrgMaterial("Pharmacy", "PharmacyMSP", pharmacyDirectory);

        // Too few votes: only Org1 of two members says yes, so MAJORITY Admins is not met.
        await ProposalAsync(0, "create", org1, [peer1, peer2], "--add-org", definitionFile, "--id", "add-few", "--expires", "1h");
        await ProposalAsync(0, "vote", org1, [peer1], "--id", "add-few", "--yes");
        var few = await ProposalAsync(1, "apply", org1, [peer1, peer2], "--id", "add-few");
        Assert.Contains("does not have enough yes votes", few, StringComparison.Ordinal);

        // Rejected: with Org2's no, MAJORITY Admins can no longer be met; votes are closed and it cannot be applied.
        await ProposalAsync(0, "vote", org2, [peer2], "--id", "add-few", "--no");
        Assert.Contains("Status: REJECTED", await ProposalAsync(0, "show", org1, [peer1], "--id", "add-few"), StringComparison.Ordinal);
        Assert.Contains("votes are closed", await ProposalAsync(1, "vote", org1, [peer1], "--id", "add-few", "--no"), StringComparison.Ordinal);
        Assert.Contains("is rejected", await ProposalAsync(1, "apply", org1, [peer1, peer2], "--id", "add-few"), StringComparison.Ordinal);

        // Expired: once the expiry has passed, votes are refused and it cannot be applied.
        await ProposalAsync(0, "create", org1, [peer1, peer2], "--add-org", definitionFile, "--id", "add-expired", "--expires", "2s", "--description", "too late");
        for (var attempt = 0; !(await ProposalAsync(0, "show", org1, [peer1], "--id", "add-expired")).Contains("Status: EXPIRED", StringComparison.Ordinal); attempt++)
        {
            Assert.True(attempt < 60, "proposal add-expired never expired");
            await Task.Delay(250);
        }
        Assert.Contains("EXPIRED", await ProposalAsync(1, "vote", org2, [peer2], "--id", "add-expired", "--yes"), StringComparison.Ordinal);
        Assert.Contains("expired", await ProposalAsync(1, "apply", org1, [peer1, peer2], "--id", "add-expired"), StringComparison.Ordinal);

        // Enough votes: both members say yes; Org2's admin applies it.
        var created = await ProposalAsync(0, "create", org1, [peer1, peer2], "--add-org", definitionFile, "--id", "add-pharmacy", "--description", "admit Pharmacy");
        Assert.Contains("add-pharmacy", created, StringComparison.Ordinal);
        await ProposalAsync(0, "vote", org1, [peer1], "--id", "add-pharmacy", "--yes");
        Assert.Contains("Admins policy: not satisfied", await ProposalAsync(0, "show", org2, [peer2], "--id", "add-pharmacy"), StringComparison.Ordinal);
        await ProposalAsync(0, "vote", org2, [peer2], "--id", "add-pharmacy", "--yes");
        Assert.Contains("Admins policy: satisfied", await ProposalAsync(0, "show", org2, [peer2], "--id", "add-pharmacy"), StringComparison.Ordinal);
        var applied = await ProposalAsync(0, "apply", org2, [peer2, peer1], "--id", "add-pharmacy");
        Assert.Contains("marked applied", applied, StringComparison.Ordinal);
        var shown = await ProposalAsync(0, "show", org1, [peer1], "--id", "add-pharmacy");
        Assert.Contains("Status: APPLIED", shown, StringComparison.Ordinal);
        Assert.Contains("Vote: Org2MSP yes", shown, StringComparison.Ordinal);
        Assert.Contains("already applied", await ProposalAsync(1, "apply", org1, [peer1, peer2], "--id", "add-pharmacy"), StringComparison.Ordinal);
        var list = await ProposalAsync(0, "list", org1, [peer1]);
        Assert.Contains("add-few  SUPERSEDED", list, StringComparison.Ordinal);
        Assert.Contains("add-expired  EXPIRED", list, StringComparison.Ordinal);

        // The partner's peer joins from block 0, fetched from the orderer by its admin, and catches up.
        _pharmacyPeer = await PeerNode.StartAsync(network.Consortium, pharmacy);
        var blockFile = Path.Combine(pharmacyDirectory, "genesis.block");
        await CliAsync(0, "channel", "fetch", "--channel", PeerNetwork.ChannelId, "--block", "oldest", "--out", blockFile,
            "--msp-id", pharmacy.MspId, "--admin-msp-dir", AdminMsp(pharmacy), "--orderer", Orderer);
        var joined = await _pharmacyPeer.JoinAsync(Block.Parser.ParseFrom(await File.ReadAllBytesAsync(blockFile)));
        Assert.True(joined.ExitCode == 0, joined.Output);
        var height = await peer1.LedgerHeightAsync(PeerNetwork.ChannelId);
        for (var attempt = 0; await _pharmacyPeer.LedgerHeightAsync(PeerNetwork.ChannelId) != height; attempt++)
        {
            Assert.True(attempt < 600, $"the Pharmacy peer did not catch up to height {height}:\n{_pharmacyPeer.Output}");
            await Task.Delay(100);
        }

        // Its org approves the chaincode's next definition, whose policy names it; the definition is committed.
        var policy = "OutOf(2,'Org1MSP.peer','Org2MSP.peer','PharmacyMSP.peer')";
        string[] Definition(params (OrgMaterial Org, PeerNode Peer)[] orgs) =>
        [
            "--channel", PeerNetwork.ChannelId, "--name", PeerNetwork.Chaincode, "--version", "1.0", "--address", network.Host.Address,
            "--sequence", "2", "--policy", policy, "--orderer", Orderer,
            .. orgs.SelectMany(o => new[] { "--msp-id", o.Org.MspId, "--admin-msp-dir", AdminMsp(o.Org), "--peer", o.Peer.Endpoint }),
        ];
        await CliAsync(0, ["chaincode", "approve", .. Definition((pharmacy, _pharmacyPeer))]);
        await CliAsync(0, ["chaincode", "approve", .. Definition((org1, peer1), (org2, peer2))]);
        await CliAsync(0, ["chaincode", "commit", .. Definition((org1, peer1), (pharmacy, _pharmacyPeer))]);

        // Its peer's endorsement now counts: Org1 + Pharmacy is VALID (submitted by a Pharmacy user), Pharmacy alone is not.
        var id = PeerNetwork.NewId();
        var (valid, validTx) = await PeerNetwork.EndorseAsync(pharmacy.User(), [peer1, _pharmacyPeer], "CreateAsset", id, "green", "3", "pharmacy", "10");
        var (alone, aloneTx) = await PeerNetwork.EndorseAsync(pharmacy.User(), [_pharmacyPeer], "CreateAsset", PeerNetwork.NewId(), "red", "1", "pharmacy", "1");
        await network.BroadcastAsync(valid, alone);
        Assert.Equal(TxValidationCode.Valid, (await network.WaitForTransactionAsync(_pharmacyPeer, validTx)).Code);
        Assert.Equal(TxValidationCode.EndorsementPolicyFailure, (await network.WaitForTransactionAsync(peer1, aloneTx)).Code);
        Assert.Contains("\"Owner\":\"pharmacy\"", await network.EvaluateAsync(peer2, "ReadAsset", id), StringComparison.Ordinal);

        // A proposal removes Org2; a transaction Org2's user had endorsed before is then refused by the orderer.
        var (org2Envelope, _) = await PeerNetwork.EndorseAsync(org2.User(), [peer1, peer2], "CreateAsset", PeerNetwork.NewId(), "black", "2", "org2", "5");
        await ProposalAsync(0, "create", org1, [peer1, _pharmacyPeer], "--remove-org", org2.MspId, "--id", "remove-org2");
        await ProposalAsync(0, "vote", org1, [peer1], "--id", "remove-org2", "--yes");
        Assert.Contains("does not have enough yes votes", await ProposalAsync(1, "apply", org1, [peer1, _pharmacyPeer], "--id", "remove-org2"), StringComparison.Ordinal);
        await ProposalAsync(0, "vote", pharmacy, [_pharmacyPeer], "--id", "remove-org2", "--yes");
        await ProposalAsync(0, "apply", pharmacy, [_pharmacyPeer, peer1], "--id", "remove-org2");

        using var channel = RpcChannels.ForAddress(network.Orderer.Address);
        await using var session = new BroadcastSession(channel.CreateCallInvoker());
        var refused = await session.SendAsync(org2Envelope);
        Assert.Equal(Status.Forbidden, refused.Status);
        var (org1Envelope, org1Tx) = await PeerNetwork.EndorseAsync(org1.User(), [peer1, _pharmacyPeer], "CreateAsset", PeerNetwork.NewId(), "white", "2", "org1", "5");
        Assert.Equal(Status.Success, (await session.SendAsync(org1Envelope)).Status);
        Assert.Equal(TxValidationCode.Valid, (await network.WaitForTransactionAsync(peer1, org1Tx)).Code);
    }
}
