using System.Security.Cryptography;
using System.Text;
using ZonCoin.Chaincode.Shim;

namespace ZonCoin.Chaincode.Token;

/// <summary>
/// Account ids: <c>"{MspId}:" + lowercase hex of the first 20 bytes of SHA-256(UTF-8 of ClientIdentity.Id)</c>, where
/// <c>ClientIdentity.Id</c> is fabric-shim's <c>x509::{subject}::{issuer}</c>. Any client can compute it.
/// </summary>
public static class AccountIds
{
    private const int HashBytes = 20;

    /// <summary>The account id of a client identity.</summary>
    /// <param name="identity">The identity.</param>
    public static string For(ClientIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        return For(identity.MspId, identity.Id);
    }

    /// <summary>The account id of an MSP ID and a fabric-shim client id.</summary>
    /// <param name="mspId">The MSP ID.</param>
    /// <param name="clientId">The <c>x509::…::…</c> id.</param>
    public static string For(string mspId, string clientId)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(clientId));
        return mspId + ":" + Convert.ToHexStringLower(hash.AsSpan(0, HashBytes));
    }

    /// <summary>True when <paramref name="account"/> has the form <c>MSPID:40 lowercase hex digits</c>; gives the MSP ID.</summary>
    /// <param name="account">The candidate id.</param>
    /// <param name="mspId">The MSP ID part.</param>
    public static bool TryParse(string? account, out string mspId)
    {
        mspId = "";
        if (string.IsNullOrEmpty(account))
        {
            return false;
        }
        var colon = account.LastIndexOf(':');
        if (colon <= 0 || account.Length - colon - 1 != HashBytes * 2)
        {
            return false;
        }
        foreach (var c in account.AsSpan(colon + 1))
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }
        foreach (var c in account.AsSpan(0, colon))
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
            {
                return false;
            }
        }
        mspId = account[..colon];
        return true;
    }
}
