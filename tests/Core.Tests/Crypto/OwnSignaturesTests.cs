using ZonCoin.Core.Crypto;
using ZonCoin.Core.Policies;
using ZonCoin.Core.Tests.Support;

namespace ZonCoin.Core.Tests.Crypto;

[Collection(PolicyFixtureDefinition.Name)]
public sealed class OwnSignaturesTests(PolicyOrgs orgs)
{
    private static readonly byte[] Me = [1, 2, 3];

    [Fact]
    public void Only_the_exact_message_and_signature_the_node_made_under_its_own_identity_match()
    {
        var own = new OwnSignatures(Me);
        own.Record("message"u8, [9, 9]);

        Assert.True(own.Made(Me, "message"u8, [9, 9]));
        Assert.False(own.Made(Me, "message!"u8, [9, 9]));
        Assert.False(own.Made(Me, "message"u8, [9, 8]));
        Assert.False(own.Made([1, 2, 4], "message"u8, [9, 9]));
    }

    [Fact]
    public void The_oldest_signatures_are_forgotten_beyond_the_capacity()
    {
        var own = new OwnSignatures(Me, capacity: 2);
        own.Record("a"u8, [1]);
        own.Record("b"u8, [2]);
        own.Record("b"u8, [2]);
        own.Record("c"u8, [3]);

        Assert.Equal(2, own.Count);
        Assert.False(own.Made(Me, "a"u8, [1]));
        Assert.True(own.Made(Me, "b"u8, [2]));
        Assert.True(own.Made(Me, "c"u8, [3]));
    }

    [Fact]
    public void A_recording_signer_remembers_what_it_signs()
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        using var inner = new EcdsaSigner(key);
        var own = new OwnSignatures(Me);

        var signature = own.Recording(inner).Sign("endorsed payload"u8);

        Assert.True(own.Made(Me, "endorsed payload"u8, signature));
    }

    [Fact]
    public void A_signer_set_counts_the_nodes_own_signature_without_verifying_it_but_still_validates_the_identity()
    {
        var signed = orgs.Sign("Org1.peer");
        // A signature that would not verify: counted only because the node recorded making it over these bytes.
        var unverifiable = signed with { Signature = [0x30, 0x00] };
        var own = new OwnSignatures(signed.Identity);
        own.Record(unverifiable.Data, unverifiable.Signature);

        Assert.Empty(SignerSet.From([unverifiable], orgs.Msps).Identities);
        Assert.Single(SignerSet.From([unverifiable], orgs.Msps, own: own).Identities);

        // An identity the channel does not know is refused whatever the node recorded.
        var garbage = orgs.Sign("garbage");
        var foreign = new OwnSignatures(garbage.Identity);
        foreign.Record(garbage.Data, garbage.Signature);
        Assert.Empty(SignerSet.From([garbage], orgs.Msps, own: foreign).Identities);
    }
}
