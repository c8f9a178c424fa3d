using System.Text;
using ZonCoin.Core.Protocol;

namespace ZonCoin.Gateway.Client;

/// <summary>
/// A smart contract (a chaincode, or one named contract in it) on a channel (Fabric's <c>Contract</c>).
/// </summary>
public sealed class Contract
{
    private readonly GatewayClient _client;
    private readonly ConflictRetryPolicy? _retry;

    internal Contract(GatewayClient client, string channelName, string chaincodeName, string? contractName, ConflictRetryPolicy? retry)
    {
        _client = client;
        ChannelName = channelName;
        ChaincodeName = chaincodeName;
        ContractName = contractName;
        _retry = retry;
    }

    /// <summary>The channel the chaincode runs on.</summary>
    public string ChannelName { get; }

    /// <summary>The chaincode's name.</summary>
    public string ChaincodeName { get; }

    /// <summary>The contract's name within the chaincode, or null for the default contract.</summary>
    public string? ContractName { get; }

    /// <summary>The retry policy of <see cref="SubmitTransactionAsync(string, string[])"/>, or null (no retry).</summary>
    public ConflictRetryPolicy? RetryPolicy => _retry;

    /// <summary>
    /// The same contract, whose <c>SubmitTransactionAsync</c> retries transactions that commit with a read
    /// conflict (see <see cref="ConflictRetryPolicy"/>).
    /// </summary>
    public Contract WithRetry(ConflictRetryPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        policy.Validate();
        return new Contract(_client, ChannelName, ChaincodeName, ContractName, policy);
    }

    /// <summary>Evaluates a transaction function with string arguments and returns its result.</summary>
    public Task<byte[]> EvaluateTransactionAsync(string name, params string[] args) =>
        EvaluateTransactionAsync(name, ProposalOptions.WithArguments(args));

    /// <summary>Evaluates a transaction function with binary arguments and returns its result.</summary>
    public Task<byte[]> EvaluateTransactionAsync(string name, byte[][] args) =>
        EvaluateTransactionAsync(name, ProposalOptions.WithArguments(args));

    /// <summary>Evaluates a transaction function and returns its result.</summary>
    public Task<byte[]> EvaluateTransactionAsync(string name, ProposalOptions options, CancellationToken cancellationToken = default) =>
        NewProposal(name, options).EvaluateAsync(cancellationToken);

    /// <summary>
    /// Submits a transaction function with string arguments: endorses, signs, submits and waits for the commit;
    /// returns its result. Throws <see cref="CommitException"/> when it commits as invalid.
    /// </summary>
    public Task<byte[]> SubmitTransactionAsync(string name, params string[] args) =>
        SubmitTransactionAsync(name, ProposalOptions.WithArguments(args));

    /// <summary>Submits a transaction function with binary arguments and waits for the commit (see the string overload).</summary>
    public Task<byte[]> SubmitTransactionAsync(string name, byte[][] args) =>
        SubmitTransactionAsync(name, ProposalOptions.WithArguments(args));

    /// <summary>Submits a transaction function and waits for the commit (see the string overload).</summary>
    public async Task<byte[]> SubmitTransactionAsync(string name, ProposalOptions options, CancellationToken cancellationToken = default)
    {
        var attempts = _retry?.MaxAttempts ?? 1;
        for (var attempt = 1; ; attempt++)
        {
            SubmittedTransaction submitted;
            try
            {
                submitted = await SubmitAsync(name, options, cancellationToken).ConfigureAwait(false);
            }
            catch (EndorseException ex) when (_retry is not null && attempt < attempts && ConflictRetryPolicy.IsRetryable(ex))
            {
                await BackOffAsync(attempt, cancellationToken).ConfigureAwait(false);
                continue;
            }
            var status = await submitted.GetStatusAsync(cancellationToken).ConfigureAwait(false);
            if (status.Successful)
            {
                return submitted.Result;
            }
            if (_retry is null || attempt >= attempts || !ConflictRetryPolicy.IsRetryable(status.Code))
            {
                throw new CommitException(status);
            }
            await BackOffAsync(attempt, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task BackOffAsync(int attempt, CancellationToken cancellationToken)
    {
        var delay = _retry!.Backoff(attempt, Random.Shared.NextDouble());
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, _client.Options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Endorses and submits a transaction function; returns once it is submitted, before it commits.</summary>
    public async Task<SubmittedTransaction> SubmitAsync(string name, ProposalOptions? options = null, CancellationToken cancellationToken = default)
    {
        var transaction = await NewProposal(name, options).EndorseAsync(cancellationToken).ConfigureAwait(false);
        return await transaction.SubmitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Builds a proposal for a transaction function, to evaluate or endorse (or to sign offline).</summary>
    public Proposal NewProposal(string name, ProposalOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        options ??= new ProposalOptions();
        var invocation = new ChaincodeInvocation(ChannelName, ChaincodeName, [Encoding.UTF8.GetBytes(QualifiedName(name)), .. options.Arguments])
        {
            Transient = options.TransientData,
        };
        var (proposal, txId) = Proposals.CreateUnsigned(invocation, _client.Creator);
        return new Proposal(_client, Google.Protobuf.MessageExtensions.ToByteArray(proposal), txId, ChannelName, [.. options.EndorsingOrganizations], null);
    }

    /// <summary>The transaction name on the wire: <c>Contract:fn</c> with a contract name, else <c>fn</c>.</summary>
    internal string QualifiedName(string name) => string.IsNullOrEmpty(ContractName) ? name : $"{ContractName}:{name}";
}
