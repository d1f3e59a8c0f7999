using Fathom.Core;
using Fathom.Simulator;

namespace Fathom.Simulator.Tests;

/// <summary>
/// A one-symbol engine on virtual time: TEST (base BASE, quote QUOTE), prices at 2 decimals with
/// tick 0.01, quantities at 3 decimals with step 0.001, no notional minimum unless asked.
/// </summary>
internal sealed class EngineFixture
{
    public const long Unit = Assets.One;

    public EngineFixture(long minNotional = 0, int maxNumOrders = 200, long maker = 0, long taker = 0)
    {
        Time = new ManualTimeProvider();
        var symbol = new SimSymbol
        {
            Spec = new InstrumentSpec
            {
                Symbol = "TEST",
                Venue = Venue.BinanceSpot,
                PriceDecimals = 2,
                QtyDecimals = 3,
                TickSize = new Price(1),
                StepSize = new Qty(1),
                MinQty = new Qty(1),
                MaxQty = new Qty(1_000_000_000),
                MinPrice = new Price(1),
                MaxPrice = new Price(100_000_000),
            },
            BaseAsset = "BASE",
            QuoteAsset = "QUOTE",
            MinNotional = minNotional,
            MaxNumOrders = maxNumOrders,
            BidMultiplierUp = 50_000,
            BidMultiplierDown = 2_000,
            AskMultiplierUp = 50_000,
            AskMultiplierDown = 2_000,
        };
        Engine = new MatchingEngine([symbol], new MonotonicClock(Time), seed: 7);
        Book = Engine.Book("TEST");
        A = Fund(Engine.CreateAccount("a", maker, taker));
        B = Fund(Engine.CreateAccount("b", maker, taker));
        C = Fund(Engine.CreateAccount("c", maker, taker));
    }

    public ManualTimeProvider Time { get; }
    public MatchingEngine Engine { get; }
    public SymbolBook Book { get; }
    public SimAccount A { get; }
    public SimAccount B { get; }
    public SimAccount C { get; }

    private SimAccount Fund(SimAccount account)
    {
        Engine.Deposit(account, "BASE", 1_000 * Unit);
        Engine.Deposit(account, "QUOTE", 1_000_000 * Unit);
        return account;
    }

    /// <summary>Price in cents (2 decimals), quantity in thousandths (3 decimals).</summary>
    public OrderOutcome Limit(SimAccount who, OrderSide side, long priceCents, long qtyMilli, TimeInForce tif = TimeInForce.Gtc,
        SelfTradePreventionMode? stp = null, string? clientId = null) =>
        Engine.Place(who, new NewOrder(Book, side, OrderType.Limit, tif, priceCents, qtyMilli, ClientOrderId: clientId, Stp: stp));

    public OrderOutcome Market(SimAccount who, OrderSide side, long qtyMilli, long quote8 = 0, SelfTradePreventionMode? stp = null) =>
        Engine.Place(who, new NewOrder(Book, side, OrderType.Market, TimeInForce.Gtc, 0, quote8 > 0 ? 0 : qtyMilli, quote8, Stp: stp));
}
