using System.Numerics;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using ZonCoin.Core.Crypto;
using ZonCoin.Core.Identity;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Msp;

namespace ZonCoin.Core.Tests.Identity;

public sealed class MspTests : IDisposable
{
    private const string Org1 = "Org1MSP";
    private readonly CertificateAuthority _root = CertificateAuthority.CreateRoot("ca.org1.example.com", "org1.example.com",
        notBefore: DateTimeOffset.UtcNow.AddDays(-30));
    private readonly CertificateAuthority _intermediate;
    private readonly CertificateAuthority _otherRoot = CertificateAuthority.CreateRoot("ca.org2.example.com", "org2.example.com");

    public MspTests()
    {
        _intermediate = _root.IssueIntermediate("ica.org1.example.com", "org1.example.com");
    }

    public void Dispose()
    {
        _root.Dispose();
        _intermediate.Dispose();
        _otherRoot.Dispose();
    }

    private Msp Org1Msp(IEnumerable<byte[]>? crls = null) =>
        Msp.Create(MspConfigs.Create(Org1, [_root.Certificate], [_intermediate.Certificate], revocationLists: crls));

    private static byte[] Serialize(X509Certificate2 certificate, string mspId = Org1) => MspIdentity.Serialize(mspId, certificate);

    private static IssuedCertificate Issue(CertificateAuthority ca, params string[] units) =>
        ca.Issue(new CertificateSpec { CommonName = "node.org1.example.com", Organization = "org1.example.com", OrganizationalUnits = units });

    [Theory]
    [InlineData("client", NodeRole.Client)]
    [InlineData("peer", NodeRole.Peer)]
    [InlineData("admin", NodeRole.Admin)]
    [InlineData("orderer", NodeRole.Orderer)]
    public void Valid_identities_are_classified_by_node_ou(string ou, NodeRole role)
    {
        var msp = Org1Msp();
        var identity = msp.Deserialize(Serialize(Issue(_root, ou).Certificate));
        msp.Validate(identity, DateTimeOffset.UtcNow);
        Assert.Equal(role, msp.RoleOf(identity));
        Assert.Equal(role == NodeRole.Admin, msp.IsAdmin(identity));
        Assert.Equal(Org1, identity.MspId);
        Assert.Equal(Hashing.Sha256Hex(identity.Certificate.RawData), identity.Id);
    }

    [Fact]
    public void Identities_issued_by_an_intermediate_ca_chain_to_the_root()
    {
        var msp = Org1Msp();
        var identity = msp.Deserialize(Serialize(Issue(_intermediate, "peer").Certificate));
        msp.Validate(identity, DateTimeOffset.UtcNow);
        var chain = msp.BuildChain(identity.Certificate);
        Assert.Equal(3, chain.Count);
    }

    [Fact]
    public void A_certificate_from_another_orgs_ca_is_untrusted()
    {
        var msp = Org1Msp();
        var identity = msp.Deserialize(Serialize(Issue(_otherRoot, "client").Certificate));
        var error = Assert.Throws<IdentityException>(() => msp.Validate(identity));
        Assert.Equal(IdentityError.UntrustedCertificate, error.Error);
        Assert.Contains("does not chain to a root CA of MSP 'Org1MSP'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_expired_certificate_is_refused_when_time_is_checked()
    {
        var msp = Org1Msp();
        var expired = _root.Issue(new CertificateSpec
        {
            CommonName = "old.org1.example.com",
            OrganizationalUnits = ["client"],
            NotBefore = DateTimeOffset.UtcNow.AddDays(-20),
            NotAfter = DateTimeOffset.UtcNow.AddDays(-1),
        });
        var identity = msp.Deserialize(Serialize(expired.Certificate));
        var error = Assert.Throws<IdentityException>(() => msp.Validate(identity, DateTimeOffset.UtcNow));
        Assert.Equal(IdentityError.Expired, error.Error);
        // Fabric's MSP verifies the chain at NotBefore+1s; expiry is the caller's check.
        msp.Validate(identity);
    }

    [Fact]
    public void A_not_yet_valid_certificate_is_refused_when_time_is_checked()
    {
        var msp = Org1Msp();
        var future = _root.Issue(new CertificateSpec
        {
            CommonName = "future.org1.example.com",
            OrganizationalUnits = ["client"],
            NotBefore = DateTimeOffset.UtcNow.AddDays(2),
        });
        var identity = msp.Deserialize(Serialize(future.Certificate));
        Assert.Equal(IdentityError.NotYetValid, Assert.Throws<IdentityException>(() => msp.Validate(identity, DateTimeOffset.UtcNow)).Error);
    }

    [Fact]
    public void A_revoked_certificate_is_refused()
    {
        var revoked = Issue(_root, "client");
        var kept = Issue(_root, "client");
        var msp = Org1Msp([_root.IssueCrl([revoked.Certificate], BigInteger.One)]);
        var error = Assert.Throws<IdentityException>(() => msp.Validate(msp.Deserialize(Serialize(revoked.Certificate))));
        Assert.Equal(IdentityError.Revoked, error.Error);
        msp.Validate(msp.Deserialize(Serialize(kept.Certificate)));
    }

    [Fact]
    public void A_crl_signed_by_another_ca_revokes_nothing()
    {
        var victim = Issue(_root, "client");
        var forged = _otherRoot.IssueCrl([victim.Certificate], BigInteger.One);
        var msp = Org1Msp([forged]);
        msp.Validate(msp.Deserialize(Serialize(victim.Certificate)));
    }

    [Fact]
    public void A_pem_crl_is_accepted()
    {
        var revoked = Issue(_root, "client");
        var der = _root.IssueCrl([revoked.Certificate], BigInteger.One);
        var pem = System.Text.Encoding.ASCII.GetBytes(new string(System.Security.Cryptography.PemEncoding.Write("X509 CRL", der)));
        var msp = Org1Msp([pem]);
        Assert.Equal(IdentityError.Revoked,
            Assert.Throws<IdentityException>(() => msp.Validate(msp.Deserialize(Serialize(revoked.Certificate)))).Error);
    }

    [Fact]
    public void A_ca_certificate_cannot_be_an_identity()
    {
        var msp = Org1Msp();
        var identity = msp.Deserialize(Serialize(_intermediate.Certificate));
        Assert.Equal(IdentityError.CertificateIsCa, Assert.Throws<IdentityException>(() => msp.Validate(identity)).Error);
    }

    [Theory]
    [InlineData]
    [InlineData("client", "peer")]
    [InlineData("sales")]
    public void Node_ous_require_exactly_one_role(params string[] units)
    {
        var msp = Org1Msp();
        var identity = msp.Deserialize(Serialize(Issue(_root, units).Certificate));
        Assert.Equal(IdentityError.NodeOuMismatch, Assert.Throws<IdentityException>(() => msp.Validate(identity)).Error);
    }

    [Fact]
    public void Garbage_identity_bytes_are_a_MalformedIdentity_error()
    {
        var error = Assert.Throws<IdentityException>(() => MspIdentity.Parse([0xff, 0xff, 0xff]));
        Assert.Equal(IdentityError.MalformedIdentity, error.Error);
    }

    [Fact]
    public void A_malformed_certificate_is_a_MalformedCertificate_error()
    {
        var bytes = new SerializedIdentity { Mspid = Org1, IdBytes = ByteString.CopyFromUtf8("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n") }.ToByteArray();
        var error = Assert.Throws<IdentityException>(() => MspIdentity.Parse(bytes));
        Assert.Equal(IdentityError.MalformedCertificate, error.Error);
        Assert.Equal(Org1, error.MspId);

        var der = new SerializedIdentity { Mspid = Org1, IdBytes = ByteString.CopyFrom(Issue(_root, "peer").Certificate.RawData) }.ToByteArray();
        Assert.Equal(IdentityError.MalformedCertificate, Assert.Throws<IdentityException>(() => MspIdentity.Parse(der)).Error);
    }

    [Fact]
    public void An_identity_without_msp_id_is_malformed()
    {
        var bytes = new SerializedIdentity { IdBytes = ByteString.CopyFromUtf8(Pem.Certificate(Issue(_root, "peer").Certificate)) }.ToByteArray();
        Assert.Equal(IdentityError.MalformedIdentity, Assert.Throws<IdentityException>(() => MspIdentity.Parse(bytes)).Error);
    }

    [Fact]
    public void An_unknown_msp_id_is_refused_by_the_manager()
    {
        var manager = new MspManager([Org1Msp()]);
        var error = Assert.Throws<IdentityException>(() => manager.DeserializeAndValidate(Serialize(Issue(_root, "peer").Certificate, "EvilMSP")));
        Assert.Equal(IdentityError.UnknownMsp, error.Error);
        Assert.Contains("EvilMSP", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_identity_claiming_another_msp_fails_even_with_a_trusted_certificate()
    {
        var org2 = Msp.Create(MspConfigs.Create("Org2MSP", [_otherRoot.Certificate]));
        var manager = new MspManager([Org1Msp(), org2]);
        // Org1's certificate presented as Org2MSP: Org2's MSP does not trust Org1's CA.
        var error = Assert.Throws<IdentityException>(() => manager.DeserializeAndValidate(Serialize(Issue(_root, "peer").Certificate, "Org2MSP")));
        Assert.Equal(IdentityError.UntrustedCertificate, error.Error);
    }

    [Fact]
    public void Identity_signatures_verify_and_reject_other_bytes()
    {
        var issued = Issue(_root, "client");
        var identity = MspIdentity.Parse(Serialize(issued.Certificate));
        var signature = EcdsaSignatures.Sign(issued.Key, "payload"u8);
        Assert.True(identity.Verify("payload"u8, signature));
        Assert.False(identity.Verify("payloaD"u8, signature));
    }

    [Fact]
    public void Principals_follow_fabric_role_rules()
    {
        var msp = Org1Msp();
        var peer = msp.Deserialize(Serialize(Issue(_root, "peer").Certificate));
        var admin = msp.Deserialize(Serialize(Issue(_root, "admin").Certificate));

        Assert.True(msp.SatisfiesPrincipal(peer, RolePrincipal(Org1, MSPRole.Types.MSPRoleType.Member)));
        Assert.True(msp.SatisfiesPrincipal(peer, RolePrincipal(Org1, MSPRole.Types.MSPRoleType.Peer)));
        Assert.False(msp.SatisfiesPrincipal(peer, RolePrincipal(Org1, MSPRole.Types.MSPRoleType.Client)));
        Assert.False(msp.SatisfiesPrincipal(peer, RolePrincipal(Org1, MSPRole.Types.MSPRoleType.Admin)));
        Assert.False(msp.SatisfiesPrincipal(peer, RolePrincipal("Org2MSP", MSPRole.Types.MSPRoleType.Member)));
        Assert.True(msp.SatisfiesPrincipal(admin, RolePrincipal(Org1, MSPRole.Types.MSPRoleType.Admin)));

        var samePeer = new MSPPrincipal { PrincipalClassification = MSPPrincipal.Types.Classification.Identity, Principal = ByteString.CopyFrom(peer.Serialized) };
        Assert.True(msp.SatisfiesPrincipal(peer, samePeer));
        Assert.False(msp.SatisfiesPrincipal(admin, samePeer));

        var unit = new MSPPrincipal
        {
            PrincipalClassification = MSPPrincipal.Types.Classification.OrganizationUnit,
            Principal = new OrganizationUnit
            {
                MspIdentifier = Org1,
                OrganizationalUnitIdentifier = "peer",
                CertifiersIdentifier = ByteString.CopyFrom(Msp.CertifiersIdentifier(msp.BuildChain(peer.Certificate))),
            }.ToByteString(),
        };
        Assert.True(msp.SatisfiesPrincipal(peer, unit));
        Assert.False(msp.SatisfiesPrincipal(admin, unit));

        var garbage = new MSPPrincipal { PrincipalClassification = MSPPrincipal.Types.Classification.Role, Principal = ByteString.CopyFrom(0xff, 0xff) };
        Assert.False(msp.SatisfiesPrincipal(peer, garbage));
    }

    [Fact]
    public void Admins_listed_in_the_msp_are_admins_without_the_admin_ou()
    {
        var listed = Issue(_root, "client");
        var config = MspConfigs.Create(Org1, [_root.Certificate]);
        config.Admins.Add(ByteString.CopyFromUtf8(Pem.Certificate(listed.Certificate)));
        var msp = Msp.Create(config);
        Assert.True(msp.IsAdmin(msp.Deserialize(Serialize(listed.Certificate))));
    }

    [Fact]
    public void Unusable_msp_definitions_are_refused_with_a_clear_message()
    {
        Assert.Contains("no root certificates", Assert.Throws<MspConfigurationException>(
            () => Msp.Create(new FabricMSPConfig { Name = Org1 })).Message, StringComparison.Ordinal);
        Assert.Contains("no name", Assert.Throws<MspConfigurationException>(
            () => Msp.Create(new FabricMSPConfig())).Message, StringComparison.Ordinal);
        var bad = new FabricMSPConfig { Name = Org1 };
        bad.RootCerts.Add(ByteString.CopyFromUtf8("not a cert"));
        Assert.Throws<MspConfigurationException>(() => Msp.Create(bad));
        var badCrl = MspConfigs.Create(Org1, [_root.Certificate], revocationLists: [[1, 2, 3]]);
        Assert.Throws<MspConfigurationException>(() => Msp.Create(badCrl));
    }

    private static MSPPrincipal RolePrincipal(string mspId, MSPRole.Types.MSPRoleType role) => new()
    {
        PrincipalClassification = MSPPrincipal.Types.Classification.Role,
        Principal = new MSPRole { MspIdentifier = mspId, Role = role }.ToByteString(),
    };
}
