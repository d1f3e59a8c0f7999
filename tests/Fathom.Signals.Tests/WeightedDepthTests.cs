using Xunit;

namespace Fathom.Signals.Tests;

public class WeightedDepthTests
{
    /// <summary>
    /// The weight table must give the very double the sums computed before it existed: a level added from the table
    /// and removed by the computed path (or the other way round, across the table's edge) must cancel exactly.
    /// </summary>
    [Theory]
    [InlineData(200.0)]
    [InlineData(3.0)]
    [InlineData(1234.5678)]
    [InlineData(0.7)]
    public void Weight_EveryDistance_IsTheSameDoubleAsMathExp(double decayTicks)
    {
        var depth = new WeightedDepth(decayTicks);
        double inverse = 1.0 / decayTicks;
        for (long d = -WeightedDepth.TableReach - 3; d <= WeightedDepth.TableReach + 3; d++)
        {
            double expected = Math.Exp(d * inverse);
            double actual = depth.Weight(d);
            Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual),
                $"distance {d}: table {actual:R}, Math.Exp {expected:R}");
        }
        Assert.Equal(Math.Exp(1_000_000 * inverse), depth.Weight(1_000_000));
        Assert.Equal(Math.Exp(-1_000_000 * inverse), depth.Weight(-1_000_000));
    }
}
