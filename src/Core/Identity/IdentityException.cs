namespace ZonCoin.Core.Identity;

/// <summary>Why an identity was refused.</summary>
public enum IdentityError
{
    /// <summary>The bytes are not a serialized <c>msp.SerializedIdentity</c>.</summary>
    MalformedIdentity,

    /// <summary><c>id_bytes</c> is not a PEM X.509 certificate with an ECDSA key.</summary>
    MalformedCertificate,

    /// <summary>The MSP ID is not one of the channel's (or the expected) MSPs.</summary>
    UnknownMsp,

    /// <summary>The certificate does not chain to the MSP's root (through its intermediates).</summary>
    UntrustedCertificate,

    /// <summary>A CA certificate cannot act as an identity.</summary>
    CertificateIsCa,

    Expired,

    NotYetValid,

    Revoked,

    /// <summary>The certificate does not carry the organizational unit the MSP requires.</summary>
    OrganizationalUnitMismatch,

    /// <summary>With node OUs enabled, the certificate must carry exactly one of client, peer, admin or orderer.</summary>
    NodeOuMismatch,
}

/// <summary>An identity that cannot be used, with the reason and the MSP it claimed.</summary>
public sealed class IdentityException : Exception
{
    public IdentityException(IdentityError error, string? mspId, string message) : base(message)
    {
        Error = error;
        MspId = mspId;
    }

    public IdentityException(IdentityError error, string? mspId, string message, Exception inner) : base(message, inner)
    {
        Error = error;
        MspId = mspId;
    }

    public IdentityError Error { get; }

    public string? MspId { get; }
}
