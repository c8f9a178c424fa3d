using ZonCoin.Chaincode.Shim;

namespace ZonCoin.Chaincode.Contracts;

/// <summary>What a transaction method gets to work with: the stub, the submitter's identity and the call's details.</summary>
public sealed class Context
{
    private readonly Lazy<ClientIdentity> _clientIdentity;

    /// <summary>Creates a context for a transaction.</summary>
    /// <param name="stub">The transaction's stub.</param>
    /// <param name="cancellationToken">Cancelled when the stream to the peer ends.</param>
    public Context(IChaincodeStub stub, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stub);
        Stub = stub;
        CancellationToken = cancellationToken;
        Function = stub.StringArgs.Count > 0 ? stub.StringArgs[0] : "";
        _clientIdentity = new Lazy<ClientIdentity>(() => ClientIdentity.FromStub(stub));
    }

    /// <summary>The ledger and proposal of the transaction.</summary>
    public IChaincodeStub Stub { get; }

    /// <summary>The submitter (read from the proposal's creator on first use).</summary>
    public ClientIdentity ClientIdentity => _clientIdentity.Value;

    /// <summary>The function name as called, e.g. <c>AssetContract:CreateAsset</c> or <c>CreateAsset</c>.</summary>
    public string Function { get; }

    /// <summary>Cancelled when the stream to the peer ends.</summary>
    public CancellationToken CancellationToken { get; }
}
