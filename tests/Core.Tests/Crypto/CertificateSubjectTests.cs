using System.Security.Cryptography.X509Certificates;
using ZonCoin.Core.Crypto;

namespace ZonCoin.Core.Tests.Crypto;

public sealed class CertificateSubjectTests
{
    /// <summary>
    /// Go's <c>pkix.Name</c> (Fabric's cryptogen and CA) encodes C, O, OU, CN in that order; chaincode shims derive a
    /// client's ID from the encoded order, so ours must match.
    /// </summary>
    [Fact]
    public void Subjects_are_encoded_country_organization_units_then_common_name_as_Go_writes_them()
    {
        using var ca = CertificateAuthority.CreateRoot("ca.org1", "org1");
        var issued = ca.Issue(new CertificateSpec { CommonName = "User1@org1", Organization = "org1", OrganizationalUnits = ["client", "dept"] });
        using var certificate = issued.Certificate;
        using var key = issued.Key;

        Assert.Equal(["C=US", "O=org1", "OU=client", "OU=dept", "CN=User1@org1"], Encoded(certificate.SubjectName));
        Assert.Equal(["C=US", "O=org1", "CN=ca.org1"], Encoded(ca.Certificate.SubjectName));
        Assert.Equal(Encoded(ca.Certificate.SubjectName), Encoded(certificate.IssuerName));
    }

    private static List<string> Encoded(X500DistinguishedName name) =>
        [.. name.EnumerateRelativeDistinguishedNames(reversed: false).Select(rdn => $"{ShortName(rdn.GetSingleElementType().Value)}={rdn.GetSingleElementValue()}")];

    private static string ShortName(string? oid) => oid switch
    {
        "2.5.4.3" => "CN",
        "2.5.4.6" => "C",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        _ => oid ?? "",
    };
}
