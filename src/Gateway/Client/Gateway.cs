using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using ZonCoin.Core.Crypto;
using ZonCoin.Core.Protocol;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Peer;
using ZonCoin.Rpc.Client;

namespace ZonCoin.Gateway.Client;

/// <summary>
/// A connection to a Fabric gateway as one client identity (Fabric's <c>Gateway</c>). Thread-safe. Without a
/// signer, operations that need a signature throw <see cref="InvalidOperationException"/>: sign the objects'
/// <c>Digest</c> elsewhere and attach the signature with the <c>NewSigned…</c> methods.
/// </summary>
public sealed class Gateway : IDisposable
{
    private readonly GatewayClient _client;
    private readonly GrpcChannel? _ownedChannel;
    private readonly IDisposable? _ownedSigner;

    private Gateway(GatewayClient client, GrpcChannel? ownedChannel, IDisposable? ownedSigner)
    {
        _client = client;
        _ownedChannel = ownedChannel;
        _ownedSigner = ownedSigner;
    }

    /// <summary>The client identity.</summary>
    public IIdentity Identity => _client.Identity;

    /// <summary>The deadlines in use.</summary>
    public GatewayOptions Options => _client.Options;

    /// <summary>
    /// Connects over the application's gRPC channel (a <see cref="GrpcChannel"/> with its own settings), which the
    /// gateway does not own (dispose it yourself), as Fabric's client takes a gRPC connection.
    /// <paramref name="signer"/> may be null for offline signing. Under mutual TLS, set
    /// <see cref="GatewayOptions.TlsClientCertificateHash"/> so block-events requests are bound to the certificate.
    /// </summary>
    public static Gateway Connect(ChannelBase channel, IIdentity identity, ISigner? signer, GatewayOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(channel);
        return Connect(channel.CreateCallInvoker(), identity, signer, options);
    }

    /// <summary>
    /// Connects through the application's call invoker, e.g. a channel with interceptors
    /// (<c>channel.Intercept(…)</c>) for telemetry or retries. The gateway does not own it.
    /// </summary>
    public static Gateway Connect(CallInvoker invoker, IIdentity identity, ISigner? signer, GatewayOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(invoker);
        ArgumentNullException.ThrowIfNull(identity);
        return new Gateway(new GatewayClient(invoker, identity, signer, options ?? new GatewayOptions()), ownedChannel: null, ownedSigner: null);
    }

    /// <summary>
    /// Connects as a connection profile's user (or its admin when <paramref name="asAdmin"/>): loads the
    /// certificate and key and opens a channel to the gateway, which this gateway owns.
    /// </summary>
    public static Gateway Connect(ConnectionProfile profile, GatewayOptions? options = null, bool asAdmin = false)
    {
        ArgumentNullException.ThrowIfNull(profile);
        profile.Validate("connection profile");
        var files = asAdmin
            ? profile.Admin ?? throw new ArgumentException($"connection profile '{profile.Name}' has no admin identity", nameof(profile))
            : profile.Identity;
        var identity = X509Identity.FromFile(profile.MspId, files.CertPath);
        var signer = Signers.FromPemFile(files.KeyPath);
        GrpcChannel? channel = null;
        try
        {
            channel = OpenChannel(profile.Gateway);
            return new Gateway(new GatewayClient(channel.CreateCallInvoker(), identity, signer, options ?? new GatewayOptions()), channel, ownedSigner: signer);
        }
        catch
        {
            channel?.Dispose();
            signer.Dispose();
            throw;
        }
    }

    /// <summary>A channel (network) seen through this gateway.</summary>
    public Network GetNetwork(string channelName)
    {
        ArgumentException.ThrowIfNullOrEmpty(channelName);
        return new Network(_client, channelName);
    }

    /// <summary>A proposal from its <see cref="Signable.Bytes"/> and a signature over its <see cref="Signable.Digest"/>.</summary>
    public Proposal NewSignedProposal(byte[] bytes, byte[] signature) =>
        Offline(() => Proposal.FromBytes(_client, bytes, Required(signature)), nameof(bytes));

    /// <summary>A transaction from its <see cref="Signable.Bytes"/> and a signature over its <see cref="Signable.Digest"/>.</summary>
    public Transaction NewSignedTransaction(byte[] bytes, byte[] signature) =>
        Offline(() => Transaction.FromPayload(_client, bytes, Required(signature)), nameof(bytes));

    /// <summary>A commit-status request from its <see cref="Signable.Bytes"/> and a signature over its <see cref="Signable.Digest"/>.</summary>
    public Commit NewSignedCommit(byte[] bytes, byte[] signature) =>
        Offline(() => Commit.FromBytes(_client, bytes, Required(signature)), nameof(bytes));

    /// <summary>A chaincode-events request from its bytes and a signature over its digest.</summary>
    public ChaincodeEventsRequest NewSignedChaincodeEventsRequest(byte[] bytes, byte[] signature) =>
        Offline(() => ChaincodeEventsRequest.FromBytes(_client, bytes, Required(signature)), nameof(bytes));

    /// <summary>A block-events request from its bytes and a signature over its digest.</summary>
    public BlockEventsRequest<Block> NewSignedBlockEventsRequest(byte[] bytes, byte[] signature) =>
        Offline(() => BlockEventsRequest<Block>.FromBytes(_client, BlockEventsMethods.Blocks, BlockEventsKinds.Blocks,
            nameof(NewSignedBlockEventsRequest), bytes, Required(signature)), nameof(bytes));

    /// <summary>A filtered-block-events request from its bytes and a signature over its digest.</summary>
    public BlockEventsRequest<FilteredBlock> NewSignedFilteredBlockEventsRequest(byte[] bytes, byte[] signature) =>
        Offline(() => BlockEventsRequest<FilteredBlock>.FromBytes(_client, BlockEventsMethods.FilteredBlocks, BlockEventsKinds.FilteredBlocks,
            nameof(NewSignedFilteredBlockEventsRequest), bytes, Required(signature)), nameof(bytes));

    /// <summary>A block-and-private-data-events request from its bytes and a signature over its digest.</summary>
    public BlockEventsRequest<BlockAndPrivateData> NewSignedBlockAndPrivateDataEventsRequest(byte[] bytes, byte[] signature) =>
        Offline(() => BlockEventsRequest<BlockAndPrivateData>.FromBytes(_client, BlockEventsMethods.BlocksAndPrivateData, BlockEventsKinds.BlocksAndPrivateData,
            nameof(NewSignedBlockAndPrivateDataEventsRequest), bytes, Required(signature)), nameof(bytes));

    /// <summary>Closes the channel and key if this gateway opened them (<see cref="Connect(ConnectionProfile, GatewayOptions?, bool)"/>).</summary>
    public void Dispose()
    {
        _ownedChannel?.Dispose();
        _ownedSigner?.Dispose();
    }

    private static GrpcChannel OpenChannel(GatewayProfile gateway)
    {
        if (gateway.TlsRootCertPath is null)
        {
            return RpcChannels.ForAddress($"http://{gateway.Endpoint}");
        }
        var roots = new X509Certificate2Collection();
        roots.AddRange(Pem.ReadCertificates(File.ReadAllText(gateway.TlsRootCertPath)).ToArray());
        return RpcChannels.ForAddress($"https://{gateway.Endpoint}", new RpcChannelOptions
        {
            RootCertificates = roots,
            ServerNameOverride = gateway.HostnameOverride,
        });
    }

    private static byte[] Required(byte[] signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        if (signature.Length == 0)
        {
            throw new ArgumentException("the signature is empty", nameof(signature));
        }
        return [.. signature];
    }

    private static T Offline<T>(Func<T> create, string parameter)
    {
        try
        {
            return create();
        }
        catch (MalformedMessageException ex)
        {
            throw new ArgumentException($"not the bytes of this kind of request: {ex.Message}", parameter, ex);
        }
    }
}
