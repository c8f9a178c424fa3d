namespace ZonCoin.Chaincode.Shim;

/// <summary>
/// The low-level chaincode interface (fabric-shim's <c>ChaincodeInterface</c>): the shim calls it once per
/// transaction, possibly for several transactions at the same time. Most chaincode uses the contract API
/// (<see cref="Contracts.ContractChaincode"/>) instead of implementing this directly.
/// </summary>
public interface IChaincode
{
    /// <summary>Handles an <c>INIT</c> message (a definition committed with <c>--init-required</c>).</summary>
    /// <param name="stub">The transaction's view of the ledger and its proposal.</param>
    /// <param name="cancellationToken">Cancelled when the stream to the peer ends.</param>
    Task<ChaincodeResponse> InitAsync(IChaincodeStub stub, CancellationToken cancellationToken);

    /// <summary>Handles a <c>TRANSACTION</c> message.</summary>
    /// <param name="stub">The transaction's view of the ledger and its proposal.</param>
    /// <param name="cancellationToken">Cancelled when the stream to the peer ends.</param>
    Task<ChaincodeResponse> InvokeAsync(IChaincodeStub stub, CancellationToken cancellationToken);
}
