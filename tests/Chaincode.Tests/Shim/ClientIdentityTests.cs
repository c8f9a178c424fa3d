using ZonCoin.Chaincode.Shim;
using ZonCoin.Chaincode.Tests.Support;

namespace ZonCoin.Chaincode.Tests.Shim;

public sealed class ClientIdentityTests
{
    [Fact]
    public void Reads_msp_id_fabric_shim_id_and_attributes()
    {
        using var org = new TestOrg("Org1MSP");
        var signer = org.NewIdentity("alice", new Dictionary<string, string> { ["role"] = "appraiser", ["hf.EnrollmentID"] = "alice" });
        var identity = ClientIdentity.FromSerializedIdentity(signer.Creator);
        Assert.Equal("Org1MSP", identity.MspId);
        // fabric-shim 2.5 writes the name components in the certificate's encoded order; our test CA encodes CN first.
        Assert.Equal("x509::/C=US/O=Org1MSP/OU=client/CN=alice::/C=US/O=Org1MSP/CN=ca.org1msp", identity.Id);
        Assert.Equal("appraiser", identity.GetAttributeValue("role"));
        Assert.True(identity.AssertAttributeValue("role", "appraiser"));
        Assert.False(identity.AssertAttributeValue("role", "admin"));
        Assert.Null(identity.GetAttributeValue("missing"));
        Assert.False(identity.AssertAttributeValue("missing", ""));
    }

    [Fact]
    public void A_certificate_without_attributes_has_none()
    {
        using var org = new TestOrg("Org2MSP");
        var identity = ClientIdentity.FromSerializedIdentity(org.NewIdentity("bob").Creator);
        Assert.Empty(identity.Attributes);
        Assert.Null(identity.GetAttributeValue("role"));
    }

    [Fact]
    public void A_stub_without_proposal_has_no_identity()
    {
        Assert.Throws<InvalidOperationException>(() => ClientIdentity.FromStub(InMemoryStub.Standalone("f")));
    }
}
