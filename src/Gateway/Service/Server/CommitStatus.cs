using Grpc.Core;
using ZonCoin.Gateway.Channels;
using ZonCoin.Protos.Gateway;
using ZonCoin.Rpc.Server;

namespace ZonCoin.Gateway.Server;

internal sealed partial class GatewayServer
{
    /// <summary>
    /// <c>/gateway.Gateway/CommitStatus</c>: the signed request must satisfy the channel's Readers policy and come from
    /// the transaction's creator; waits (up to the commit-status timeout) until the transaction commits on the
    /// gateway's peer and returns its validation code and block number.
    /// </summary>
    public async Task<CommitStatusResponse> CommitStatusAsync(SignedCommitStatusRequest signed, ServerCallContext context)
    {
        if (signed.Request.IsEmpty)
        {
            throw GatewayErrors.Create(StatusCode.InvalidArgument, "a commit status request is required");
        }
        CommitStatusRequest request;
        try
        {
            request = CommitStatusRequest.Parser.ParseFrom(signed.Request);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException ex)
        {
            throw GatewayErrors.Create(StatusCode.InvalidArgument, $"invalid commit status request: {ex.Message}");
        }
        if (string.IsNullOrEmpty(request.TransactionId))
        {
            throw GatewayErrors.Create(StatusCode.InvalidArgument, "a transaction id is required");
        }
        var channel = await ChannelAsync(request.ChannelId, context.CancellationToken).ConfigureAwait(false);
        CheckReaders(channel.Resources, signed.Request.ToByteArray(), request.Identity.ToByteArray(), signed.Signature.ToByteArray());

        var result = await WaitForCommitAsync(channel, request.TransactionId, context.CancellationToken).ConfigureAwait(false);
        if (!result.CreatedBy(request.Identity.Span))
        {
            throw GatewayErrors.Create(StatusCode.PermissionDenied,
                $"access denied: the commit status of transaction {request.TransactionId} is only given to the identity that created it");
        }
        return new CommitStatusResponse { Result = result.Code, BlockNumber = result.BlockNumber };
    }

    private async Task<CommitResult> WaitForCommitAsync(GatewayChannel channel, string txId, CancellationToken cancellationToken)
    {
        if (channel.Commits.Find(txId) is { } seen)
        {
            return seen;
        }
        using var registration = channel.Commits.Register(txId);
        if (!registration.Committed.IsCompleted && !channel.WasSubmitted(txId))
        {
            // Committed before the gateway followed the channel, or submitted elsewhere: ask the ledger.
            if (await channel.LookUpAsync(txId, cancellationToken).ConfigureAwait(false) is { } stored)
            {
                return stored;
            }
        }
        try
        {
            return await registration.Committed.WaitAsync(_options.CommitStatusTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw GatewayErrors.Create(StatusCode.DeadlineExceeded,
                $"transaction {txId} was not committed on channel {channel.ChannelId} within {_options.CommitStatusTimeout.TotalSeconds:0.#} s");
        }
    }
}
