using Xunit;

namespace Fathom.Signals.Tests;

public class SignalOptionsTests
{
    [Fact]
    public void Defaults_AreValid() => Assert.Same(SignalOptions.Default, SignalOptions.Default.Validate());

    [Theory]
    [InlineData("DepthLevels")]
    [InlineData("DecayTicks")]
    [InlineData("WallMinLevels")]
    [InlineData("WithdrawalBandTicks")]
    [InlineData("SizeMinSamples")]
    [InlineData("SizeMadFloor")]
    public void OutOfRange_IsRejectedByTheEngine(string parameter)
    {
        SignalOptions bad = parameter switch
        {
            "DepthLevels" => new() { DepthLevels = 0 },
            "DecayTicks" => new() { DecayTicks = double.NaN },
            "WallMinLevels" => new() { WallLevels = 5, WallMinLevels = 6 },
            "WithdrawalBandTicks" => new() { WithdrawalBandTicks = 0 },
            "SizeMinSamples" => new() { TradeSizeWindow = 10, SizeMinSamples = 11 },
            _ => new() { SizeMadFloor = 0 },
        };
        Assert.Throws<ArgumentOutOfRangeException>(() => new SignalEngine(bad));
    }
}
