using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using ZonCoin.Core.Identity;
using ZonCoin.Core.Protocol;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Lifecycle;
using ZonCoin.Protos.Peer;
using ZonCoin.Rpc.Client;
using ZonCoin.Rpc.Services;

namespace ZonCoin.Cli.Lifecycle;

/// <summary>An organisation taking part in a lifecycle command: its admin identity and the gRPC address of one of its peers.</summary>
internal sealed record OrgAdmin(string MspId, SigningIdentity Identity, string PeerAddress)
{
    public static OrgAdmin Load(string mspId, string adminMspDirectory, string peerAddress) =>
        new(mspId, MspDirectory.LoadSigningIdentity(adminMspDirectory, mspId), peerAddress);
}

/// <summary>
/// How the CLI reaches peers and orderers over gRPC: h2c when <paramref name="Roots"/> is empty, otherwise TLS trusting
/// those CAs and presenting <paramref name="ClientCertificate"/> (mutual TLS) when given.
/// </summary>
internal sealed record GrpcConnections(X509Certificate2Collection Roots, X509Certificate2? ClientCertificate)
{
    public static GrpcConnections Load(IReadOnlyList<string> caFiles, string? clientCertFile, string? clientKeyFile)
    {
        var roots = new X509Certificate2Collection();
        foreach (var file in caFiles)
        {
            roots.ImportFromPemFile(file);
        }
        if ((clientCertFile is null) != (clientKeyFile is null))
        {
            throw new ArgumentException("--client-cert and --client-key go together");
        }
        X509Certificate2? client = null;
        if (clientCertFile is not null)
        {
            if (roots.Count == 0)
            {
                throw new ArgumentException("--client-cert needs --ca-file (TLS)");
            }
            using var pem = X509Certificate2.CreateFromPemFile(clientCertFile, clientKeyFile);
            client = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        return new GrpcConnections(roots, client);
    }

    public GrpcChannel Connect(string address) => Roots.Count == 0
        ? RpcChannels.ForAddress($"http://{address}")
        : RpcChannels.ForAddress($"https://{address}", new RpcChannelOptions { RootCertificates = Roots, ClientCertificate = ClientCertificate });

    public byte[]? ClientCertificateHash => ClientCertificate is null ? null : System.Security.Cryptography.SHA256.HashData(ClientCertificate.RawData);
}

/// <summary>
/// Drives the peer's <c>_lifecycle</c> system chaincode as Fabric's <c>peer lifecycle chaincode</c> does (or, given
/// another namespace, <c>_governance</c>): signed proposals to org peers, the endorsed transaction broadcast to an
/// orderer, and the commit awaited on a peer's DeliverFiltered stream (VALID, else an error naming the validation code).
/// </summary>
internal sealed class LifecycleClient
{
    public const string Namespace = "_lifecycle";

    private readonly GrpcConnections _connections;
    private readonly string _channelId;
    private readonly TimeSpan _timeout;
    private readonly string _namespace;

    public LifecycleClient(GrpcConnections connections, string channelId, TimeSpan timeout, string systemChaincode = Namespace)
    {
        _connections = connections;
        _channelId = channelId;
        _timeout = timeout;
        _namespace = systemChaincode;
    }

    public GrpcConnections Connections => _connections;

    public string ChannelId => _channelId;

    public TimeSpan Timeout => _timeout;

    /// <summary>The committed definition of <paramref name="name"/>, or null when none is committed.</summary>
    public async Task<ChaincodeDefinition?> QueryDefinitionAsync(OrgAdmin org, string name, CancellationToken cancellationToken)
    {
        var response = await EvaluateAsync(org, ["QueryChaincodeDefinition", name], cancellationToken).ConfigureAwait(false);
        if (response.Response.Status == 404)
        {
            return null;
        }
        EnsureSuccess(org, response);
        return ChaincodeDefinition.Parser.ParseFrom(response.Response.Payload);
    }

    public async Task<ChaincodeDefinitions> QueryDefinitionsAsync(OrgAdmin org, CancellationToken cancellationToken)
    {
        var response = await EvaluateAsync(org, ["QueryChaincodeDefinitions"], cancellationToken).ConfigureAwait(false);
        EnsureSuccess(org, response);
        return ChaincodeDefinitions.Parser.ParseFrom(response.Response.Payload);
    }

    /// <summary>Approves the definition for <paramref name="org"/> and waits until the approval is committed.</summary>
    public Task<(string TxId, ulong Block)> ApproveAsync(OrgAdmin org, ChaincodeDefinition definition, string orderer, CancellationToken cancellationToken) =>
        SubmitAsync(org, [org], "ApproveChaincodeDefinitionForMyOrg", definition, orderer, cancellationToken);

    /// <summary>Commits the definition with endorsements from the peer of every org given; the first org signs and waits.</summary>
    public Task<(string TxId, ulong Block)> CommitAsync(IReadOnlyList<OrgAdmin> orgs, ChaincodeDefinition definition, string orderer, CancellationToken cancellationToken) =>
        SubmitAsync(orgs[0], orgs, "CommitChaincodeDefinition", definition, orderer, cancellationToken);

    private Task<(string TxId, ulong Block)> SubmitAsync(
        OrgAdmin submitter, IReadOnlyList<OrgAdmin> endorsers, string function, ChaincodeDefinition definition, string orderer, CancellationToken cancellationToken) =>
        SubmitAsync(submitter, endorsers, [System.Text.Encoding.UTF8.GetBytes(function), definition.ToByteArray()], orderer, cancellationToken);

    /// <summary>
    /// Endorses <paramref name="args"/> on every endorser's peer (as <paramref name="submitter"/>), broadcasts the
    /// transaction to <paramref name="orderer"/>, waits until the submitter's peer commits it VALID and every endorser's
    /// peer has its block.
    /// </summary>
    public async Task<(string TxId, ulong Block)> SubmitAsync(
        OrgAdmin submitter, IReadOnlyList<OrgAdmin> endorsers, IReadOnlyList<byte[]> args, string orderer, CancellationToken cancellationToken)
    {
        if (endorsers.Count > 1)
        {
            await CatchUpAsync(endorsers, cancellationToken).ConfigureAwait(false);
        }
        var invocation = new ChaincodeInvocation(_channelId, _namespace, args);
        var (signed, txId) = Proposals.Create(invocation, submitter.Identity);
        var responses = await Task.WhenAll(endorsers.Select(org => ProcessAsync(org, signed, cancellationToken))).ConfigureAwait(false);
        for (var i = 0; i < responses.Length; i++)
        {
            EnsureSuccess(endorsers[i], responses[i]);
        }
        var envelope = Endorsements.Sign(Endorsements.CreateTransaction(Proposals.Unpack(signed), responses), submitter.Identity);
        var block = await BroadcastAndWaitAsync(submitter, envelope, txId, orderer, cancellationToken).ConfigureAwait(false);
        // As Fabric's CLI waits for the commit event on every peer it endorsed on: each has the block when this returns.
        await Task.WhenAll(endorsers.Where(org => org.PeerAddress != submitter.PeerAddress)
            .Select(org => ReadBlockAsync(org, DeliverRequests.Specified(block), cancellationToken))).ConfigureAwait(false);
        return (txId, block);
    }

    /// <summary>
    /// Waits until every endorser's peer has the block the furthest of them has committed. Peers that simulate from
    /// different heights read different versions (an approval one of them has not committed yet, say), and their
    /// responses could not be combined into one transaction; and a peer behind the others would answer a query with
    /// an older state (a vote another org's peer has already committed, say).
    /// </summary>
    public async Task CatchUpAsync(IReadOnlyList<OrgAdmin> endorsers, CancellationToken cancellationToken)
    {
        var newest = await Task.WhenAll(endorsers.Select(org => ReadBlockAsync(org, DeliverRequests.Newest(), cancellationToken))).ConfigureAwait(false);
        var highest = newest.Max();
        await Task.WhenAll(endorsers.Where((_, i) => newest[i] < highest)
            .Select(org => ReadBlockAsync(org, DeliverRequests.Specified(highest), cancellationToken))).ConfigureAwait(false);
    }

    /// <summary>The number of the block at <paramref name="position"/> on the org's peer, waiting until the peer has it.</summary>
    private async Task<ulong> ReadBlockAsync(OrgAdmin org, ZonCoin.Protos.Orderer.SeekPosition position, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        using var peer = _connections.Connect(org.PeerAddress);
        var seek = DeliverRequests.Create(_channelId, DeliverRequests.Range(position, position), org.Identity, _connections.ClientCertificateHash);
        try
        {
            await foreach (var response in PeerDeliverClient.ReadAsync(peer.CreateCallInvoker(), PeerDeliverService.DeliverFiltered, seek, timeout.Token).ConfigureAwait(false))
            {
                return response.TypeCase == DeliverResponse.TypeOneofCase.FilteredBlock
                    ? response.FilteredBlock.Number
                    : throw new InvalidOperationException($"peer {org.PeerAddress} ({org.MspId}) refused DeliverFiltered on channel '{_channelId}': {Describe(response)}");
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException($"peer {org.PeerAddress} ({org.MspId}) did not reach the other endorsers' height on channel '{_channelId}' within {_timeout.TotalSeconds:0} s");
        }
        catch (RpcException ex)
        {
            throw new InvalidOperationException($"peer {org.PeerAddress} ({org.MspId}) failed: {ex.Status.StatusCode} {ex.Status.Detail}", ex);
        }
        throw new InvalidOperationException($"peer {org.PeerAddress} ({org.MspId}) ended DeliverFiltered on channel '{_channelId}' without a block");
    }

    /// <summary>
    /// Opens the peer's DeliverFiltered from its newest block, then broadcasts, then reads blocks until the
    /// transaction appears: no commit can slip between the two.
    /// </summary>
    private async Task<ulong> BroadcastAndWaitAsync(OrgAdmin org, Envelope envelope, string txId, string orderer, CancellationToken cancellationToken)
    {
        var (block, transaction) = await BroadcastAndWaitAsync(org, envelope, $"transaction {txId}", orderer, filtered => Find(filtered, txId), cancellationToken).ConfigureAwait(false);
        return Verdict(transaction, block, txId);
    }

    /// <summary>
    /// Broadcasts <paramref name="envelope"/> (<paramref name="what"/> in messages) and reads the peer's filtered blocks
    /// from its newest until <paramref name="match"/> finds the transaction it waits for.
    /// </summary>
    public async Task<(ulong Block, FilteredTransaction Transaction)> BroadcastAndWaitAsync(
        OrgAdmin org, Envelope envelope, string what, string orderer, Func<FilteredBlock, FilteredTransaction?> match, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(org);
        ArgumentNullException.ThrowIfNull(match);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        using var peer = _connections.Connect(org.PeerAddress);
        var seek = DeliverRequests.Create(_channelId, DeliverRequests.Range(DeliverRequests.Newest(), DeliverRequests.Specified(ulong.MaxValue)),
            org.Identity, _connections.ClientCertificateHash);
        var blocks = PeerDeliverClient.ReadAsync(peer.CreateCallInvoker(), PeerDeliverService.DeliverFiltered, seek, timeout.Token).GetAsyncEnumerator(timeout.Token);
        try
        {
            try
            {
                if (!await blocks.MoveNextAsync().ConfigureAwait(false) || blocks.Current.TypeCase != DeliverResponse.TypeOneofCase.FilteredBlock)
                {
                    throw new InvalidOperationException($"peer {org.PeerAddress} refused DeliverFiltered on channel '{_channelId}': {Describe(blocks.Current)}");
                }
                if (match(blocks.Current.FilteredBlock) is { } early)
                {
                    return (blocks.Current.FilteredBlock.Number, early);
                }
                using (var ordererChannel = _connections.Connect(orderer))
                {
                    await using var session = new BroadcastSession(ordererChannel.CreateCallInvoker());
                    var answer = await session.SendAsync(envelope, timeout.Token).ConfigureAwait(false);
                    if (answer.Status != ZonCoin.Protos.Common.Status.Success)
                    {
                        throw new InvalidOperationException($"orderer {orderer} refused {what}: {(int)answer.Status} {answer.Status} {answer.Info}");
                    }
                }
                while (await blocks.MoveNextAsync().ConfigureAwait(false))
                {
                    if (blocks.Current.TypeCase != DeliverResponse.TypeOneofCase.FilteredBlock)
                    {
                        throw new InvalidOperationException($"peer {org.PeerAddress} ended DeliverFiltered: {Describe(blocks.Current)}");
                    }
                    if (match(blocks.Current.FilteredBlock) is { } found)
                    {
                        return (blocks.Current.FilteredBlock.Number, found);
                    }
                }
                throw new InvalidOperationException($"peer {org.PeerAddress} ended DeliverFiltered before {what} was committed");
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new InvalidOperationException($"{what} was not committed on peer {org.PeerAddress} within {_timeout.TotalSeconds:0} s");
            }
            catch (RpcException ex) when (ex.StatusCode != StatusCode.Cancelled)
            {
                throw new InvalidOperationException($"{what}: peer {org.PeerAddress} ({org.MspId}) or orderer {orderer} failed: {ex.Status.StatusCode} {ex.Status.Detail}", ex);
            }
        }
        finally
        {
            await blocks.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static FilteredTransaction? Find(FilteredBlock block, string txId) => block.FilteredTransactions.FirstOrDefault(t => t.Txid == txId);

    private static ulong Verdict(FilteredTransaction transaction, ulong block, string txId) =>
        transaction.TxValidationCode == TxValidationCode.Valid
            ? block
            : throw new InvalidOperationException($"transaction {txId} was committed in block {block} as invalid: {transaction.TxValidationCode.ToString().ToUpperSnakeCase()}");

    private static string Describe(DeliverResponse? response) => response is null ? "no response" : response.TypeCase == DeliverResponse.TypeOneofCase.Status
        ? $"status {(int)response.Status} {response.Status}"
        : response.TypeCase.ToString();

    private Task<ProposalResponse> EvaluateAsync(OrgAdmin org, string[] args, CancellationToken cancellationToken) =>
        EvaluateAsync(org, [.. args.Select(System.Text.Encoding.UTF8.GetBytes)], cancellationToken);

    /// <summary>Runs <paramref name="args"/> on the org's peer without submitting; the peer's response as it is.</summary>
    public async Task<ProposalResponse> EvaluateAsync(OrgAdmin org, IReadOnlyList<byte[]> args, CancellationToken cancellationToken)
    {
        var (signed, _) = Proposals.Create(new ChaincodeInvocation(_channelId, _namespace, args), org.Identity);
        return await ProcessAsync(org, signed, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ProposalResponse> ProcessAsync(OrgAdmin org, SignedProposal proposal, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        using var channel = _connections.Connect(org.PeerAddress);
        try
        {
            using var call = channel.CreateCallInvoker().AsyncUnaryCall(EndorserService.ProcessProposal, null, new CallOptions(cancellationToken: timeout.Token), proposal);
            return await call.ResponseAsync.ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            throw new InvalidOperationException($"peer {org.PeerAddress} ({org.MspId}) failed: {ex.Status.StatusCode} {ex.Status.Detail}", ex);
        }
    }

    public static void EnsureSuccess(OrgAdmin org, ProposalResponse response)
    {
        if (response.Response is null || response.Response.Status is < 200 or >= 400)
        {
            throw new InvalidOperationException($"peer {org.PeerAddress} ({org.MspId}) answered {response.Response?.Status}: {response.Response?.Message}");
        }
    }
}

internal static class EnumNames
{
    /// <summary><c>MvccReadConflict</c> → <c>MVCC_READ_CONFLICT</c>, as Fabric prints validation codes.</summary>
    public static string ToUpperSnakeCase(this string name)
    {
        var builder = new System.Text.StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]) && !char.IsUpper(name[i - 1]))
            {
                builder.Append('_');
            }
            builder.Append(char.ToUpperInvariant(name[i]));
        }
        return builder.ToString();
    }
}
