using ZonCoin.Chaincode.Token.Tests.Support;

namespace ZonCoin.Chaincode.Token.Tests;

public sealed class CatalogueTests : IDisposable
{
    private readonly TokenWorld _w = new();

    public CatalogueTests() => _w.Fund();

    public void Dispose() => _w.Dispose();

    [Fact]
    public void Minters_upsert_offers_and_anyone_lists_them_by_id()
    {
        var upsert = _w.Call(_w.Minter, "UpsertOffer", "gpu-hour", "One GPU hour", "compute-credit", "40", "true");
        Assert.True(upsert.Ok, upsert.ToString());
        Assert.Equal("OfferUpserted", upsert.EventName);
        _w.Ok(_w.Admin, "UpsertOffer", "basic-support", "Support plan", "support", "300", "false");
        _w.Ok(_w.FlagMinter, "UpsertOffer", "annual", "Annual subscription", "subscription", "1200", "true");
        _w.Ok(_w.Minter, "UpsertOffer", "mug", "ZonCoin mug", "catalog-item", "15", "true");

        var offer = TokenWorld.Parse(_w.Ok(_w.Alice, "GetOffer", "gpu-hour"));
        Assert.Equal("gpu-hour", offer.GetProperty("id").GetString());
        Assert.Equal("One GPU hour", offer.GetProperty("description").GetString());
        Assert.Equal("compute-credit", offer.GetProperty("kind").GetString());
        Assert.Equal("40", offer.GetProperty("priceInZon").GetString());
        Assert.True(offer.GetProperty("active").GetBoolean());

        var ids = TokenWorld.Parse(_w.Ok(_w.Alice, "ListOffers")).EnumerateArray().Select(o => o.GetProperty("id").GetString()!).ToArray();
        Assert.Equal(["annual", "basic-support", "gpu-hour", "mug"], ids);

        _w.Ok(_w.Minter, "UpsertOffer", "gpu-hour", "One GPU hour (A100)", "compute-credit", "45", "false");
        offer = TokenWorld.Parse(_w.Ok(_w.Alice, "GetOffer", "gpu-hour"));
        Assert.Equal("45", offer.GetProperty("priceInZon").GetString());
        Assert.False(offer.GetProperty("active").GetBoolean());
        Assert.Equal(4, TokenWorld.Parse(_w.Ok(_w.Alice, "ListOffers")).GetArrayLength());
    }

    [Fact]
    public void UpsertOffer_validates_role_kind_price_and_flag()
    {
        Assert.Contains("UpsertOffer needs a minter", _w.Fail(_w.Alice, "UpsertOffer", "o", "d", "support", "1", "true"), StringComparison.Ordinal);
        Assert.Contains("UpsertOffer needs a minter", _w.Fail(_w.ForeignMinter, "UpsertOffer", "o", "d", "support", "1", "true"), StringComparison.Ordinal);
        Assert.Contains("unknown kind 'nft'", _w.Fail(_w.Minter, "UpsertOffer", "o", "d", "nft", "1", "true"), StringComparison.Ordinal);
        Assert.Contains("priceInZon must be positive", _w.Fail(_w.Minter, "UpsertOffer", "o", "d", "support", "0", "true"), StringComparison.Ordinal);
        Assert.Contains("priceInZon must be an unsigned decimal integer", _w.Fail(_w.Minter, "UpsertOffer", "o", "d", "support", "9.99", "true"), StringComparison.Ordinal);
        Assert.Contains("active must be 'true' or 'false'", _w.Fail(_w.Minter, "UpsertOffer", "o", "d", "support", "1", "yes"), StringComparison.Ordinal);
        Assert.Contains("offer id 'a b' is not valid", _w.Fail(_w.Minter, "UpsertOffer", "a b", "d", "support", "1", "true"), StringComparison.Ordinal);
        Assert.Contains("description must not be empty", _w.Fail(_w.Minter, "UpsertOffer", "o", "", "support", "1", "true"), StringComparison.Ordinal);
        Assert.Contains("unknown offer nope", _w.Fail(_w.Alice, "GetOffer", "nope"), StringComparison.Ordinal);
        Assert.Equal("[]", _w.Ok(_w.Alice, "ListOffers"));
    }

    [Fact]
    public void Redeem_burns_price_times_quantity_records_the_redemption_and_emits_Redeemed()
    {
        _w.Ok(_w.Minter, "UpsertOffer", "gpu-hour", "One GPU hour", "compute-credit", "40", "true");
        _w.Ledger.Now = new DateTimeOffset(2026, 11, 22, 8, 30, 0, TimeSpan.Zero);
        var result = _w.Call(_w.Alice, "Redeem", "gpu-hour", "3");
        Assert.True(result.Ok, result.ToString());
        Assert.Equal(880, _w.Balance(_w.Alice));
        Assert.Equal(2880, _w.Supply());
        Assert.Equal("Redeemed", result.EventName);
        var redeemed = TokenWorld.Parse(result.EventJson);
        Assert.Equal(result.TxId, redeemed.GetProperty("redemptionId").GetString());
        Assert.Equal("gpu-hour", redeemed.GetProperty("offerId").GetString());
        Assert.Equal("compute-credit", redeemed.GetProperty("kind").GetString());
        Assert.Equal(3, redeemed.GetProperty("quantity").GetInt64());
        Assert.Equal("120", redeemed.GetProperty("amount").GetString());
        Assert.Equal(_w.Alice.Account, redeemed.GetProperty("account").GetString());
        Assert.Equal("2026-11-22T08:30:00Z", redeemed.GetProperty("time").GetString());
        Assert.Equal(result.EventJson, _w.Ok(_w.Bob, "GetRedemption", result.TxId));
        Assert.Contains("unknown redemption tx999999", _w.Fail(_w.Bob, "GetRedemption", "tx999999"), StringComparison.Ordinal);
    }

    [Fact]
    public void Redeem_validates_offer_quantity_and_funds()
    {
        _w.Ok(_w.Minter, "UpsertOffer", "gpu-hour", "One GPU hour", "compute-credit", "40", "true");
        _w.Ok(_w.Minter, "UpsertOffer", "retired", "Old plan", "subscription", "10", "false");
        Assert.Contains("unknown offer nope", _w.Fail(_w.Alice, "Redeem", "nope", "1"), StringComparison.Ordinal);
        Assert.Contains("offer retired is not active", _w.Fail(_w.Alice, "Redeem", "retired", "1"), StringComparison.Ordinal);
        Assert.Contains("quantity must be positive", _w.Fail(_w.Alice, "Redeem", "gpu-hour", "0"), StringComparison.Ordinal);
        Assert.Contains("quantity must not be negative", _w.Fail(_w.Alice, "Redeem", "gpu-hour", "-2"), StringComparison.Ordinal);
        Assert.Contains("quantity must be an unsigned decimal integer", _w.Fail(_w.Alice, "Redeem", "gpu-hour", "1.5"), StringComparison.Ordinal);
        Assert.Equal($"insufficient funds: account {_w.Alice.Account} has 1000, needs 1040", _w.Fail(_w.Alice, "Redeem", "gpu-hour", "26"));
        Assert.Contains("insufficient funds", _w.Fail(_w.Alice, "Redeem", "gpu-hour", "9223372036854775807"), StringComparison.Ordinal);
        Assert.Equal(1000, _w.Balance(_w.Alice));
    }
}
