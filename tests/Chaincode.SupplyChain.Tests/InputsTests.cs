namespace ZonCoin.Chaincode.SupplyChain.Tests;

public sealed class InputsTests
{
    [Theory]
    [InlineData("09506000134352")] // GS1's example GTIN
    [InlineData("04006381333931")] // EAN-13 4006381333931
    [InlineData("00012345678905")] // UPC-A 012345678905
    [InlineData("00000000000000")]
    public void Valid_gtin14s_pass(string gtin) => Assert.True(Inputs.IsValidGtin14(gtin));

    [Theory]
    [InlineData("09506000134353")]
    [InlineData("09506000134350")]
    [InlineData("04006381333930")]
    [InlineData("9506000134352")]
    [InlineData("095060001343520")]
    [InlineData("0950600013435X")]
    [InlineData("０9506000134352")]
    [InlineData("")]
    [InlineData(null)]
    public void Invalid_gtin14s_fail(string? gtin) => Assert.False(Inputs.IsValidGtin14(gtin));

    [Theory]
    [InlineData("950600013435", 2)]
    [InlineData("400638133393", 1)]
    [InlineData("0001234567890", 5)]
    public void The_check_digit_weights_from_the_right(string digits, int check) => Assert.Equal(check, Inputs.Gs1CheckDigit(digits));

    [Fact]
    public void Times_round_trip_and_sort_as_text()
    {
        var time = Inputs.Time("2026-11-21T12:00:00Z", "t");
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero), time);
        Assert.Equal("2026-11-21T12:00:00Z", Inputs.Format(time));
        Assert.Equal("2026-11-21T12:00:00Z", Inputs.Format(time.AddMilliseconds(999)));
        Assert.Throws<ArgumentException>(() => Inputs.Time("2026-11-21T12:00:00.5Z", "t"));
    }

    [Theory]
    [InlineData("7.5", 7.5)]
    [InlineData("-20", -20)]
    [InlineData("-273.15", -273.15)]
    [InlineData("0", 0)]
    public void Temperatures_are_invariant_decimals(string text, double expected) =>
        Assert.Equal((decimal)expected, Inputs.Temperature(text, "t"));
}
