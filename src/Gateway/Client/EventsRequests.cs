using System.Runtime.CompilerServices;
using Google.Protobuf;
using Grpc.Core;
using ZonCoin.Core.Crypto;
using ZonCoin.Core.Protocol;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Gateway;
using ZonCoin.Protos.Orderer;
using ZonCoin.Rpc.Services;
using ChaincodeEventsRequestMessage = ZonCoin.Protos.Gateway.ChaincodeEventsRequest;
using PeerDeliverResponse = ZonCoin.Protos.Peer.DeliverResponse;

namespace ZonCoin.Gateway.Client;

/// <summary>
/// A chaincode-events request ready to send (Fabric's <c>ChaincodeEventsRequest</c>): signed when sent, or carrying
/// a signature attached with <see cref="Gateway.NewSignedChaincodeEventsRequest"/>.
/// </summary>
public sealed class ChaincodeEventsRequest
{
    private readonly GatewayClient _client;
    private byte[]? _signature;

    internal ChaincodeEventsRequest(GatewayClient client, byte[] bytes, byte[]? signature)
    {
        _client = client;
        Bytes = bytes;
        _signature = signature;
        Digest = Hashing.Sha256(bytes);
    }

    /// <summary>The serialized <c>gateway.ChaincodeEventsRequest</c>: the bytes that are signed.</summary>
    public byte[] Bytes { get; }

    /// <summary>SHA-256 of <see cref="Bytes"/>: what an offline signer signs.</summary>
    public byte[] Digest { get; }

    /// <summary>
    /// Streams the chaincode's events until the caller stops enumerating (the call is then cancelled) or the
    /// gateway fails the stream (<see cref="GatewayException"/>).
    /// </summary>
    public async IAsyncEnumerable<ChaincodeEvent> GetEventsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        _signature ??= _client.Sign(Bytes, nameof(Gateway.NewSignedChaincodeEventsRequest));
        var request = new SignedChaincodeEventsRequest { Request = ByteString.CopyFrom(Bytes), Signature = ByteString.CopyFrom(_signature) };
        await foreach (var response in _client.ChaincodeEventsAsync(request, cancellationToken).ConfigureAwait(false))
        {
            foreach (var e in response.Events)
            {
                yield return new ChaincodeEvent(response.BlockNumber, e.TxId, e.ChaincodeId, e.EventName, e.Payload.ToByteArray());
            }
        }
    }

    /// <summary>The serialized request for a chaincode's events on a channel, from the options' start position.</summary>
    internal static byte[] NewRequestBytes(GatewayClient client, string channelName, string chaincodeName, ChaincodeEventsOptions? options)
    {
        var request = new ChaincodeEventsRequestMessage
        {
            ChannelId = channelName,
            ChaincodeId = chaincodeName,
            Identity = ByteString.CopyFrom(client.Creator),
        };
        if (options?.Checkpoint is { BlockNumber: { } checkpointBlock } checkpoint)
        {
            request.StartPosition = DeliverRequests.Specified(checkpointBlock);
            request.AfterTransactionId = checkpoint.TransactionId ?? "";
        }
        else if (options?.StartBlock is { } startBlock)
        {
            request.StartPosition = DeliverRequests.Specified(startBlock);
        }
        else
        {
            request.StartPosition = DeliverRequests.NextCommit();
        }
        return request.ToByteArray();
    }

    internal static ChaincodeEventsRequest FromBytes(GatewayClient client, byte[] bytes, byte[] signature)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        _ = Messages.Parse(ChaincodeEventsRequestMessage.Parser, bytes, "ChaincodeEventsRequest");
        return new ChaincodeEventsRequest(client, [.. bytes], signature);
    }
}

/// <summary>Which deliver service a block-events request reads, and what each response yields.</summary>
internal static class BlockEventsKinds
{
    public static readonly Func<PeerDeliverResponse, Block?> Blocks = r => r.Block;

    public static readonly Func<PeerDeliverResponse, Protos.Peer.FilteredBlock?> FilteredBlocks = r => r.FilteredBlock;

    public static readonly Func<PeerDeliverResponse, Protos.Peer.BlockAndPrivateData?> BlocksAndPrivateData = r => r.BlockAndPrivateData;
}

/// <summary>
/// A block-events request ready to send (Fabric's <c>BlockEventsRequest</c>, <c>FilteredBlockEventsRequest</c> and
/// <c>BlockAndPrivateDataEventsRequest</c>): one signed seek envelope, signed when sent or carrying a signature
/// attached with the matching <c>Gateway.NewSigned…EventsRequest</c>.
/// </summary>
/// <typeparam name="TEvent"><see cref="Block"/>, <see cref="Protos.Peer.FilteredBlock"/> or <see cref="Protos.Peer.BlockAndPrivateData"/>.</typeparam>
public sealed class BlockEventsRequest<TEvent>
    where TEvent : class
{
    private readonly GatewayClient _client;
    private readonly Method<Envelope, PeerDeliverResponse> _method;
    private readonly Func<PeerDeliverResponse, TEvent?> _select;
    private readonly string _offlineMethod;
    private byte[]? _signature;

    internal BlockEventsRequest(
        GatewayClient client, Method<Envelope, PeerDeliverResponse> method, Func<PeerDeliverResponse, TEvent?> select, string offlineMethod, byte[] bytes, byte[]? signature)
    {
        _client = client;
        _method = method;
        _select = select;
        _offlineMethod = offlineMethod;
        Bytes = bytes;
        _signature = signature;
        Digest = Hashing.Sha256(bytes);
    }

    /// <summary>The seek envelope's payload: the bytes that are signed.</summary>
    public byte[] Bytes { get; }

    /// <summary>SHA-256 of <see cref="Bytes"/>: what an offline signer signs.</summary>
    public byte[] Digest { get; }

    /// <summary>
    /// Streams blocks as they commit until the caller stops enumerating (the call is then cancelled). A status from
    /// the server ends the stream with a <see cref="GatewayException"/>.
    /// </summary>
    public async IAsyncEnumerable<TEvent> GetEventsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        _signature ??= _client.Sign(Bytes, _offlineMethod);
        var envelope = new Envelope { Payload = ByteString.CopyFrom(Bytes), Signature = ByteString.CopyFrom(_signature) };
        await foreach (var response in _client.DeliverAsync(_method, envelope, cancellationToken).ConfigureAwait(false))
        {
            if (_select(response) is { } item)
            {
                yield return item;
            }
        }
    }

    /// <summary>The seek payload for a channel's blocks from the options' start position, for ever.</summary>
    internal static byte[] NewRequestBytes(GatewayClient client, string channelName, BlockEventsOptions? options)
    {
        SeekPosition start;
        if (options?.Checkpoint?.BlockNumber is { } checkpointBlock)
        {
            start = DeliverRequests.Specified(checkpointBlock);
        }
        else if (options?.StartBlock is { } startBlock)
        {
            start = DeliverRequests.Specified(startBlock);
        }
        else
        {
            start = DeliverRequests.NextCommit();
        }
        var seek = DeliverRequests.Range(start, DeliverRequests.Specified(DeliverRequests.Forever));
        return DeliverRequests.CreatePayload(channelName, seek, client.Creator, client.TlsCertificateHash).ToByteArray();
    }

    internal static BlockEventsRequest<TEvent> FromBytes(
        GatewayClient client, Method<Envelope, PeerDeliverResponse> method, Func<PeerDeliverResponse, TEvent?> select, string offlineMethod, byte[] bytes, byte[] signature)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        _ = Messages.Parse(Payload.Parser, bytes, "Envelope.payload");
        return new BlockEventsRequest<TEvent>(client, method, select, offlineMethod, [.. bytes], signature);
    }
}

/// <summary>Deliver methods per kind of block event.</summary>
internal static class BlockEventsMethods
{
    public static Method<Envelope, PeerDeliverResponse> Blocks => PeerDeliverService.Deliver;

    public static Method<Envelope, PeerDeliverResponse> FilteredBlocks => PeerDeliverService.DeliverFiltered;

    public static Method<Envelope, PeerDeliverResponse> BlocksAndPrivateData => PeerDeliverService.DeliverWithPrivateData;
}
