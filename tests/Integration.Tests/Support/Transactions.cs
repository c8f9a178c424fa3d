using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Net.Client;
using ZonCoin.Core.Protocol;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Orderer;
using ZonCoin.Rpc.Client;
using ZonCoin.Rpc.Services;

namespace ZonCoin.Integration.Tests.Support;

/// <summary>Envelopes and block reads for orderer tests.</summary>
internal static class Transactions
{
    /// <summary>A signed ENDORSER_TRANSACTION-typed envelope carrying <paramref name="size"/> random bytes.</summary>
    public static Envelope Create(string channelId, SigningIdentity signer, int size = 100)
    {
        var data = new byte[size];
        Random.Shared.NextBytes(data);
        return Envelopes.CreateSigned(HeaderType.EndorserTransaction, channelId, new BytesValue { Value = ByteString.CopyFrom(data) }, signer);
    }

    public static string TxId(ByteString envelopeBytes) => TxId(Envelope.Parser.ParseFrom(envelopeBytes));

    public static string TxId(Envelope envelope) => Envelopes.Unpack(envelope).ChannelHeader.TxId;

    /// <summary>Reads blocks <paramref name="start"/>..<paramref name="stop"/> (waiting for them) from an orderer.</summary>
    public static async Task<IReadOnlyList<Block>> ReadBlocksAsync(
        GrpcChannel channel, string channelId, SigningIdentity reader, ulong start, ulong stop, byte[]? tlsCertHash = null, CancellationToken cancellationToken = default)
    {
        var request = DeliverRequests.Create(channelId, DeliverRequests.Range(DeliverRequests.Specified(start), DeliverRequests.Specified(stop)), reader, tlsCertHash);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        return await DeliverClient.ReadBlocksAsync(channel.CreateCallInvoker(), request, timeout.Token);
    }

    /// <summary>The statuses and blocks of one deliver request, as they arrive.</summary>
    public static async Task<(IReadOnlyList<Block> Blocks, Status? Status)> SeekAsync(GrpcChannel channel, Envelope request)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var blocks = new List<Block>();
        await foreach (var response in DeliverClient.ReadAsync(channel.CreateCallInvoker(), request, timeout.Token))
        {
            if (response.TypeCase == DeliverResponse.TypeOneofCase.Block)
            {
                blocks.Add(response.Block);
            }
            else
            {
                return (blocks, response.Status);
            }
        }
        return (blocks, null);
    }
}
