using System.Collections.Concurrent;
using System.Net;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ZonCoin.Core.Protocol;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Gateway;
using ZonCoin.Protos.Peer;
using ZonCoin.Rpc.Server;
using ZonCoin.Rpc.Services;
using PeerDeliverResponse = ZonCoin.Protos.Peer.DeliverResponse;

namespace ZonCoin.Gateway.Client.Tests.Support;

/// <summary>One request the fake server received: the method, the message and how long the client's deadline left.</summary>
internal sealed record ReceivedCall(string Method, IMessage Request, TimeSpan? DeadlineRemaining);

/// <summary>
/// A fake <c>gateway.Gateway</c> + <c>protos.Deliver</c> server on our Rpc server (Kestrel, 127.0.0.1, ephemeral
/// port). It records every request and answers with scripted behaviour; by default it endorses properly (Core's
/// endorsement builders), submits, and reports VALID in block 7.
/// </summary>
internal sealed class FakeGatewayServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedCall> _calls = new();
    private readonly ConcurrentQueue<(TxValidationCode Code, ulong Block)> _commitStatuses = new();
    private readonly TestIdentity _endorser = new("Org1MSP", "peer0");

    private FakeGatewayServer(WebApplication app)
    {
        _app = app;
    }

    public string Address { get; private set; } = "";

    public IReadOnlyList<ReceivedCall> Calls => [.. _calls];

    /// <summary>The chaincode result the default Endorse and Evaluate return.</summary>
    public byte[] Result { get; set; } = "result"u8.ToArray();

    public Func<EvaluateRequest, ServerCallContext, Task<EvaluateResponse>>? OnEvaluate { get; set; }

    public Func<EndorseRequest, ServerCallContext, Task<EndorseResponse>>? OnEndorse { get; set; }

    public Func<SubmitRequest, ServerCallContext, Task<SubmitResponse>>? OnSubmit { get; set; }

    public Func<SignedCommitStatusRequest, ServerCallContext, Task<CommitStatusResponse>>? OnCommitStatus { get; set; }

    /// <summary>Chaincode-events responses to stream; the stream then stays open until the client cancels.</summary>
    public IReadOnlyList<ChaincodeEventsResponse> ChaincodeEvents { get; set; } = [];

    /// <summary>An error to end the chaincode-events stream with after <see cref="ChaincodeEvents"/>, instead of waiting.</summary>
    public RpcException? ChaincodeEventsError { get; set; }

    /// <summary>Deliver responses to stream; the stream then stays open until the client cancels.</summary>
    public IReadOnlyList<PeerDeliverResponse> DeliverResponses { get; set; } = [];

    /// <summary>Completes when a streaming call is cancelled by the client (the client stopped reading).</summary>
    public TaskCompletionSource StreamCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Commit statuses to answer, in order; when empty, VALID in block 7.</summary>
    public void EnqueueCommitStatus(TxValidationCode code, ulong block = 7) => _commitStatuses.Enqueue((code, block));

    public IReadOnlyList<T> Requests<T>(string method)
        where T : IMessage => [.. _calls.Where(c => c.Method.EndsWith("/" + method, StringComparison.Ordinal)).Select(c => (T)c.Request)];

    public static async Task<FakeGatewayServer> StartAsync(RpcServerTlsOptions? tls = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenRpc(new IPEndPoint(IPAddress.Loopback, 0), tls));
        builder.Services.AddRpc();
        FakeGatewayServer? server = null;
        builder.Services.AddSingleton(_ => server!);
        builder.Services.AddRpcService<FakeGatewayServer>(methods => server!.Register(methods));
        var app = builder.Build();
        server = new FakeGatewayServer(app);
        app.MapGrpcService<FakeGatewayServer>();
        await app.StartAsync();
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(bound.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)).Port;
        server.Address = $"{(tls is null ? "http" : "https")}://127.0.0.1:{port}";
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _endorser.Dispose();
    }

    private void Record(string method, IMessage request, ServerCallContext context) =>
        _calls.Enqueue(new ReceivedCall(method, request, context.Deadline == DateTime.MaxValue ? null : context.Deadline - DateTime.UtcNow));

    private void Register(RpcServiceBinder<FakeGatewayServer> methods)
    {
        methods.Unary(GatewayService.Evaluate, (_, request, context) =>
        {
            Record(GatewayService.Evaluate.FullName, request, context);
            return OnEvaluate?.Invoke(request, context)
                ?? Task.FromResult(new EvaluateResponse { Result = new Response { Status = 200, Payload = ByteString.CopyFrom(Result) } });
        });
        methods.Unary(GatewayService.Endorse, (_, request, context) =>
        {
            Record(GatewayService.Endorse.FullName, request, context);
            return OnEndorse?.Invoke(request, context) ?? Task.FromResult(Endorse(request));
        });
        methods.Unary(GatewayService.Submit, (_, request, context) =>
        {
            Record(GatewayService.Submit.FullName, request, context);
            return OnSubmit?.Invoke(request, context) ?? Task.FromResult(new SubmitResponse());
        });
        methods.Unary(GatewayService.CommitStatus, (_, request, context) =>
        {
            Record(GatewayService.CommitStatus.FullName, request, context);
            if (OnCommitStatus is { } handler)
            {
                return handler(request, context);
            }
            var (code, block) = _commitStatuses.TryDequeue(out var next) ? next : (TxValidationCode.Valid, 7UL);
            return Task.FromResult(new CommitStatusResponse { Result = code, BlockNumber = block });
        });
        methods.ServerStreaming(GatewayService.ChaincodeEvents, async (FakeGatewayServer _, SignedChaincodeEventsRequest request, IServerStreamWriter<ChaincodeEventsResponse> stream, ServerCallContext context) =>
        {
            Record(GatewayService.ChaincodeEvents.FullName, request, context);
            foreach (var response in ChaincodeEvents)
            {
                await stream.WriteAsync(response);
            }
            if (ChaincodeEventsError is { } error)
            {
                throw error;
            }
            await WaitForCancellationAsync(context);
        });
        foreach (var method in new[] { PeerDeliverService.Deliver, PeerDeliverService.DeliverFiltered, PeerDeliverService.DeliverWithPrivateData })
        {
            methods.Duplex(method, async (FakeGatewayServer _, IAsyncStreamReader<Envelope> requests, IServerStreamWriter<PeerDeliverResponse> responses, ServerCallContext context) =>
            {
                if (!await requests.MoveNext(context.CancellationToken))
                {
                    return;
                }
                Record(method.FullName, requests.Current, context);
                foreach (var response in DeliverResponses)
                {
                    await responses.WriteAsync(response);
                    if (response.TypeCase == PeerDeliverResponse.TypeOneofCase.Status)
                    {
                        return;
                    }
                }
                await WaitForCancellationAsync(context);
            });
        }
    }

    private async Task WaitForCancellationAsync(ServerCallContext context)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
        }
        catch (OperationCanceledException)
        {
            StreamCancelled.TrySetResult();
        }
    }

    /// <summary>Endorses as a real gateway would: the prepared envelope Core builds from the proposal and one endorsement.</summary>
    private EndorseResponse Endorse(EndorseRequest request)
    {
        var proposal = Proposals.Unpack(request.ProposedTransaction);
        var result = new SimulationResult(
            new ChaincodeID { Name = proposal.ChaincodeName, Version = "1.0" },
            new Response { Status = 200, Payload = ByteString.CopyFrom(Result) },
            ByteString.Empty,
            null);
        var endorsement = Endorsements.Endorse(proposal, result, _endorser.SigningIdentity);
        return new EndorseResponse { PreparedTransaction = Endorsements.CreateTransaction(proposal, [endorsement]) };
    }
}
