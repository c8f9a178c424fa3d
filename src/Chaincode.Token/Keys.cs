using ZonCoin.Chaincode.Shim;

namespace ZonCoin.Chaincode.Token;

/// <summary>The state layout (composite keys; see README.md).</summary>
internal static class Keys
{
    public const string ConfigType = "zon~config";
    public const string AccountType = "zon~account";
    public const string BalanceType = "zon~balance";
    public const string CreditType = "zon~credit";
    public const string SupplyDeltaType = "supply~delta";
    public const string AllowanceType = "zon~allowance";
    public const string RewardType = "zon~reward";
    public const string OfferType = "zon~offer";
    public const string RedemptionType = "zon~redemption";
    public const string HoldType = "zon~hold";

    public static string Config => CompositeKeys.Create(ConfigType);

    public static string Account(string account) => CompositeKeys.Create(AccountType, account);

    public static string Balance(string account) => CompositeKeys.Create(BalanceType, account);

    public static string Credit(string account, string txId) => CompositeKeys.Create(CreditType, account, txId);

    public static string SupplyDelta(string txId) => CompositeKeys.Create(SupplyDeltaType, txId);

    public static string Allowance(string owner, string spender) => CompositeKeys.Create(AllowanceType, owner, spender);

    public static string Reward(string usageReportId) => CompositeKeys.Create(RewardType, usageReportId);

    public static string Offer(string id) => CompositeKeys.Create(OfferType, id);

    public static string Redemption(string id) => CompositeKeys.Create(RedemptionType, id);

    public static string Hold(string id) => CompositeKeys.Create(HoldType, id);
}
