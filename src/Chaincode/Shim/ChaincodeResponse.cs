namespace ZonCoin.Chaincode.Shim;

/// <summary>
/// What a chaincode answers for one transaction (Fabric's <c>protos.Response</c>): a status, a message and a payload.
/// A status of 400 or more means failure: the peer does not endorse the transaction.
/// </summary>
/// <param name="Status">HTTP-like status: 200 for success, 500 for an error.</param>
/// <param name="Message">An error message; empty on success.</param>
/// <param name="Payload">The result bytes; empty when there is none.</param>
public sealed record ChaincodeResponse(int Status, string Message, ReadOnlyMemory<byte> Payload)
{
    /// <summary>Success (200).</summary>
    public const int Ok = 200;

    /// <summary>Statuses from this one up are errors.</summary>
    public const int ErrorThreshold = 400;

    /// <summary>A chaincode error (500).</summary>
    public const int Error = 500;

    /// <summary>True when <see cref="Status"/> is below <see cref="ErrorThreshold"/>.</summary>
    public bool IsSuccess => Status < ErrorThreshold;

    /// <summary>A 200 response carrying <paramref name="payload"/>.</summary>
    public static ChaincodeResponse Success(ReadOnlyMemory<byte> payload = default) => new(Ok, "", payload);

    /// <summary>An error response (500 unless <paramref name="status"/> says otherwise) with a message.</summary>
    public static ChaincodeResponse Failure(string message, int status = Error) => new(status, message ?? "", ReadOnlyMemory<byte>.Empty);
}
