using Google.Protobuf;
using ZonCoin.Chaincode.Shim;
using ZonCoin.Core.Policies;
using ZonCoin.Protos.Common;

namespace ZonCoin.Chaincode.Tests.Shim;

public sealed class KeyEndorsementPolicyTests
{
    [Fact]
    public void Policy_requires_every_listed_org_and_has_the_bytes_of_the_equivalent_and_policy()
    {
        var policy = new KeyEndorsementPolicy();
        policy.AddOrgs(EndorsementRole.Member, "Org2MSP");
        policy.AddOrgs(EndorsementRole.Peer, "Org1MSP", "Org3MSP");

        Assert.Equal(["Org1MSP", "Org2MSP", "Org3MSP"], policy.ListOrgs());
        Assert.Equal(PolicyDsl.Parse("AND('Org1MSP.peer', 'Org2MSP.member', 'Org3MSP.peer')").ToByteArray(), policy.GetPolicy());
    }

    [Fact]
    public void Stored_policy_reads_back_and_orgs_can_be_removed_or_change_role()
    {
        var stored = PolicyDsl.Parse("AND('Org1MSP.peer', 'Org2MSP.peer')").ToByteArray();

        var policy = new KeyEndorsementPolicy(stored);
        Assert.Equal(["Org1MSP", "Org2MSP"], policy.ListOrgs());
        Assert.Equal(stored, policy.GetPolicy());

        policy.DelOrgs("Org1MSP");
        policy.AddOrgs(EndorsementRole.Member, "Org2MSP");
        Assert.Equal(PolicyDsl.Parse("AND('Org2MSP.member')").ToByteArray(), policy.GetPolicy());
    }

    [Fact]
    public void Policies_other_than_member_or_peer_roles_are_refused_with_a_reason()
    {
        Assert.Contains("does not parse", Assert.Throws<ArgumentException>(() => new KeyEndorsementPolicy([0xFF, 0x01])).Message, StringComparison.Ordinal);
        Assert.Contains("Admin role of Org1MSP", Assert.Throws<ArgumentException>(() => new KeyEndorsementPolicy(PolicyDsl.Parse("AND('Org1MSP.admin')").ToByteArray())).Message,
            StringComparison.Ordinal);
        var byIdentity = PolicyProtos.Envelope(PolicyProtos.SignedBy(0),
            [new MSPPrincipal { PrincipalClassification = MSPPrincipal.Types.Classification.Identity, Principal = ByteString.CopyFromUtf8("x") }]);
        Assert.Contains("Identity principal", Assert.Throws<ArgumentException>(() => new KeyEndorsementPolicy(byIdentity.ToByteArray())).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new KeyEndorsementPolicy().AddOrgs((EndorsementRole)7, "Org1MSP"));
    }
}
