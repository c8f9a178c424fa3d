using System.Text;
using Grpc.Core;
using ZonCoin.Protos.Gateway;
using ZonCoin.Protos.Peer;
using ZonCoin.Rpc;

namespace ZonCoin.Gateway.Client;

/// <summary>
/// A gateway call failed (Fabric's <c>GatewayError</c>): the gRPC status and the <c>gateway.ErrorDetail</c>s the
/// gateway attached, one per endorser or orderer that failed. Transport failures have status UNAVAILABLE.
/// </summary>
public class GatewayException : Exception
{
    /// <summary>Creates an exception without status (Unknown) or details.</summary>
    public GatewayException()
        : this(StatusCode.Unknown, "gateway call failed", [], null)
    {
    }

    /// <summary>Creates an exception with a message (status Unknown, no details).</summary>
    public GatewayException(string message)
        : this(StatusCode.Unknown, message, [], null)
    {
    }

    /// <summary>Creates an exception with a message and cause (status Unknown, no details).</summary>
    public GatewayException(string message, Exception innerException)
        : this(StatusCode.Unknown, message, [], innerException)
    {
    }

    /// <summary>Creates an exception for a status, its message and details.</summary>
    public GatewayException(StatusCode statusCode, string message, IReadOnlyList<ErrorDetail> details, Exception? innerException = null)
        : base(Describe(statusCode, message, details), innerException)
    {
        ArgumentNullException.ThrowIfNull(details);
        StatusCode = statusCode;
        StatusMessage = message;
        Details = details;
    }

    /// <summary>The gRPC status code of the failed call.</summary>
    public StatusCode StatusCode { get; }

    /// <summary>The gRPC status message alone, without the details.</summary>
    public string StatusMessage { get; }

    /// <summary>The <c>gateway.ErrorDetail</c>s: the address, MSP ID and message of each failing node.</summary>
    public IReadOnlyList<ErrorDetail> Details { get; }

    /// <summary>The <c>gateway.ErrorDetail</c>s of a received error; details of other types are skipped.</summary>
    public static IReadOnlyList<ErrorDetail> DetailsOf(RpcException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var details = new List<ErrorDetail>();
        foreach (var any in exception.GetDetails())
        {
            // Fabric's client ignores type_url and decodes every detail as an ErrorDetail.
            try
            {
                details.Add(ErrorDetail.Parser.ParseFrom(any.Value));
            }
            catch (Google.Protobuf.InvalidProtocolBufferException)
            {
            }
        }
        return details;
    }

    private static string Describe(StatusCode statusCode, string message, IReadOnlyList<ErrorDetail> details)
    {
        var text = new StringBuilder($"{statusCode} ({(int)statusCode}): {message}");
        foreach (var detail in details ?? [])
        {
            text.Append($"\n  address: {detail.Address}; mspId: {detail.MspId}; message: {detail.Message}");
        }
        return text.ToString();
    }
}

/// <summary>A gateway call about one transaction failed; carries its transaction id.</summary>
public class TransactionException : GatewayException
{
    /// <summary>Creates an exception without status or transaction id.</summary>
    public TransactionException()
        : this(StatusCode.Unknown, "transaction failed", [], "")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    public TransactionException(string message)
        : this(StatusCode.Unknown, message, [], "")
    {
    }

    /// <summary>Creates an exception with a message and cause.</summary>
    public TransactionException(string message, Exception innerException)
        : this(StatusCode.Unknown, message, [], "", innerException)
    {
    }

    /// <summary>Creates an exception for a status, its message and details, about a transaction.</summary>
    public TransactionException(StatusCode statusCode, string message, IReadOnlyList<ErrorDetail> details, string transactionId, Exception? innerException = null)
        : base(statusCode, message, details, innerException)
    {
        TransactionId = transactionId;
    }

    /// <summary>The transaction the call was about.</summary>
    public string TransactionId { get; }
}

/// <summary>Endorse failed (Fabric's <c>EndorseError</c>): chaincode errors are in <see cref="GatewayException.Details"/>.</summary>
public sealed class EndorseException : TransactionException
{
    /// <summary>Creates an exception without status.</summary>
    public EndorseException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    public EndorseException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and cause.</summary>
    public EndorseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception for a status, its message and details, about a transaction.</summary>
    public EndorseException(StatusCode statusCode, string message, IReadOnlyList<ErrorDetail> details, string transactionId, Exception? innerException = null)
        : base(statusCode, message, details, transactionId, innerException)
    {
    }
}

/// <summary>Submit failed (Fabric's <c>SubmitError</c>): the orderer refused the transaction or could not be reached.</summary>
public sealed class SubmitException : TransactionException
{
    /// <summary>Creates an exception without status.</summary>
    public SubmitException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    public SubmitException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and cause.</summary>
    public SubmitException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception for a status, its message and details, about a transaction.</summary>
    public SubmitException(StatusCode statusCode, string message, IReadOnlyList<ErrorDetail> details, string transactionId, Exception? innerException = null)
        : base(statusCode, message, details, transactionId, innerException)
    {
    }
}

/// <summary>
/// Getting a transaction's commit status failed (Fabric's <c>CommitStatusError</c>); the transaction may still
/// commit.
/// </summary>
public sealed class CommitStatusException : TransactionException
{
    /// <summary>Creates an exception without status.</summary>
    public CommitStatusException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    public CommitStatusException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and cause.</summary>
    public CommitStatusException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception for a status, its message and details, about a transaction.</summary>
    public CommitStatusException(StatusCode statusCode, string message, IReadOnlyList<ErrorDetail> details, string transactionId, Exception? innerException = null)
        : base(statusCode, message, details, transactionId, innerException)
    {
    }
}

/// <summary>
/// A submitted transaction committed as invalid (Fabric's <c>CommitError</c>): it is in block
/// <see cref="BlockNumber"/> with validation code <see cref="Code"/>, and none of its writes took effect.
/// </summary>
public sealed class CommitException : Exception
{
    /// <summary>Creates an exception without a transaction.</summary>
    public CommitException()
        : this("transaction committed as invalid")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    public CommitException(string message)
        : base(message)
    {
        TransactionId = "";
        Code = TxValidationCode.InvalidOtherReason;
    }

    /// <summary>Creates an exception with a message and cause.</summary>
    public CommitException(string message, Exception innerException)
        : base(message, innerException)
    {
        TransactionId = "";
        Code = TxValidationCode.InvalidOtherReason;
    }

    /// <summary>Creates an exception for an invalid commit status.</summary>
    public CommitException(CommitStatus status)
        : base(Describe(status))
    {
        TransactionId = status.TransactionId;
        Code = status.Code;
        BlockNumber = status.BlockNumber;
    }

    /// <summary>The transaction that committed as invalid.</summary>
    public string TransactionId { get; }

    /// <summary>Its validation code, e.g. <see cref="TxValidationCode.MvccReadConflict"/>.</summary>
    public TxValidationCode Code { get; }

    /// <summary>The block it is in.</summary>
    public ulong BlockNumber { get; }

    private static string Describe(CommitStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return $"transaction {status.TransactionId} failed to commit with status code {(int)status.Code} ({status.Code}) in block {status.BlockNumber}";
    }
}
