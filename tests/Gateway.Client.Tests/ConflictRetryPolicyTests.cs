using ZonCoin.Protos.Peer;

namespace ZonCoin.Gateway.Client.Tests;

public sealed class ConflictRetryPolicyTests
{
    [Fact]
    public void Defaults_are_three_attempts_50ms_base_and_2s_cap()
    {
        var policy = new ConflictRetryPolicy();

        Assert.Equal(3, policy.MaxAttempts);
        Assert.Equal(TimeSpan.FromMilliseconds(50), policy.BaseDelay);
        Assert.Equal(TimeSpan.FromSeconds(2), policy.MaxDelay);
    }

    [Theory]
    [InlineData(TxValidationCode.MvccReadConflict, true)]
    [InlineData(TxValidationCode.PhantomReadConflict, true)]
    [InlineData(TxValidationCode.EndorsementPolicyFailure, false)]
    [InlineData(TxValidationCode.DuplicateTxid, false)]
    [InlineData(TxValidationCode.InvalidOtherReason, false)]
    [InlineData(TxValidationCode.Valid, false)]
    public void Only_the_two_read_conflicts_are_retryable(TxValidationCode code, bool retryable) =>
        Assert.Equal(retryable, ConflictRetryPolicy.IsRetryable(code));

    [Fact]
    public void Backoff_is_full_jitter_under_an_exponential_cap_bounded_by_the_max_delay()
    {
        var policy = new ConflictRetryPolicy { BaseDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromMilliseconds(300) };

        Assert.Equal(TimeSpan.Zero, policy.Backoff(1, 0));
        Assert.Equal(TimeSpan.FromMilliseconds(25), policy.Backoff(1, 0.5));
        Assert.Equal(TimeSpan.FromMilliseconds(50), policy.Backoff(2, 0.5));
        Assert.Equal(TimeSpan.FromMilliseconds(100), policy.Backoff(3, 0.5));
        Assert.Equal(TimeSpan.FromMilliseconds(150), policy.Backoff(4, 0.5));
        Assert.Equal(TimeSpan.FromMilliseconds(150), policy.Backoff(1000, 0.5));
        Assert.True(policy.Backoff(2, 0.999) < TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void A_policy_without_attempts_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new ConflictRetryPolicy { MaxAttempts = 0 }.Validate());

        Assert.Contains("MaxAttempts", error.Message, StringComparison.Ordinal);
    }
}
