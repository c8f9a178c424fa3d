using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using ZonCoin.Core.Crypto;
using ZonCoin.Gateway.Client;
using ZonCoin.Integration.Tests.Support;
using ZonCoin.Protos.Peer;
using ZonCoin.Rpc.Client;
using GatewayClient = ZonCoin.Gateway.Client.Gateway;

namespace ZonCoin.Integration.Tests;

/// <summary>
/// The C# gateway SDK against the real gateway process of a two-org network (endorsement policy
/// <c>AND('Org1MSP.peer','Org2MSP.peer')</c>): submit and evaluate, each step of a proposal, offline signing,
/// disagreeing endorsements, MVCC conflicts and the opt-in retry, an unsatisfiable policy, chaincode events with a
/// file checkpoint across a client restart, block and filtered block events, and connection profiles.
/// </summary>
[Collection(GatewayNetworkCollectionDefinition.Name)]
public sealed class GatewaySdkTests(GatewayNetwork network) : IDisposable
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(90);

    private readonly GrpcChannel _channel = network.Gateway.Connect();
    private readonly List<string> _files = [];

    private string CertPath => Directory.GetFiles(Path.Combine(network.Org1.UserDirectory("User1"), "msp", "signcerts"))[0];

    private string KeyPath => Directory.GetFiles(Path.Combine(network.Org1.UserDirectory("User1"), "msp", "keystore"))[0];

    private GatewayClient Connect(ISigner? signer = null, bool offline = false) =>
        GatewayClient.Connect(_channel, X509Identity.FromFile(network.Org1.MspId, CertPath), offline ? null : signer ?? Signers.FromPemFile(KeyPath));

    /// <summary>Submits and waits until both orgs' peers have the block, so the next endorsement sees one state.</summary>
    private async Task SubmitOnBothPeersAsync(Contract contract, string function, params string[] args)
    {
        var status = await (await contract.SubmitAsync(function, ProposalOptions.WithArguments(args))).GetStatusAsync();
        Assert.True(status.Successful, $"{function}: {status.Code}");
        await network.WaitForBothPeersAsync(status.BlockNumber);
    }

    private static Contract Basic(GatewayClient gateway) => gateway.GetNetwork(PeerNetwork.ChannelId).GetContract(PeerNetwork.Chaincode);

    [Fact]
    public async Task Submit_and_evaluate_go_through_the_gateway()
    {
        using var gateway = Connect();
        var contract = Basic(gateway);
        var id = PeerNetwork.NewId();

        var created = await contract.SubmitTransactionAsync("CreateAsset", id, "green", "3", "Ann", "300");
        Assert.Equal(id, JsonDocument.Parse(created).RootElement.GetProperty("ID").GetString());

        var read = await contract.EvaluateTransactionAsync("ReadAsset", id);
        Assert.Equal("Ann", JsonDocument.Parse(read).RootElement.GetProperty("Owner").GetString());
        Assert.Equal("Ann", await network.EvaluateAsync(network.Peer2, "ReadAsset", id).ContinueWith(t => JsonDocument.Parse(t.Result).RootElement.GetProperty("Owner").GetString(), TaskScheduler.Default));
    }

    [Fact]
    public async Task Each_step_of_a_proposal_is_visible_and_the_status_names_the_block()
    {
        using var gateway = Connect();
        var id = PeerNetwork.NewId();
        var proposal = Basic(gateway).NewProposal("CreateAsset", ProposalOptions.WithArguments(id, "red", "1", "Bo", "10"));
        Assert.Equal(SHA256.HashData(proposal.Bytes), proposal.Digest);

        var transaction = await proposal.EndorseAsync();
        Assert.Equal(proposal.TransactionId, transaction.TransactionId);
        Assert.Equal("red", JsonDocument.Parse(transaction.Result).RootElement.GetProperty("Color").GetString());

        var submitted = await transaction.SubmitAsync();
        var status = await submitted.GetStatusAsync();

        Assert.True(status.Successful);
        Assert.Equal(TxValidationCode.Valid, status.Code);
        var (block, code) = await network.WaitForTransactionAsync(network.Peer2, proposal.TransactionId);
        Assert.Equal(TxValidationCode.Valid, code);
        Assert.Equal(block, status.BlockNumber);
    }

    [Fact]
    public async Task Offline_signing_submits_with_signatures_made_elsewhere()
    {
        using var key = ECDsa.Create();
        key.ImportFromPem(await File.ReadAllTextAsync(KeyPath));
        using var gateway = Connect(offline: true);
        var id = PeerNetwork.NewId();

        var unsigned = Basic(gateway).NewProposal("CreateAsset", ProposalOptions.WithArguments(id, "white", "2", "Cy", "20"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => unsigned.EndorseAsync());
        var proposal = gateway.NewSignedProposal(unsigned.Bytes, EcdsaSignatures.SignDigest(key, unsigned.Digest));
        var endorsed = await proposal.EndorseAsync();
        var transaction = gateway.NewSignedTransaction(endorsed.Bytes, EcdsaSignatures.SignDigest(key, endorsed.Digest));
        var submitted = await transaction.SubmitAsync();
        var commit = gateway.NewSignedCommit(submitted.Bytes, EcdsaSignatures.SignDigest(key, submitted.Digest));
        var status = await commit.GetStatusAsync();

        Assert.Equal(TxValidationCode.Valid, status.Code);
        Assert.Equal(unsigned.TransactionId, status.TransactionId);
    }

    [Fact]
    public async Task Endorsements_that_disagree_fail_with_a_clear_error()
    {
        using var gateway = Connect();
        var error = await Assert.ThrowsAsync<EndorseException>(() => Basic(gateway).SubmitTransactionAsync("StampAsset", PeerNetwork.NewId()));

        Assert.Equal(StatusCode.Aborted, error.StatusCode);
        Assert.Contains(error.Details, d => d.Message == "ProposalResponsePayloads do not match");
        Assert.False(string.IsNullOrEmpty(error.TransactionId));
    }

    [Fact]
    public async Task A_stale_read_commits_as_an_mvcc_read_conflict_and_the_retry_policy_resubmits()
    {
        using var gateway = Connect();
        var contract = Basic(gateway);
        var id = PeerNetwork.NewId();
        await SubmitOnBothPeersAsync(contract, "CreateAsset", id, "black", "4", "Dee", "40");

        var first = await contract.NewProposal("TransferAsset", ProposalOptions.WithArguments(id, "Eve")).EndorseAsync();
        var second = await contract.NewProposal("TransferAsset", ProposalOptions.WithArguments(id, "Fay")).EndorseAsync();
        var statuses = await Task.WhenAll(
            (await first.SubmitAsync()).GetStatusAsync(),
            (await second.SubmitAsync()).GetStatusAsync());
        Assert.Equal(TxValidationCode.Valid, statuses[0].Code);
        Assert.Equal(TxValidationCode.MvccReadConflict, statuses[1].Code);
        Assert.False(statuses[1].Successful);
        await network.WaitForBothPeersAsync(statuses.Max(status => status.BlockNumber));

        // Endorsed against the old owner, committed after the new one: SubmitTransaction's commit error.
        var stale = await contract.NewProposal("TransferAsset", ProposalOptions.WithArguments(id, "Gus")).EndorseAsync();
        await SubmitOnBothPeersAsync(contract, "TransferAsset", id, "Hal");
        var conflict = await (await stale.SubmitAsync()).GetStatusAsync();
        Assert.Equal(TxValidationCode.MvccReadConflict, conflict.Code);

        // With the opt-in retry, concurrent transfers of one asset all land.
        var retrying = contract.WithRetry(new ConflictRetryPolicy { MaxAttempts = 10, BaseDelay = TimeSpan.FromMilliseconds(20) });
        var owners = new[] { "Ida", "Jo", "Kit", "Lu" };
        await Task.WhenAll(owners.Select(owner => retrying.SubmitTransactionAsync("TransferAsset", id, owner)));
        var history = JsonDocument.Parse(await contract.EvaluateTransactionAsync("GetAssetHistory", id)).RootElement;
        Assert.Equal(1 + 2 + owners.Length, history.GetArrayLength());
    }

    [Fact]
    public async Task A_policy_that_needs_an_org_whose_peer_is_down_names_that_org()
    {
        var deadPort = NodeProcess.FreePort();
        await using var lonely = await GatewayNode.StartAsync(network.Org1, [network.Peer1.Endpoint, $"{network.Org2.MspId}@127.0.0.1:{deadPort}"]);
        using var channel = lonely.Connect();
        using var gateway = GatewayClient.Connect(channel, X509Identity.FromFile(network.Org1.MspId, CertPath), Signers.FromPemFile(KeyPath));

        var error = await Assert.ThrowsAsync<EndorseException>(() => Basic(gateway).SubmitTransactionAsync("CreateAsset", PeerNetwork.NewId(), "grey", "1", "Mo", "1"));

        Assert.Equal(StatusCode.Aborted, error.StatusCode);
        var detail = Assert.Single(error.Details);
        Assert.Equal(network.Org2.MspId, detail.MspId);
        Assert.Equal($"127.0.0.1:{deadPort}", detail.Address);
        Assert.Contains(network.Org2.MspId, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chaincode_events_arrive_in_order_and_resume_from_a_file_checkpoint_after_a_restart()
    {
        var ids = Enumerable.Range(0, 3).Select(_ => PeerNetwork.NewId()).ToList();
        ulong startBlock;
        using (var gateway = Connect())
        {
            var contract = Basic(gateway);
            var first = await contract.SubmitAsync("CreateAsset", ProposalOptions.WithArguments(ids[0], "blue", "1", "Ann", "1"));
            startBlock = (await first.GetStatusAsync()).BlockNumber;
            foreach (var id in ids.Skip(1))
            {
                await contract.SubmitTransactionAsync("CreateAsset", id, "blue", "1", "Ann", "1");
            }
        }
        var file = NewFile();

        using (var gateway = Connect())
        using (var checkpoint = await FileCheckpointer.OpenAsync(file))
        {
            var received = await ReadEventsAsync(gateway, new ChaincodeEventsOptions { StartBlock = startBlock, Checkpoint = checkpoint }, ids, count: 1, checkpoint);
            Assert.Equal(ids[0], received.Single());
        }

        // The client restarts: a new connection and the checkpoint read back from its file.
        using (var gateway = Connect())
        using (var checkpoint = await FileCheckpointer.OpenAsync(file))
        {
            Assert.Equal(startBlock, checkpoint.BlockNumber);
            Assert.False(string.IsNullOrEmpty(checkpoint.TransactionId));
            var received = await ReadEventsAsync(gateway, new ChaincodeEventsOptions { StartBlock = 0, Checkpoint = checkpoint }, ids, count: 2, checkpoint);
            Assert.Equal(ids.Skip(1), received);
        }
    }

    [Fact]
    public async Task Block_events_and_filtered_block_events_carry_the_transaction()
    {
        using var gateway = Connect();
        var submitted = await Basic(gateway).SubmitAsync("CreateAsset", ProposalOptions.WithArguments(PeerNetwork.NewId(), "pink", "1", "Ann", "1"));
        var status = await submitted.GetStatusAsync();
        var chain = gateway.GetNetwork(PeerNetwork.ChannelId);
        using var timeout = new CancellationTokenSource(Guard);

        await foreach (var block in chain.GetBlockEvents(new BlockEventsOptions { StartBlock = status.BlockNumber }, timeout.Token))
        {
            Assert.Equal(status.BlockNumber, block.Header.Number);
            Assert.Contains(block.Data.Data, envelope => Core.Protocol.Envelopes.Unpack(envelope).ChannelHeader.TxId == submitted.TransactionId);
            break;
        }
        await foreach (var filtered in chain.GetFilteredBlockEvents(new BlockEventsOptions { StartBlock = status.BlockNumber }, timeout.Token))
        {
            Assert.Equal(status.BlockNumber, filtered.Number);
            var transaction = Assert.Single(filtered.FilteredTransactions, t => t.Txid == submitted.TransactionId);
            Assert.Equal(TxValidationCode.Valid, transaction.TxValidationCode);
            break;
        }
    }

    [Fact]
    public async Task A_connection_profile_connects_in_one_call()
    {
        var file = WriteProfile();

        using var gateway = GatewayClient.Connect(ConnectionProfile.Load(file));
        var all = await Basic(gateway).EvaluateTransactionAsync("GetAllAssets");
        Assert.Equal(JsonValueKind.Array, JsonDocument.Parse(all).RootElement.ValueKind);
    }

    [Fact]
    public async Task The_cli_submits_and_evaluates_from_a_connection_profile()
    {
        var file = WriteProfile();
        var id = PeerNetwork.NewId();

        var submit = await NodeProcess.RunAsync(Repo.CliDll, ["transaction", "submit", "--profile", file, "--chaincode", PeerNetwork.Chaincode, "CreateAsset", id, "teal", "2", "Vi", "20"], null);
        Assert.True(submit.ExitCode == 0, submit.Output);
        Assert.Contains("committed: transaction ", submit.Output, StringComparison.Ordinal);

        var evaluate = await NodeProcess.RunAsync(Repo.CliDll, ["transaction", "evaluate", "--profile", file, "--chaincode", PeerNetwork.Chaincode, "ReadAsset", id], null);
        Assert.True(evaluate.ExitCode == 0, evaluate.Output);
        Assert.Contains("\"Owner\":\"Vi\"", evaluate.Output, StringComparison.Ordinal);

        var missing = await NodeProcess.RunAsync(Repo.CliDll, ["transaction", "evaluate", "--profile", file, "--chaincode", PeerNetwork.Chaincode, "ReadAsset", "no-such-asset"], null);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("chaincode response 500", missing.Output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _channel.Dispose();
        foreach (var file in _files.Where(File.Exists))
        {
            File.Delete(file);
        }
    }

    /// <summary>A connection profile of Org1's User1 for the network's gateway, in a temporary file.</summary>
    private string WriteProfile()
    {
        var file = NewFile();
        new ConnectionProfile
        {
            Name = "Org1",
            MspId = network.Org1.MspId,
            Gateway = new GatewayProfile { Endpoint = network.Gateway.Endpoint },
            Identity = new IdentityProfile { CertPath = CertPath, KeyPath = KeyPath },
            Channels = [PeerNetwork.ChannelId],
        }.Save(file);
        return file;
    }

    private string NewFile()
    {
        var file = Path.Combine(Path.GetTempPath(), $"zoncoin-{Guid.NewGuid():N}.json");
        _files.Add(file);
        return file;
    }

    /// <summary>Reads CreateAsset events of the given assets until <paramref name="count"/> arrived, checkpointing each.</summary>
    private static async Task<List<string>> ReadEventsAsync(GatewayClient gateway, ChaincodeEventsOptions options, IReadOnlyCollection<string> ids, int count, FileCheckpointer checkpoint)
    {
        using var timeout = new CancellationTokenSource(Guard);
        var received = new List<string>();
        await foreach (var chaincodeEvent in gateway.GetNetwork(PeerNetwork.ChannelId).GetChaincodeEvents(PeerNetwork.Chaincode, options, timeout.Token))
        {
            var id = JsonDocument.Parse(chaincodeEvent.Payload).RootElement.GetProperty("ID").GetString()!;
            if (chaincodeEvent.EventName == "CreateAsset" && ids.Contains(id))
            {
                received.Add(id);
            }
            await checkpoint.CheckpointChaincodeEventAsync(chaincodeEvent);
            if (received.Count == count)
            {
                break;
            }
        }
        return received;
    }
}
