using System.Security.Cryptography;
using System.Text;

namespace ZonCoin.Core.Protocol;

/// <summary>
/// Package ids of chaincodes served as a service. Fabric's are <c>label:hash-of-package</c>; ours hash what a
/// chaincode definition pins instead of a package: <c>name_version:sha256(name \n version \n address)</c>, so a
/// definition that changes the version or moves the chaincode expects a new registration.
/// </summary>
public static class ChaincodePackageIds
{
    public static string Compute(string name, string version, string address)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(version);
        ArgumentException.ThrowIfNullOrEmpty(address);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{name}\n{version}\n{address}"));
        return $"{name}_{version}:{Convert.ToHexStringLower(hash)}";
    }
}
