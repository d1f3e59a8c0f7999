using CsCheck;
using Fathom.Testing;
using Xunit;

namespace Fathom.Core.Tests;

public class InstrumentSpecTests
{
    // BTCUSDT as Binance lists it: tick 0.01, step 0.00001, min notional 5 USDT, 8-decimal wire format.
    internal static readonly InstrumentSpec BtcUsdt = new InstrumentSpec
    {
        Symbol = "BTCUSDT",
        Venue = Venue.BinanceSpot,
        PriceDecimals = 8,
        QtyDecimals = 8,
        TickSize = new Price(1_000_000),
        StepSize = new Qty(1_000),
        MinQty = new Qty(1_000),
        MaxQty = new Qty(9_000L * 100_000_000),
        MinNotional = new Price(5L * 100_000_000),
    }.Validate();

    [Fact]
    public void Rounding_BidFloorsAskCeilsQtyFloors()
    {
        var p = new Price(6_183_763_500_000); // 61837.635
        Assert.Equal(new Price(6_183_763_000_000), BtcUsdt.RoundForSide(p, isBid: true));
        Assert.Equal(new Price(6_183_764_000_000), BtcUsdt.RoundForSide(p, isBid: false));
        Assert.Equal(new Qty(12_000), BtcUsdt.FloorToStep(new Qty(12_999)));
    }

    [Fact]
    public void Rounding_OnTickValues_AreUnchanged()
    {
        var p = new Price(6_183_763_000_000);
        Assert.Equal(p, BtcUsdt.FloorToTick(p));
        Assert.Equal(p, BtcUsdt.CeilToTick(p));
    }

    [Fact]
    public void Rounding_Properties()
    {
        var gen = Gen.Select(Gen.Long[-1_000_000_000_000, 1_000_000_000_000], Gen.Long[1, 10_000_000]);
        Property.ForAll(gen, 5_000, t =>
        {
            (long raw, long tick) = t;
            var spec = BtcUsdt with { TickSize = new Price(tick), StepSize = new Qty(tick) };
            var floor = spec.FloorToTick(new Price(raw));
            var ceil = spec.CeilToTick(new Price(raw));
            Assert.True(floor.Raw <= raw && raw - floor.Raw < tick, "floor is the largest tick ≤ value");
            Assert.True(ceil.Raw >= raw && ceil.Raw - raw < tick, "ceil is the smallest tick ≥ value");
            Assert.True(spec.IsOnTick(floor) && spec.IsOnTick(ceil));
            Assert.Equal(spec.IsOnTick(new Price(raw)), floor == ceil);
            Assert.True(spec.TryToTicks(floor, out long ticks));
            Assert.Equal(floor, spec.FromTicks(ticks));
        });
    }

    [Fact]
    public void TryToTicks_OffGrid_ReturnsFalse() => Assert.False(BtcUsdt.TryToTicks(new Price(6_183_763_500_000), out _));

    [Theory]
    [InlineData(6_183_763_000_000L, 10_000L, OrderFilterResult.Ok)]
    [InlineData(0L, 10_000L, OrderFilterResult.PriceNotPositive)]
    [InlineData(-1_000_000L, 10_000L, OrderFilterResult.PriceNotPositive)]
    [InlineData(6_183_763_500_000L, 10_000L, OrderFilterResult.PriceOffTick)]
    [InlineData(6_183_763_000_000L, 0L, OrderFilterResult.QtyNotPositive)]
    [InlineData(6_183_763_000_000L, 10_500L, OrderFilterResult.QtyOffStep)]
    [InlineData(6_183_763_000_000L, 900_100_000_000L, OrderFilterResult.QtyAboveMax)]
    [InlineData(6_183_763_000_000L, 8_000L, OrderFilterResult.NotionalBelowMin)] // 0.00008 × 61837.63 = 4.947 USDT < 5
    [InlineData(6_183_763_000_000L, 9_000L, OrderFilterResult.Ok)]               // 0.00009 × 61837.63 = 5.565 USDT
    public void CheckOrder_ReportsFirstFailingFilter(long price, long qty, OrderFilterResult expected) =>
        Assert.Equal(expected, BtcUsdt.CheckOrder(new Price(price), new Qty(qty)));

    [Fact]
    public void CheckOrder_HaltedSymbol_IsNotTrading() =>
        Assert.Equal(OrderFilterResult.NotTrading,
            (BtcUsdt with { Status = InstrumentStatus.Halt }).CheckOrder(new Price(6_183_763_000_000), new Qty(10_000)));

    [Fact]
    public void Validate_NonPositiveTick_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => (BtcUsdt with { TickSize = new Price(0) }).Validate());
}
