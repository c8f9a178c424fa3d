using Google.Protobuf;
using ZonCoin.Core.Crypto;
using ZonCoin.Core.Protocol;
using ZonCoin.Protos.Gateway;

namespace ZonCoin.Gateway.Client;

/// <summary>
/// Asks for a submitted transaction's commit status (Fabric's <c>Commit</c>). The request is signed when sent, or
/// carries a signature attached with <see cref="Gateway.NewSignedCommit"/>.
/// </summary>
public class Commit : Signable
{
    /// <summary>Bytes: The serialized <c>CommitStatusRequest{transaction_id, channel_id, identity}</c>.</summary>
    internal Commit(GatewayClient client, byte[] bytes, string transactionId, string channelName, byte[]? signature)
        : base(client, bytes, transactionId, channelName, signature, nameof(Gateway.NewSignedCommit))
    {
    }

    /// <summary>Waits for the transaction to commit and returns its status (valid or not).</summary>
    public async Task<CommitStatus> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        var request = new SignedCommitStatusRequest { Request = ByteString.CopyFrom(Bytes), Signature = ByteString.CopyFrom(Signature()) };
        var response = await Client.CommitStatusAsync(request, TransactionId, cancellationToken).ConfigureAwait(false);
        return new CommitStatus(TransactionId, response.Result, response.BlockNumber);
    }

    /// <summary>The serialized commit-status request for a transaction, by this client's identity.</summary>
    internal static byte[] NewRequestBytes(GatewayClient client, string transactionId, string channelName) =>
        new CommitStatusRequest
        {
            TransactionId = transactionId,
            ChannelId = channelName,
            Identity = ByteString.CopyFrom(client.Creator),
        }.ToByteArray();

    /// <summary>Parses commit-status request bytes (for offline signing).</summary>
    internal static Commit FromBytes(GatewayClient client, byte[] bytes, byte[]? signature)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var request = Messages.Parse(CommitStatusRequest.Parser, bytes, "CommitStatusRequest");
        if (string.IsNullOrEmpty(request.TransactionId))
        {
            throw new ArgumentException("the commit-status request has no transaction id", nameof(bytes));
        }
        return new Commit(client, [.. bytes], request.TransactionId, request.ChannelId, signature);
    }
}

/// <summary>A transaction that was submitted for ordering, with its endorsed result (Fabric's <c>SubmittedTransaction</c>).</summary>
public sealed class SubmittedTransaction : Commit
{
    private readonly byte[] _result;

    internal SubmittedTransaction(GatewayClient client, byte[] bytes, string transactionId, string channelName, byte[] result)
        : base(client, bytes, transactionId, channelName, null)
    {
        _result = result;
    }

    /// <summary>The transaction function's result, as endorsed.</summary>
    public byte[] Result => [.. _result];
}
