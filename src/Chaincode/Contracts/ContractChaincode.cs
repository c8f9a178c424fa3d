using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ZonCoin.Chaincode.Shim;

namespace ZonCoin.Chaincode.Contracts;

/// <summary>
/// Serves contracts as chaincode (fabric-contract-api's <c>ChaincodeFromContract</c>): it splits the function name
/// into contract and transaction (<c>"Contract:Method"</c>, or <c>"Method"</c> for the default contract, the first
/// given), converts the arguments, calls the method and turns its result or exception into the response. The
/// system contract <c>org.hyperledger.fabric</c> answers <c>GetMetadata</c> with the contracts' JSON metadata.
/// </summary>
public sealed partial class ContractChaincode : IChaincode
{
    /// <summary>The name of the system contract that serves the metadata.</summary>
    public const string SystemContractName = "org.hyperledger.fabric";

    /// <summary>The full function name that returns the metadata.</summary>
    public const string GetMetadataFunction = SystemContractName + ":GetMetadata";

    private readonly Dictionary<string, (Contract Contract, IReadOnlyDictionary<string, TransactionDescriptor> Transactions)> _contracts = new(StringComparer.Ordinal);
    private readonly Lazy<byte[]> _metadata;
    private readonly ILogger _logger;

    /// <summary>Serves <paramref name="contracts"/>; the first is the default contract.</summary>
    /// <param name="contracts">The contracts, each with a distinct name.</param>
    /// <param name="logger">Where failed transactions are logged (at Debug), or null.</param>
    public ContractChaincode(IEnumerable<Contract> contracts, ILogger<ContractChaincode>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(contracts);
        foreach (var contract in contracts)
        {
            ArgumentNullException.ThrowIfNull(contract);
            if (contract.Name == SystemContractName || !_contracts.TryAdd(contract.Name, (contract, TransactionDescriptor.Discover(contract.GetType()))))
            {
                throw new ArgumentException($"contract name '{contract.Name}' is used twice or reserved", nameof(contracts));
            }
            DefaultContract ??= contract.Name;
        }
        if (DefaultContract is null)
        {
            throw new ArgumentException("at least one contract is needed", nameof(contracts));
        }
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _metadata = new Lazy<byte[]>(() => ContractMetadata.Build([.. _contracts.Values.Select(c => (c.Contract, c.Transactions))], DefaultContract));
    }

    /// <summary>Serves <paramref name="contracts"/>; the first is the default contract.</summary>
    /// <param name="contracts">The contracts, each with a distinct name.</param>
    public ContractChaincode(params Contract[] contracts)
        : this((IEnumerable<Contract>)contracts)
    {
    }

    /// <summary>The name of the contract that plain <c>"Method"</c> names go to.</summary>
    public string DefaultContract { get; }

    /// <summary>The metadata JSON that <c>org.hyperledger.fabric:GetMetadata</c> returns.</summary>
    public ReadOnlyMemory<byte> Metadata => _metadata.Value;

    /// <summary>Init is an ordinary transaction call, as in fabric-contract-api.</summary>
    /// <param name="stub">The transaction.</param>
    /// <param name="cancellationToken">Cancelled when the stream to the peer ends.</param>
    public Task<ChaincodeResponse> InitAsync(IChaincodeStub stub, CancellationToken cancellationToken) => InvokeAsync(stub, cancellationToken);

    /// <summary>Dispatches a transaction to its contract method.</summary>
    /// <param name="stub">The transaction.</param>
    /// <param name="cancellationToken">Cancelled when the stream to the peer ends.</param>
    public async Task<ChaincodeResponse> InvokeAsync(IChaincodeStub stub, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stub);
        var context = new Context(stub, cancellationToken);
        try
        {
            var (contractName, functionName) = Split(context.Function);
            if (contractName == SystemContractName)
            {
                return functionName == "GetMetadata"
                    ? ChaincodeResponse.Success(_metadata.Value)
                    : ChaincodeResponse.Failure($"You've asked to invoke a function that does not exist: {context.Function}");
            }
            if (!_contracts.TryGetValue(contractName, out var entry))
            {
                return ChaincodeResponse.Failure($"Contract name is not known: {contractName}");
            }
            if (!entry.Transactions.TryGetValue(functionName, out var transaction))
            {
                await entry.Contract.UnknownTransactionAsync(context).ConfigureAwait(false);
                return ChaincodeResponse.Success();
            }
            await entry.Contract.BeforeTransactionAsync(context).ConfigureAwait(false);
            var result = await transaction.InvokeAsync(entry.Contract, context, stub.Args.Skip(1).ToArray()).ConfigureAwait(false);
            await entry.Contract.AfterTransactionAsync(context, result).ConfigureAwait(false);
            return ChaincodeResponse.Success(ContractSerializer.ToPayload(result));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            LogTransactionFailed(_logger, context.Function, stub.TxId, ex.Message);
            return ChaincodeResponse.Failure(ex.Message);
        }
    }

    private (string Contract, string Function) Split(string function)
    {
        var colon = function.LastIndexOf(':');
        return colon < 0 ? (DefaultContract, function) : (function[..colon] is { Length: > 0 } name ? name : DefaultContract, function[(colon + 1)..]);
    }

    [LoggerMessage(EventId = 101, Level = LogLevel.Debug, Message = "Transaction {Function} ({TxId}) failed: {Message}")]
    private static partial void LogTransactionFailed(ILogger logger, string function, string txId, string message);
}
