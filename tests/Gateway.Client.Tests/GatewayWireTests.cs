using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.Extensions.Time.Testing;
using ZonCoin.Core.Crypto;
using ZonCoin.Core.Protocol;
using ZonCoin.Gateway.Client.Tests.Support;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Gateway;
using ZonCoin.Protos.Peer;
using ZonCoin.Rpc;
using ZonCoin.Rpc.Client;

namespace ZonCoin.Gateway.Client.Tests;

/// <summary>The SDK against a fake gateway over a real socket.</summary>
public sealed class GatewayWireTests : IAsyncLifetime, IDisposable
{
    private readonly TestIdentity _client = new();
    private FakeGatewayServer _server = null!;
    private GrpcChannel _channel = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeGatewayServer.StartAsync();
        _channel = RpcChannels.ForAddress(_server.Address);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _server.DisposeAsync();
    }

    public void Dispose() => _client.Dispose();

    private Contract Contract(GatewayOptions? options = null, string? contractName = null) =>
        Gateway.Connect(_channel, _client.Identity, _client.Signer, options).GetNetwork("supplychain").GetContract("trade", contractName);

    [Fact]
    public async Task Evaluate_sends_a_signed_proposal_and_returns_the_result_payload()
    {
        _server.Result = "42"u8.ToArray();

        var result = await Contract(contractName: "Asset").EvaluateTransactionAsync("read", "k1");

        Assert.Equal("42", Encoding.UTF8.GetString(result));
        var request = Assert.Single(_server.Requests<EvaluateRequest>("Evaluate"));
        Assert.Equal("supplychain", request.ChannelId);
        var proposal = Proposals.Unpack(request.ProposedTransaction);
        Assert.Equal(proposal.TxId, request.TransactionId);
        Assert.Equal(["Asset:read", "k1"], proposal.Args.Select(a => a.ToStringUtf8()));
        Assert.True(_client.Verifies(request.ProposedTransaction.ProposalBytes.Span, request.ProposedTransaction.Signature.Span));
    }

    [Fact]
    public async Task An_application_call_invoker_with_its_interceptors_carries_every_call()
    {
        _server.Result = "7"u8.ToArray();
        var seen = new RecordingInterceptor();
        using var gateway = Gateway.Connect(_channel.Intercept(seen), _client.Identity, _client.Signer);
        var contract = gateway.GetNetwork("supplychain").GetContract("trade");

        Assert.Equal("7", Encoding.UTF8.GetString(await contract.EvaluateTransactionAsync("read", "k1")));
        await contract.SubmitTransactionAsync("write", "k1", "v");

        Assert.Equal(["/gateway.Gateway/Evaluate", "/gateway.Gateway/Endorse", "/gateway.Gateway/Submit", "/gateway.Gateway/CommitStatus"], seen.Methods);
        Assert.Single(_server.Requests<EvaluateRequest>("Evaluate"));
    }

    private sealed class RecordingInterceptor : Interceptor
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _methods = new();

        public string[] Methods => [.. _methods];

        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
            TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
        {
            _methods.Enqueue(context.Method.FullName);
            return continuation(request, context);
        }
    }

    [Fact]
    public async Task Submit_transaction_endorses_submits_then_waits_for_the_commit_status_in_that_order()
    {
        _server.Result = "done"u8.ToArray();

        var result = await Contract().SubmitTransactionAsync("move", "a", "b");

        Assert.Equal("done", Encoding.UTF8.GetString(result));
        Assert.Equal(["/gateway.Gateway/Endorse", "/gateway.Gateway/Submit", "/gateway.Gateway/CommitStatus"], _server.Calls.Select(c => c.Method));
        var endorse = Assert.Single(_server.Requests<EndorseRequest>("Endorse"));
        var submit = Assert.Single(_server.Requests<SubmitRequest>("Submit"));
        var commit = Assert.Single(_server.Requests<SignedCommitStatusRequest>("CommitStatus"));
        var txId = endorse.TransactionId;
        Assert.Equal(txId, submit.TransactionId);
        Assert.Equal("supplychain", submit.ChannelId);
        // The prepared envelope goes back as received, signed by the client over its payload.
        Assert.True(_client.Verifies(submit.PreparedTransaction.Payload.Span, submit.PreparedTransaction.Signature.Span));
        Assert.Equal(txId, Envelopes.Unpack(submit.PreparedTransaction).ChannelHeader.TxId);
        var status = CommitStatusRequest.Parser.ParseFrom(commit.Request);
        Assert.Equal(txId, status.TransactionId);
        Assert.Equal("supplychain", status.ChannelId);
        Assert.Equal(_client.Creator, status.Identity.ToByteArray());
        Assert.True(_client.Verifies(commit.Request.Span, commit.Signature.Span));
    }

    [Fact]
    public async Task Submit_async_stops_after_submit_and_the_status_comes_later()
    {
        _server.EnqueueCommitStatus(TxValidationCode.Valid, 3);
        var contract = Contract();

        var submitted = await contract.SubmitAsync("move", new ProposalOptions { EndorsingOrganizations = ["Org1MSP", "Org2MSP"] });
        Assert.Equal(2, _server.Calls.Count);
        var status = await submitted.GetStatusAsync();

        Assert.Equal("result", Encoding.UTF8.GetString(submitted.Result));
        Assert.True(status.Successful);
        Assert.Equal(3UL, status.BlockNumber);
        Assert.Equal(submitted.TransactionId, status.TransactionId);
        Assert.Equal(["Org1MSP", "Org2MSP"], Assert.Single(_server.Requests<EndorseRequest>("Endorse")).EndorsingOrganizations);
    }

    [Fact]
    public async Task An_invalid_commit_throws_a_commit_exception_with_code_block_and_txid()
    {
        _server.EnqueueCommitStatus(TxValidationCode.EndorsementPolicyFailure, 9);

        var error = await Assert.ThrowsAsync<CommitException>(() => Contract().SubmitTransactionAsync("move"));

        Assert.Equal(TxValidationCode.EndorsementPolicyFailure, error.Code);
        Assert.Equal(9UL, error.BlockNumber);
        Assert.Equal(Assert.Single(_server.Requests<EndorseRequest>("Endorse")).TransactionId, error.TransactionId);
    }

    [Fact]
    public async Task Each_call_carries_its_own_timeout_as_a_grpc_deadline()
    {
        var options = new GatewayOptions
        {
            EvaluateTimeout = TimeSpan.FromSeconds(70),
            EndorseTimeout = TimeSpan.FromSeconds(130),
            SubmitTimeout = TimeSpan.FromSeconds(190),
            CommitStatusTimeout = TimeSpan.FromSeconds(250),
        };
        var contract = Contract(options);

        await contract.EvaluateTransactionAsync("read");
        await contract.SubmitTransactionAsync("move");

        // Each deadline is at most its timeout and well above the next smaller one, whatever the machine's speed.
        var remaining = _server.Calls.ToDictionary(c => c.Method.Split('/')[^1], c => c.DeadlineRemaining!.Value);
        Assert.InRange(remaining["Evaluate"], TimeSpan.FromSeconds(40), TimeSpan.FromSeconds(70));
        Assert.InRange(remaining["Endorse"], TimeSpan.FromSeconds(100), TimeSpan.FromSeconds(130));
        Assert.InRange(remaining["Submit"], TimeSpan.FromSeconds(160), TimeSpan.FromSeconds(190));
        Assert.InRange(remaining["CommitStatus"], TimeSpan.FromSeconds(220), TimeSpan.FromSeconds(250));
    }

    [Fact]
    public async Task The_default_timeouts_are_fabrics()
    {
        var options = new GatewayOptions();

        Assert.Equal(TimeSpan.FromSeconds(5), options.EvaluateTimeout);
        Assert.Equal(TimeSpan.FromSeconds(15), options.EndorseTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), options.SubmitTimeout);
        Assert.Equal(TimeSpan.FromMinutes(1), options.CommitStatusTimeout);
        await Contract().EvaluateTransactionAsync("read");
        Assert.InRange(Assert.Single(_server.Calls).DeadlineRemaining!.Value, TimeSpan.Zero, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_call_past_its_deadline_fails_with_deadline_exceeded()
    {
        _server.OnEvaluate = async (_, context) =>
        {
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
            return new EvaluateResponse();
        };

        var error = await Assert.ThrowsAsync<GatewayException>(() =>
            Contract(new GatewayOptions { EvaluateTimeout = TimeSpan.FromMilliseconds(200) }).EvaluateTransactionAsync("slow"));

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
    }

    private static RpcException Failure(StatusCode code, string message, params string[] detailMessages) =>
        RpcStatusDetails.Create(code, message, detailMessages.Select((m, i) => Any.Pack(new ErrorDetail { Address = $"peer{i}:7051", MspId = $"Org{i + 1}MSP", Message = m })));

    [Fact]
    public async Task An_endorse_failure_is_an_endorse_exception_with_details_and_the_transaction_id()
    {
        _server.OnEndorse = (_, _) => throw Failure(StatusCode.Aborted, "failed to endorse transaction, see attached details for more info",
            "chaincode response 500, asset k1 does not exist", "chaincode response 500, asset k1 does not exist");

        var error = await Assert.ThrowsAsync<EndorseException>(() => Contract().SubmitTransactionAsync("move"));

        Assert.Equal(StatusCode.Aborted, error.StatusCode);
        Assert.Equal(Assert.Single(_server.Requests<EndorseRequest>("Endorse")).TransactionId, error.TransactionId);
        Assert.Equal(2, error.Details.Count);
        Assert.Equal("Org2MSP", error.Details[1].MspId);
        Assert.Contains("asset k1 does not exist", error.Message, StringComparison.Ordinal);
        Assert.Single(_server.Calls);
    }

    [Fact]
    public async Task An_evaluate_failure_is_a_gateway_exception()
    {
        _server.OnEvaluate = (_, _) => throw Failure(StatusCode.Unknown, "evaluate call to endorser returned error: chaincode response 500, boom", "chaincode response 500, boom");

        var error = await Assert.ThrowsAsync<GatewayException>(() => Contract().EvaluateTransactionAsync("read"));

        Assert.IsNotAssignableFrom<TransactionException>(error);
        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.Equal("chaincode response 500, boom", Assert.Single(error.Details).Message);
    }

    [Fact]
    public async Task A_submit_failure_is_a_submit_exception()
    {
        _server.OnSubmit = (_, _) => throw Failure(StatusCode.Aborted, "received unsuccessful response from orderer: status=FORBIDDEN", "FORBIDDEN");

        var error = await Assert.ThrowsAsync<SubmitException>(() => Contract().SubmitTransactionAsync("move"));

        Assert.Equal(StatusCode.Aborted, error.StatusCode);
        Assert.Equal(Assert.Single(_server.Requests<SubmitRequest>("Submit")).TransactionId, error.TransactionId);
    }

    [Fact]
    public async Task A_commit_status_failure_is_a_commit_status_exception()
    {
        _server.OnCommitStatus = (_, _) => throw Failure(StatusCode.PermissionDenied, "access denied");

        var error = await Assert.ThrowsAsync<CommitStatusException>(() => Contract().SubmitTransactionAsync("move"));

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Equal(Assert.Single(_server.Requests<SubmitRequest>("Submit")).TransactionId, error.TransactionId);
    }

    [Fact]
    public async Task An_unreachable_gateway_is_a_gateway_exception_with_unavailable()
    {
        int port;
        using (var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }
        using var channel = RpcChannels.ForAddress($"http://127.0.0.1:{port}");
        using var gateway = Gateway.Connect(channel, _client.Identity, _client.Signer);

        var error = await Assert.ThrowsAsync<GatewayException>(() => gateway.GetNetwork("ch").GetContract("cc").EvaluateTransactionAsync("read"));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
    }

    [Fact]
    public async Task The_caller_cancelling_is_an_operation_cancelled_exception()
    {
        _server.OnEvaluate = async (_, context) =>
        {
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
            return new EvaluateResponse();
        };
        using var cancel = new CancellationTokenSource();
        var proposal = Contract().NewProposal("slow");

        var call = proposal.EvaluateAsync(cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
    }

    [Fact]
    public async Task Offline_signing_drives_the_whole_submit_flow()
    {
        using var gateway = Gateway.Connect(_channel, _client.Identity, signer: null);
        var contract = gateway.GetNetwork("supplychain").GetContract("trade");

        var unsignedProposal = contract.NewProposal("move", ProposalOptions.WithArguments("a"));
        var proposal = gateway.NewSignedProposal(unsignedProposal.Bytes, EcdsaSignatures.SignDigest(_client.Key, unsignedProposal.Digest));
        var unsignedTransaction = await proposal.EndorseAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => unsignedTransaction.SubmitAsync());
        var transaction = gateway.NewSignedTransaction(unsignedTransaction.Bytes, EcdsaSignatures.SignDigest(_client.Key, unsignedTransaction.Digest));
        var submitted = await transaction.SubmitAsync();
        var missing = await Assert.ThrowsAsync<InvalidOperationException>(() => submitted.GetStatusAsync());
        Assert.Contains(nameof(Gateway.NewSignedCommit), missing.Message, StringComparison.Ordinal);
        var commit = gateway.NewSignedCommit(submitted.Bytes, EcdsaSignatures.SignDigest(_client.Key, submitted.Digest));
        var status = await commit.GetStatusAsync();

        Assert.True(status.Successful);
        Assert.Equal(proposal.TransactionId, status.TransactionId);
        var endorse = Assert.Single(_server.Requests<EndorseRequest>("Endorse"));
        Assert.True(_client.Verifies(endorse.ProposedTransaction.ProposalBytes.Span, endorse.ProposedTransaction.Signature.Span));
        var submit = Assert.Single(_server.Requests<SubmitRequest>("Submit"));
        Assert.True(_client.Verifies(submit.PreparedTransaction.Payload.Span, submit.PreparedTransaction.Signature.Span));
        var commitRequest = Assert.Single(_server.Requests<SignedCommitStatusRequest>("CommitStatus"));
        Assert.True(_client.Verifies(commitRequest.Request.Span, commitRequest.Signature.Span));
    }

    [Fact]
    public async Task Retry_re_endorses_with_a_new_transaction_id_after_each_read_conflict()
    {
        _server.EnqueueCommitStatus(TxValidationCode.MvccReadConflict);
        _server.EnqueueCommitStatus(TxValidationCode.PhantomReadConflict);
        _server.EnqueueCommitStatus(TxValidationCode.Valid);
        var contract = Contract().WithRetry(new ConflictRetryPolicy { MaxAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(2) });

        await contract.SubmitTransactionAsync("move");

        var txIds = _server.Requests<EndorseRequest>("Endorse").Select(r => r.TransactionId).ToList();
        Assert.Equal(3, txIds.Count);
        Assert.Equal(3, txIds.Distinct().Count());
        Assert.Equal(txIds, _server.Requests<SubmitRequest>("Submit").Select(r => r.TransactionId));
    }

    [Fact]
    public async Task Retry_backoff_waits_on_the_clock_of_the_gateway_options()
    {
        _server.EnqueueCommitStatus(TxValidationCode.MvccReadConflict);
        _server.EnqueueCommitStatus(TxValidationCode.Valid);
        var clock = new FakeTimeProvider();
        // A backoff of up to a day: on the system clock the submit would outlive the test's guard.
        var policy = new ConflictRetryPolicy { BaseDelay = TimeSpan.FromDays(1), MaxDelay = TimeSpan.FromDays(1) };
        var contract = Contract(new GatewayOptions { TimeProvider = clock }).WithRetry(policy);
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var submit = contract.SubmitTransactionAsync("move", new ProposalOptions(), guard.Token);
        while (_server.Requests<SignedCommitStatusRequest>("CommitStatus").Count == 0)
        {
            await Task.Delay(10, guard.Token);
        }
        await Task.Delay(200, guard.Token);

        // The clock stands still: the backoff has not ended.
        Assert.False(submit.IsCompleted);
        Assert.Single(_server.Requests<EndorseRequest>("Endorse"));

        clock.Advance(policy.MaxDelay);
        await submit.WaitAsync(guard.Token);
        Assert.Equal(2, _server.Requests<EndorseRequest>("Endorse").Count);
    }

    [Fact]
    public async Task Retry_is_bounded_and_throws_the_last_commit_exception()
    {
        for (var i = 0; i < 5; i++)
        {
            _server.EnqueueCommitStatus(TxValidationCode.MvccReadConflict, (ulong)(10 + i));
        }
        var contract = Contract().WithRetry(new ConflictRetryPolicy { MaxAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(1) });

        var error = await Assert.ThrowsAsync<CommitException>(() => contract.SubmitTransactionAsync("move"));

        var txIds = _server.Requests<EndorseRequest>("Endorse").Select(r => r.TransactionId).ToList();
        Assert.Equal(3, txIds.Count);
        Assert.Equal(TxValidationCode.MvccReadConflict, error.Code);
        Assert.Equal(12UL, error.BlockNumber);
        Assert.Equal(txIds[^1], error.TransactionId);
    }

    [Fact]
    public async Task Retry_leaves_other_commit_failures_alone()
    {
        _server.EnqueueCommitStatus(TxValidationCode.EndorsementPolicyFailure);
        var contract = Contract().WithRetry(new ConflictRetryPolicy { BaseDelay = TimeSpan.FromMilliseconds(1) });

        var error = await Assert.ThrowsAsync<CommitException>(() => contract.SubmitTransactionAsync("move"));

        Assert.Equal(TxValidationCode.EndorsementPolicyFailure, error.Code);
        Assert.Single(_server.Requests<EndorseRequest>("Endorse"));
    }

    [Fact]
    public async Task Retry_leaves_endorse_failures_alone()
    {
        _server.OnEndorse = (_, _) => throw Failure(StatusCode.Aborted, "failed to endorse");
        var contract = Contract().WithRetry(new ConflictRetryPolicy { BaseDelay = TimeSpan.FromMilliseconds(1) });

        await Assert.ThrowsAsync<EndorseException>(() => contract.SubmitTransactionAsync("move"));

        Assert.Single(_server.Requests<EndorseRequest>("Endorse"));
    }

    [Fact]
    public async Task Without_retry_a_read_conflict_is_thrown_at_once()
    {
        _server.EnqueueCommitStatus(TxValidationCode.MvccReadConflict);

        var error = await Assert.ThrowsAsync<CommitException>(() => Contract().SubmitTransactionAsync("move"));

        Assert.Equal(TxValidationCode.MvccReadConflict, error.Code);
        Assert.Single(_server.Requests<EndorseRequest>("Endorse"));
    }

    [Fact]
    public async Task A_connection_profile_connects_in_one_call()
    {
        var directory = Directory.CreateTempSubdirectory("zoncoin-connect-").FullName;
        try
        {
            var certPath = Path.Combine(directory, "cert.pem");
            var keyPath = Path.Combine(directory, "key.pem");
            await File.WriteAllBytesAsync(certPath, _client.CertificatePem);
            await File.WriteAllTextAsync(keyPath, _client.KeyPem);
            var profile = new ConnectionProfile
            {
                Name = "Org1",
                MspId = "Org1MSP",
                Gateway = new GatewayProfile { Endpoint = new Uri(_server.Address).Authority },
                Identity = new IdentityProfile { CertPath = certPath, KeyPath = keyPath },
                Channels = ["supplychain"],
            };

            using (var gateway = Gateway.Connect(profile))
            {
                await gateway.GetNetwork("supplychain").GetContract("trade").EvaluateTransactionAsync("read");
            }

            var request = Assert.Single(_server.Requests<EvaluateRequest>("Evaluate"));
            Assert.True(_client.Verifies(request.ProposedTransaction.ProposalBytes.Span, request.ProposedTransaction.Signature.Span));
            Assert.Throws<ArgumentException>(() => Gateway.Connect(profile, asAdmin: true));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
