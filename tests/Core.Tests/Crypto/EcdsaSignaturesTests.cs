using System.Security.Cryptography;
using System.Text;
using ZonCoin.Core.Crypto;

namespace ZonCoin.Core.Tests.Crypto;

public sealed class EcdsaSignaturesTests
{
    private static readonly byte[] Message = Encoding.UTF8.GetBytes("zoncoin");

    [Fact]
    public void Sign_always_produces_low_s_der_that_verifies()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        for (var i = 0; i < 50; i++)
        {
            var signature = EcdsaSignatures.Sign(key, Message);
            Assert.False(EcdsaSignatures.IsHighS(key, signature));
            Assert.True(EcdsaSignatures.Verify(key, Message, signature));
        }
    }

    [Fact]
    public void Verify_rejects_the_high_s_twin_of_a_valid_signature()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var signature = EcdsaSignatures.Sign(key, Message);
        Assert.True(EcdsaSignatures.TryReadRs(signature, out var r, out var s));
        var highS = EcdsaSignatures.WriteRs(r, EcdsaSignatures.OrderOf(key) - s);

        // The raw math accepts it; Fabric's rule does not.
        Assert.True(key.VerifyData(Message, highS, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        Assert.True(EcdsaSignatures.IsHighS(key, highS));
        Assert.False(EcdsaSignatures.Verify(key, Message, highS));
        Assert.Equal(signature, EcdsaSignatures.ToLowS(highS, EcdsaSignatures.OrderOf(key)));
    }

    [Fact]
    public void Verify_rejects_a_signature_over_other_bytes_and_from_another_key()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var signature = EcdsaSignatures.Sign(key, Message);
        Assert.False(EcdsaSignatures.Verify(key, Encoding.UTF8.GetBytes("zoncoin!"), signature));
        Assert.False(EcdsaSignatures.Verify(other, Message, signature));
    }

    [Theory]
    [InlineData("")]
    [InlineData("00")]
    [InlineData("3006020101020101ff")]
    [InlineData("30060201010201")]
    [InlineData("deadbeef")]
    public void Verify_returns_false_for_malformed_signature_bytes(string hex)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.False(EcdsaSignatures.Verify(key, Message, Convert.FromHexString(hex)));
    }

    [Fact]
    public void P1363_signatures_are_not_accepted()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var p1363 = key.SignData(Message, HashAlgorithmName.SHA256);
        Assert.False(EcdsaSignatures.Verify(key, Message, p1363));
    }

    [Fact]
    public void SignDigest_matches_Sign_over_the_message()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var signature = EcdsaSignatures.SignDigest(key, SHA256.HashData(Message));
        Assert.True(EcdsaSignatures.Verify(key, Message, signature));
    }

    [Fact]
    public void P384_keys_are_supported()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var signature = EcdsaSignatures.Sign(key, Message);
        Assert.True(EcdsaSignatures.Verify(key, Message, signature));
    }
}
