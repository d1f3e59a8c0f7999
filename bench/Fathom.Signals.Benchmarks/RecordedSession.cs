using Fathom.Book;
using Fathom.MarketData;
using Fathom.Venues.Binance;

namespace Fathom.Signals.Benchmarks;

/// <summary>
/// The real BTCUSDT recording (both hftbacktest days) reduced to what the core's signal stage sees
/// once the book is live: the book right after the snapshot splice, then every applied diff and every
/// trade in arrival order. Built once with the production parser and <see cref="BookSync"/>, so the
/// benchmark measures only book updates and signals, not parsing. Loading allocates; it belongs in
/// [GlobalSetup].
/// </summary>
internal sealed class RecordedSession : IMarketDataHandler
{
    public sealed record Diff(long TimeMs, long UpdateId, Level[] Bids, Level[] Asks);

    private readonly BookSync _sync;
    private readonly List<Diff> _diffs = [];
    private readonly List<Trade> _trades = [];
    // Event order: index ≥ 0 is a diff, ~index a trade.
    private readonly List<int> _order = [];

    private RecordedSession(BookSync sync) => _sync = sync;

    public Level[] StartBids { get; private set; } = [];
    public Level[] StartAsks { get; private set; } = [];
    public Diff[] Diffs => [.. _diffs];
    public Trade[] Trades => [.. _trades];
    public int[] Order => [.. _order];
    public int LevelChanges => _diffs.Sum(d => d.Bids.Length + d.Asks.Length);
    public Fathom.Core.InstrumentSpec Spec => _sync.Book.Instrument;

    public static RecordedSession LoadBtcUsdt()
    {
        var symbols = new BinanceSymbolTable();
        BinanceSymbol symbol = symbols.Add(new Fathom.Core.InstrumentSpec
        {
            Symbol = "BTCUSDT",
            Venue = Fathom.Core.Venue.BinanceSpot,
            PriceDecimals = 8,
            QtyDecimals = 8,
            TickSize = new Fathom.Core.Price(1_000_000),
            StepSize = new Fathom.Core.Qty(1_000),
        });
        var session = new RecordedSession(new BookSync(symbol.Id, new OrderBook(symbol.Spec, BookOptions.ForPrice(6_183_763)), SyncRule.BinanceSpot));
        var replay = new HftBacktestReplay(new BinanceStreamParser(symbols), symbol);
        foreach (string day in (string[])["btcusdt_20240808.gz", "btcusdt_20240809.gz"])
            replay.ReplayFile(SharedDataLocator.PathOf("binance", "hftbacktest", "spot", day), ref session);
        return session;
    }

    public void OnBookDelta(in BookDelta delta)
    {
        long before = _sync.Book.UpdateId;
        bool live = _sync.IsLive;
        _sync.OnDelta(delta);
        if (!live || _sync.Book.UpdateId == before)
            return;
        _order.Add(_diffs.Count);
        _diffs.Add(new Diff(delta.ExchangeTimeMs, delta.FinalUpdateId, delta.Bids.ToArray(), delta.Asks.ToArray()));
    }

    public void OnBookSnapshot(in BookSnapshot snapshot)
    {
        _sync.OnSnapshot(snapshot);
        if (!_sync.IsLive)
            return;
        StartBids = [.. _sync.Book.Levels(Side.Bid)];
        StartAsks = [.. _sync.Book.Levels(Side.Ask)];
    }

    public void OnTrade(in Trade trade)
    {
        if (!_sync.IsLive)
            return;
        _order.Add(~_trades.Count);
        _trades.Add(trade);
    }

    public void OnTopOfBook(in TopOfBook top) { }
    public void OnServerShutdown(long exchangeTimeMs, long receiveTimeNs) { }
    public void OnBookGridChanged(int instrumentId, long newTickRaw) => _sync.OnGridChanged(newTickRaw);
    public void OnMessageError(int instrumentId, MarketDataError error, long receiveTimeNs) =>
        throw new InvalidDataException($"the recording should parse cleanly: {error}");
}
