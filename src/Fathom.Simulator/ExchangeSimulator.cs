using Fathom.Core;

namespace Fathom.Simulator;

/// <summary>
/// Builds a whole simulated exchange from a <see cref="SimulatorConfig"/>: engine, accounts and keys,
/// rate limiter, REST API, streams and user data (<see cref="SimulatorApi.Streams"/>), fault switches
/// (<see cref="Faults"/>, <see cref="Clock"/> skew, <see cref="SetSymbolStatus"/>), optional synthetic market
/// flow (<see cref="StartMarketFlow"/>), and (optionally) resting liquidity from a house market maker.
/// </summary>
public sealed class ExchangeSimulator : IDisposable
{
    private ExchangeSimulator(SimulatorConfig config, MatchingEngine engine, SimulatorApi api, SkewedTimeProvider clock)
    {
        Config = config;
        Engine = engine;
        Api = api;
        Clock = clock;
    }

    public SimulatorConfig Config { get; }
    public MatchingEngine Engine { get; }
    public SimulatorApi Api { get; }
    public StreamHub Streams => Api.Streams;
    public SimulatorFaults Faults => Api.Faults;

    /// <summary>The exchange's clock; set <see cref="SkewedTimeProvider.Skew"/> to inject clock skew.</summary>
    public SkewedTimeProvider Clock { get; }

    /// <summary>The synthetic agents, once <see cref="StartMarketFlow"/> or <see cref="CreateMarketFlow"/> ran.</summary>
    public MarketFlow? Flow { get; private set; }

    /// <summary>
    /// Fault injection: changes the symbol's exchangeInfo <c>status</c> at once. While it is not
    /// <see cref="SymbolStatus.Trading"/>, new orders get -2010 "Market is closed." and cancels still
    /// work; setting Trading again restores trading. Binance sends no stream event for a status change,
    /// so neither does the simulator. Returns the previous status. See <see cref="SimulatorApi.SetSymbolStatus"/>.
    /// </summary>
    public SymbolStatus SetSymbolStatus(string symbol, SymbolStatus status) => Api.SetSymbolStatus(symbol, status);

    /// <summary>The symbol's current exchangeInfo status.</summary>
    public SymbolStatus GetSymbolStatus(string symbol) => Api.GetSymbolStatus(symbol);

    /// <summary>Fault injection: the symbol stops trading ("Market is closed."; exchangeInfo says HALT); cancels still work.</summary>
    public void HaltSymbol(string symbol) => Api.SetSymbolStatus(symbol, SymbolStatus.Halt);

    /// <summary>Ends a halt (or any other status): exchangeInfo says TRADING and new orders are accepted again.</summary>
    public void ResumeSymbol(string symbol) => Api.SetSymbolStatus(symbol, SymbolStatus.Trading);

    /// <summary>Credits an account (a deposit): user data subscribers get balanceUpdate and outboundAccountPosition.</summary>
    public void Deposit(string account, string asset, long amount8) =>
        Api.Run(e => e.Deposit(e.Accounts.First(a => a.Name == account), asset, amount8));

    /// <summary>Creates the agents (once) with the config's seed, without starting them: call <see cref="MarketFlow.Step"/>.</summary>
    public MarketFlow CreateMarketFlow(FlowRegime regime = FlowRegime.Calm, ulong? seed = null)
    {
        if (Flow is null)
        {
            var refs = Config.Symbols.ToDictionary(s => s.Symbol,
                s => SimulatorConfig.Parse(s.StartPrice, SimulatorConfig.Decimals(s.TickSize), s.Symbol + ".startPrice"));
            Flow = new MarketFlow(Api, refs, seed ?? Config.Seed);
        }
        Flow.Regime = regime;
        return Flow;
    }

    /// <summary>Creates the agents if needed and steps them every <paramref name="interval"/> on the exchange's clock.</summary>
    public MarketFlow StartMarketFlow(FlowRegime regime, TimeSpan interval, ulong? seed = null)
    {
        var flow = CreateMarketFlow(regime, seed);
        flow.Start(interval);
        return flow;
    }

    /// <summary>The recorded market, once <see cref="LoadRecording"/> or <see cref="StartRecordedReplay"/> ran.</summary>
    public RecordedMarket? Replay { get; private set; }

    /// <summary>
    /// Loads a recording (hftbacktest Binance spot gzip files, in order) for stepping with
    /// <see cref="RecordedMarket.Step"/>; the symbol's book should start empty.
    /// </summary>
    public RecordedMarket LoadRecording(IReadOnlyList<string> paths, string? symbol = null)
    {
        if (Replay is not null)
            throw new InvalidOperationException("a recording is already loaded");
        Replay = RecordedMarket.Load(Api, paths, symbol);
        return Replay;
    }

    /// <summary>
    /// Loads a recording and replays it on the exchange clock at <paramref name="speed"/> × recorded time. Sped up, the
    /// replay keeps the recording's cadence in recorded time: the replay timer (10 ms at 1x) and the <c>@depth@100ms</c>
    /// stream's interval shrink by the speed (to at least 1 ms of wall time), so at 10x a client still sees a diff per
    /// 100 ms of recorded time rather than a batch per recorded second.
    /// </summary>
    public RecordedMarket StartRecordedReplay(IReadOnlyList<string> paths, double speed = 1, string? symbol = null)
    {
        var replay = LoadRecording(paths, symbol);
        double x = Math.Max(1, speed);
        Api.Streams.DepthInterval = TimeSpan.FromMilliseconds(Math.Max(1, 100 / x));
        replay.Start(speed, TimeSpan.FromMilliseconds(Math.Max(1, 10 / x)));
        return replay;
    }

    public void Dispose()
    {
        Replay?.Dispose();
        Flow?.Dispose();
        Api.Streams.Dispose();
    }

    public static ExchangeSimulator Create(SimulatorConfig config, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(config);
        var skewed = time as SkewedTimeProvider ?? new SkewedTimeProvider(time);
        var clock = new MonotonicClock(skewed);
        var symbols = config.Symbols.Select(SimulatorConfig.ToSymbol).ToList();
        var engine = new MatchingEngine(symbols, clock, config.Seed) { RecordEvents = true };
        var api = new SimulatorApi(engine, new RateLimiter(config.RateLimits, clock));
        foreach (var a in config.Accounts)
        {
            var account = engine.CreateAccount(a.Name,
                SimulatorConfig.Parse(a.MakerCommission, Assets.Decimals, a.Name + ".makerCommission"),
                SimulatorConfig.Parse(a.TakerCommission, Assets.Decimals, a.Name + ".takerCommission"));
            foreach (var (asset, amount) in a.Balances)
                engine.Deposit(account, asset, SimulatorConfig.Parse(amount, Assets.Decimals, $"{a.Name}.balances.{asset}"));
            foreach (var k in a.Keys)
            {
                api.AddKey(k.Secret is not null ? ApiKey.Hmac(k.ApiKey, account, k.Secret, k.Passphrase)
                    : k.Ed25519PublicKey is not null ? ApiKey.Ed25519(k.ApiKey, account, k.Ed25519PublicKey)
                    : throw new InvalidDataException($"{a.Name}: key {k.ApiKey} needs a secret or an Ed25519 public key"));
            }
        }
        if (config.SeedLevels > 0)
            SeedLiquidity(engine, config);
        api.Run(_ => { }); // publish (and drain) what seeding did before anyone subscribes
        api.Streams.Start();
        return new ExchangeSimulator(config, engine, api, skewed);
    }

    /// <summary>
    /// A house account rests <see cref="SimulatorConfig.SeedLevels"/> levels per side, one tick-spaced
    /// step of 0.05 % apart, sizes from the seed: the same seed gives the same book.
    /// </summary>
    private static void SeedLiquidity(MatchingEngine engine, SimulatorConfig config)
    {
        var house = engine.CreateAccount("house-market-maker", 0, 0);
        var rng = new Random(unchecked((int)config.Seed));
        foreach (var sc in config.Symbols)
        {
            var book = engine.Book(sc.Symbol);
            var spec = book.Symbol.Spec;
            long mid = SimulatorConfig.Parse(sc.StartPrice, spec.PriceDecimals, sc.Symbol + ".startPrice");
            long gap = Math.Max(spec.TickSize.Raw, spec.FloorToTick(new Price(mid / 2000)).Raw);
            long minQty = Math.Max(spec.MinQty.Raw, spec.StepSize.Raw);
            // Enough quantity per level to clear the minimum notional a few times over.
            long baseQty = Math.Max(minQty, Assets.QtyForQuote(book.Symbol.MinNotional * 200, mid, spec));
            engine.Deposit(house, book.Symbol.BaseAsset, Assets.FromQty(baseQty * 10 * config.SeedLevels, spec.QtyDecimals));
            engine.Deposit(house, book.Symbol.QuoteAsset, Assets.NotionalCeil(mid, baseQty * 10 * config.SeedLevels, spec));
            for (int i = 1; i <= config.SeedLevels; i++)
            {
                long qty = baseQty * rng.Next(1, 10);
                foreach (var side in (ReadOnlySpan<OrderSide>)[OrderSide.Buy, OrderSide.Sell])
                {
                    long price = spec.FloorToTick(new Price(side == OrderSide.Buy ? mid - gap * i : mid + gap * i)).Raw;
                    engine.Place(house, new NewOrder(book, side, OrderType.Limit, TimeInForce.Gtc, price, qty));
                }
            }
        }
    }
}
