using Fathom.Hosting;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Fathom.Book;
using Fathom.Core;
using Fathom.Engine;
using Fathom.MarketData;
using Fathom.Risk;
using Fathom.Strategy.Abstractions;
using Fathom.Venues.Binance;
using HdrHistogram;
using Spectre.Console;
using Spectre.Console.Rendering;
using OrderSide = Fathom.Core.OrderSide;

namespace Fathom.Cli;

/// <summary>
/// The live terminal dashboard of <c>fathom demo</c>, in two steps that never mix:
/// <see cref="DashboardSampler.Take"/> copies engine state under the core lock into a plain immutable
/// <see cref="DashboardSnapshot"/> (cheap, a few times a second), and <see cref="Render"/> turns a snapshot
/// into a Spectre renderable with no access to anything else (pure, so tests render hand-built snapshots).
/// <see cref="RunLiveAsync"/> drives a Spectre live display that redraws in place (the cursor goes back up
/// and every line is overwritten at full width, never a full-screen clear) until cancelled, leaving the
/// last frame on screen.
/// </summary>
internal static class DemoDashboard
{
    /// <summary>Four redraws a second: enough to watch the ladder move, few enough that the core lock is barely touched.</summary>
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(250);

    private const int LeftWidth = 66;

    private static readonly Style Ours = new(Color.Yellow, decoration: Decoration.Bold);
    private static readonly Style Dim = new(Color.Grey);
    private static readonly Style BidStyle = new(Color.Green);
    private static readonly Style AskStyle = new(Color.Red);
    private static readonly Style HeaderStyle = new(Color.Grey, decoration: Decoration.Bold);

    /// <summary>
    /// Samples and redraws until <paramref name="cancel"/>; the last frame stays on screen for the summary
    /// below it. Never throws: a dashboard failure must not keep the caller from cancelling its orders.
    /// </summary>
    public static async Task RunLiveAsync(IAnsiConsole console, DashboardSampler sampler, Stopwatch started, CancellationToken cancel)
    {
        try
        {
            await console.Live(Render(sampler.Take(started.Elapsed)))
                .AutoClear(false)
                .Overflow(VerticalOverflow.Ellipsis)
                .Cropping(VerticalOverflowCropping.Bottom)
                .StartAsync(async ctx =>
                {
                    while (!cancel.IsCancellationRequested)
                    {
                        try
                        {
                            await Task.Delay(RefreshInterval, cancel).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException)
                        {
                            break;
                        }
                        ctx.UpdateTarget(Render(sampler.Take(started.Elapsed)));
                    }
                }).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            console.WriteLine($"dashboard stopped: {ex.GetType().Name}: {ex.Message} (trading goes on; keys still work)");
        }
    }

    /// <summary>The whole dashboard for one snapshot. Pure: depends on <paramref name="s"/> only.</summary>
    public static IRenderable Render(DashboardSnapshot s)
    {
        ArgumentNullException.ThrowIfNull(s);
        // The left column is as wide as the ladder needs; the right one takes the rest. About 37 lines
        // in all (fewer at start-up), so it fits a 120x40 terminal; the ladder and the orders keep their
        // height as the market moves, so the frame does not jump.
        var body = new Grid();
        body.AddColumn(new GridColumn().Width(LeftWidth).NoWrap().PadRight(1));
        body.AddColumn(new GridColumn().PadLeft(0));
        body.AddRow(
            new Rows(LadderPanel(s), OrdersPanel(s), LatencyPanel(s), RiskPanel(s)),
            new Rows(SignalsPanel(s), PositionPanel(s), FillsPanel(s), FeedPanel(s)));
        return new Rows(Header(s), body, KeyHelp());
    }

    // ------------------------------------------------------------------ header and footer

    private static Markup Header(DashboardSnapshot s)
    {
        string risk = s.RiskState switch
        {
            RiskState.Active => "[green]Active[/]",
            RiskState.Reducing => "[yellow]Reducing[/]",
            _ => "[red bold]Halted[/]",
        };
        string book = s.BookState == SyncState.Live ? "[green]Live[/]" : $"[yellow]{s.BookState}[/]";
        string flow = s.Flow is null ? "" : $"  flow {Markup.Escape(s.Flow)}";
        string banner = string.Join(" ", Banners(s).Select(b => $"[black on {(b == "PAUSED" ? "yellow" : "red")}] {b} [/]"));
        return new Markup(string.Create(CultureInfo.InvariantCulture,
            $"[bold]Fathom demo[/]  {Markup.Escape(s.Symbol)}  {s.Elapsed:hh\\:mm\\:ss}  book {book}  risk {risk}{flow}  {banner}"));
    }

    /// <summary>The operator banners that hold: PAUSED, FLATTENING, HALTED (risk halted or the strategy halted on an exception).</summary>
    public static IEnumerable<string> Banners(DashboardSnapshot s)
    {
        ArgumentNullException.ThrowIfNull(s);
        if (s.Paused)
            yield return "PAUSED";
        if (s.Flattening)
            yield return "FLATTENING";
        if (s.RiskState == RiskState.Halted || s.StrategyError is not null)
            yield return "HALTED";
    }

    private static Markup KeyHelp() =>
        new("[grey]keys:[/] [bold]p[/] pause/resume  [bold]f[/] flatten  [bold]h[/] halt  [bold]r[/] resume  [bold]q[/] quit (cancels all first)\n"
            + DemoFaultKeys.Legend());

    // ------------------------------------------------------------------ left column

    private static Panel LadderPanel(DashboardSnapshot s)
    {
        var t = NewTable().Expand();
        t.AddColumn(Column("our bid", right: true));
        t.AddColumn(Column("bid qty", right: true));
        t.AddColumn(Column("bid", right: true));
        t.AddColumn(Column("ask"));
        t.AddColumn(Column("ask qty"));
        t.AddColumn(Column("our ask"));
        int rows = Math.Max(s.Bids.Length, s.Asks.Length);
        for (int i = 0; i < rows; i++)
        {
            var cells = new IRenderable[6];
            if (i < s.Bids.Length)
            {
                DashboardLevel b = s.Bids[i];
                bool mine = b.OurOrders > 0;
                cells[0] = mine ? new Text(OurSize(s, b), Ours) : Text.Empty;
                cells[1] = new Text(s.Qty(b.Qty), mine ? Ours : Dim);
                cells[2] = new Text(s.Price(b.Price) + (mine ? "*" : " "), mine ? Ours : BidStyle);
            }
            else
            {
                cells[0] = cells[1] = cells[2] = Text.Empty;
            }
            if (i < s.Asks.Length)
            {
                DashboardLevel a = s.Asks[i];
                bool mine = a.OurOrders > 0;
                cells[3] = new Text((mine ? "*" : " ") + s.Price(a.Price), mine ? Ours : AskStyle);
                cells[4] = new Text(s.Qty(a.Qty), mine ? Ours : Dim);
                cells[5] = mine ? new Text(OurSize(s, a), Ours) : Text.Empty;
            }
            else
            {
                cells[3] = cells[4] = cells[5] = Text.Empty;
            }
            t.AddRow(cells);
        }
        if (rows == 0)
            t.AddRow(Text.Empty, Text.Empty, new Text("(empty book)", Dim), Text.Empty, Text.Empty, Text.Empty);
        string spread = s.Bids.Length > 0 && s.Asks.Length > 0 ? $"spread {s.Price(s.Asks[0].Price - s.Bids[0].Price)}" : "one-sided";
        return Titled(t, $"ladder ({spread}; * our order, its size beside)");
    }

    private static string OurSize(DashboardSnapshot s, DashboardLevel level) =>
        level.OurOrders > 1 ? $"{s.Qty(level.OurQty)} x{level.OurOrders}" : s.Qty(level.OurQty);

    private static Panel OrdersPanel(DashboardSnapshot s)
    {
        var t = NewTable();
        t.AddColumn(Column("id"));
        t.AddColumn(Column("side"));
        t.AddColumn(Column("price", right: true));
        t.AddColumn(Column("qty", right: true));
        t.AddColumn(Column("filled", right: true));
        t.AddColumn(Column("state"));
        foreach (DashboardOrder o in s.Orders)
        {
            t.AddRow(
                new Text(o.OrderId.ToString(CultureInfo.InvariantCulture), Dim),
                new Text((o.Side == OrderSide.Buy ? "buy" : "sell") + (o.PostOnly ? " po" : ""), o.Side == OrderSide.Buy ? BidStyle : AskStyle),
                new Text(s.Price(o.Price)),
                new Text(s.Qty(o.Quantity)),
                new Text(s.Qty(o.Filled)),
                new Text(o.State.ToString()));
        }
        if (s.Orders.IsEmpty)
            t.AddRow(Text.Empty, new Text("none", Dim), Text.Empty, Text.Empty, Text.Empty, Text.Empty);
        // The market maker quotes two orders: keep room for them so the screen does not jump.
        for (int i = Math.Max(s.Orders.Length, 1); i < 2; i++)
            t.AddRow(Text.Empty, Text.Empty, Text.Empty, Text.Empty, Text.Empty, Text.Empty);
        return Titled(t, string.Create(CultureInfo.InvariantCulture, $"open orders ({s.Orders.Length}; po = post-only; {s.CommandsSent} commands sent)"));
    }

    private static Panel FillsPanel(DashboardSnapshot s)
    {
        // Six columns in the narrow right one: a single space between them, not the usual two, so a row
        // with an exact fee (up to 8 decimals, signed) and a six-digit order id still fits on one line.
        var t = NewTable();
        foreach (TableColumn c in new[] { Column("time"), Column("side"), Column("qty", right: true), Column("price", right: true),
                     Column("fee", right: true) })
            t.AddColumn(c.PadLeft(0));
        t.AddColumn(Column("order", right: true).PadLeft(0).PadRight(0));
        foreach (DashboardFill f in s.RecentFills)
        {
            t.AddRow(
                new Text(string.Create(CultureInfo.InvariantCulture, $"{f.At:mm\\:ss\\.ff}"), Dim),
                new Text((f.Side == OrderSide.Buy ? "buy" : "sell") + (f.IsMaker ? " M" : " T"), f.Side == OrderSide.Buy ? BidStyle : AskStyle),
                new Text(s.Qty(f.Qty)),
                new Text(s.Price(f.Price)),
                new Text(DashboardSnapshot.Exact(f.Fee)),
                new Text(f.OrderId.ToString(CultureInfo.InvariantCulture), Dim));
        }
        if (s.RecentFills.IsEmpty)
            t.AddRow(Text.Empty, new Text("none yet", Dim), Text.Empty, Text.Empty, Text.Empty, Text.Empty);
        return Titled(t, string.Create(CultureInfo.InvariantCulture, $"recent fills ({s.FillCount} in all; M maker, T taker)"));
    }

    // ------------------------------------------------------------------ right column

    private static Panel SignalsPanel(DashboardSnapshot s)
    {
        SignalView g = s.Signals;
        var grid = Pairs();
        grid.AddRow(Label("imbalance"), new Text(Num(g.TopImbalance, "F2")), Label("depth imb."), new Text(Num(g.DepthImbalance, "F2")));
        grid.AddRow(Label("weighted imb."), new Text(Num(g.WeightedImbalance, "F2")),
            Label("microprice"), new Text(Num(g.Microprice, "F" + (s.PriceDisplayDecimals + 1).ToString(CultureInfo.InvariantCulture))));
        grid.AddRow(Label("volatility"), new Text(double.IsNaN(g.Volatility) ? "-" : Num(g.Volatility * 1e4, "F1") + " bp/√s"),
            Label("trade size z"), new Text(Num(g.TradeSizeZ, "F1")));
        grid.AddRow(Label("withdrawal"), new Text($"{Num(g.BidWithdrawal, "F2")}/{Num(g.AskWithdrawal, "F2")}"),
            Label("absorption"), new Text($"{Num(g.BidAbsorption, "F2")}/{Num(g.AskAbsorption, "F2")}"));
        grid.AddRow(Label("bid wall"), new Text(s.BidWall is decimal bw ? s.Price(bw) : "none"),
            Label("ask wall"), new Text(s.AskWall is decimal aw ? s.Price(aw) : "none"));
        return Titled(grid, "signals (pairs: bid/ask)");
    }

    private static Panel PositionPanel(DashboardSnapshot s)
    {
        var grid = Pairs();
        grid.AddRow(Label("position"), new Text(DashboardSnapshot.Exact(s.Position)), Label("avg entry"), new Text(s.Position == 0 ? "-" : s.Price(s.AverageEntry)));
        grid.AddRow(Label("bought"), new Text(s.Qty(s.BuyQty)), Label("sold"), new Text(s.Qty(s.SellQty)));
        grid.AddRow(Label("realized"), new Text(Money(s.RealizedPnl)), Label("unrealized"), new Text(Money(s.UnrealizedPnl)));
        decimal net = s.RealizedPnl + s.UnrealizedPnl - s.Fees;
        grid.AddRow(Label("fees"), new Text(Money(s.Fees)), Label("net PnL"), new Text(Money(net), net < 0 ? AskStyle : BidStyle));
        grid.AddRow(Label("places"), new Text(Count(s.Places)), Label("replaces/amends"), new Text($"{Count(s.Replaces)}/{Count(s.Amends)}"));
        grid.AddRow(Label("cancels"), new Text(Count(s.Cancels)), Label("risk refusals"), new Text(Count(s.RiskRefusals)));
        return Titled(grid, "position and PnL (quote currency)");
    }

    private static Panel RiskPanel(DashboardSnapshot s)
    {
        var lines = new List<IRenderable>
        {
            new Text($"state {s.RiskState}; reasons {(s.RiskReasons == RiskReason.None ? "none" : s.RiskReasons.ToString())}",
                s.RiskState == RiskState.Active ? Style.Plain : new Style(s.RiskState == RiskState.Halted ? Color.Red : Color.Yellow)),
        };
        if (s.StrategyError is not null)
            lines.Add(new Text("strategy HALTED: " + s.StrategyError, new Style(Color.Red)));
        foreach (string t in s.RiskTransitions)
            lines.Add(new Text(t, Dim));
        if (s.RiskTransitions.IsEmpty)
            lines.Add(new Text("no transitions", Dim));
        return Titled(new Rows(lines), "risk");
    }

    private static Panel LatencyPanel(DashboardSnapshot s)
    {
        var t = NewTable();
        t.AddColumn(Column("µs"));
        t.AddColumn(Column("p50", right: true));
        t.AddColumn(Column("p99", right: true));
        t.AddColumn(Column("p99.9", right: true));
        t.AddColumn(Column("max", right: true));
        t.AddColumn(Column("n", right: true));
        foreach (DashboardLatency l in s.Latency)
        {
            if (l.Count == 0)
            {
                t.AddRow(new Text(l.Stage), new Text("-"), new Text("-"), new Text("-"), new Text("-"), new Text("0", Dim));
                continue;
            }
            t.AddRow(new Text(l.Stage), Pct(l, 50, l.P50Us), Pct(l, 99, l.P99Us), Pct(l, 99.9, l.P999Us), new Text(Us(l.MaxUs)),
                new Text(l.Count.ToString(CultureInfo.InvariantCulture), Dim));
        }
        return Titled(t, "latency (p50 shown from n=10, p99 from 100, p99.9 from 1000)");
    }

    /// <summary>A percentile, or "n/a" in grey while there are too few samples for it to mean anything.</summary>
    private static Text Pct(DashboardLatency l, double percentile, double micros) =>
        EngineLatency.HasEnoughSamples(l.Count, percentile) ? new Text(Us(micros)) : new Text("n/a", Dim);

    private static Panel FeedPanel(DashboardSnapshot s)
    {
        var lines = new List<IRenderable>
        {
            new Text(string.Create(CultureInfo.InvariantCulture,
                $"book {s.BookState}; diffs {s.DiffsApplied}, gaps {s.Gaps}, reconnects {s.Reconnects}")),
            new Text(string.Create(CultureInfo.InvariantCulture, $"lag {s.FeedLagMs:F1} ms over the feed's baseline")),
        };
        foreach (string t in s.FeedTransitions)
            lines.Add(new Text(t, Dim));
        lines.Add(new Text(string.Create(CultureInfo.InvariantCulture,
            $"GCs since warm-up: gen0 {s.Gen0}, gen1 {s.Gen1}, gen2 {s.Gen2}; pauses {s.GcPause.TotalMilliseconds:F1} ms; allocated {s.AllocatedBytes / 1024} KiB")));
        return Titled(new Rows(lines), "feed and GC");
    }

    // ------------------------------------------------------------------ helpers

    private static Panel Titled(IRenderable content, string title) =>
        new Panel(content).Header(Markup.Escape(title)).Border(BoxBorder.Rounded).Padding(0, 0).Expand();

    /// <summary>Borderless, header in bold grey: a border line costs a screen row per table.</summary>
    private static Table NewTable() => new Table().Border(TableBorder.None).ShowHeaders();

    private static TableColumn Column(string header, bool right = false)
    {
        var c = new TableColumn(new Text(header, HeaderStyle)).NoWrap().PadLeft(1).PadRight(1);
        return right ? c.RightAligned() : c;
    }

    /// <summary>A grid of label/value pairs, two pairs a row.</summary>
    private static Grid Pairs()
    {
        var grid = new Grid();
        for (int i = 0; i < 4; i++)
            grid.AddColumn(new GridColumn().NoWrap().PadRight(i == 1 ? 3 : 1));
        return grid;
    }

    private static Text Label(string label) => new(label, Dim);

    private static string Count(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Num(double v, string format) => double.IsNaN(v) ? "-" : v.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>Microseconds, one decimal below 1000 (fits a narrow column either way).</summary>
    private static string Us(double micros) => micros.ToString(micros < 1000 ? "F1" : "F0", CultureInfo.InvariantCulture);

    private static string Money(decimal v) => v.ToString("F2", CultureInfo.InvariantCulture);
}

/// <summary>One ladder row: a book level and how much of it is ours.</summary>
internal readonly record struct DashboardLevel(decimal Price, decimal Qty, decimal OurQty, int OurOrders);

/// <summary>One of our working orders.</summary>
internal readonly record struct DashboardOrder(long OrderId, OrderSide Side, decimal Price, decimal Quantity, decimal Filled, OrderState State, bool PostOnly);

/// <summary>
/// One fill, exactly as the engine applied it: when (run time), side, size, the price it traded at (not
/// the order's limit), the fee in quote currency (negative: a rebate), maker or taker, and the order's
/// sequence number (one row per fill, so an order filled in parts shows once per part).
/// </summary>
internal readonly record struct DashboardFill(TimeSpan At, OrderSide Side, decimal Qty, decimal Price, decimal Fee, bool IsMaker, long OrderId, long TradeId);

/// <summary>Percentiles of one latency stage, in microseconds.</summary>
internal readonly record struct DashboardLatency(string Stage, long Count, double P50Us, double P99Us, double P999Us, double MaxUs);

/// <summary>
/// Everything the dashboard shows, copied out of the engine at one moment: plain values, no references
/// into live state. Prices, sizes and money are exact decimals in display units (quote currency for money).
/// </summary>
internal sealed record DashboardSnapshot
{
    public required string Symbol { get; init; }
    public TimeSpan Elapsed { get; init; }
    /// <summary>Decimals shown for prices and sizes (those of the tick and step sizes).</summary>
    public int PriceDisplayDecimals { get; init; } = 2;
    public int QtyDisplayDecimals { get; init; } = 5;
    /// <summary>The simulator's order-flow regime and its process, when there is a simulator.</summary>
    public string? Flow { get; init; }

    public bool Paused { get; init; }
    public bool Flattening { get; init; }
    /// <summary>Non-null when the strategy halted on an exception.</summary>
    public string? StrategyError { get; init; }

    /// <summary>Best first.</summary>
    public ImmutableArray<DashboardLevel> Bids { get; init; } = [];
    /// <summary>Best first.</summary>
    public ImmutableArray<DashboardLevel> Asks { get; init; } = [];
    public SignalView Signals { get; init; } = SignalView.Empty;
    public decimal? BidWall { get; init; }
    public decimal? AskWall { get; init; }

    public ImmutableArray<DashboardOrder> Orders { get; init; } = [];
    /// <summary>Newest first.</summary>
    public ImmutableArray<DashboardFill> RecentFills { get; init; } = [];
    public long FillCount { get; init; }

    public decimal Position { get; init; }
    public decimal AverageEntry { get; init; }
    public decimal RealizedPnl { get; init; }
    public decimal UnrealizedPnl { get; init; }
    public decimal Fees { get; init; }
    public decimal BuyQty { get; init; }
    public decimal SellQty { get; init; }

    public long CommandsSent { get; init; }
    public long Places { get; init; }
    public long Cancels { get; init; }
    public long Replaces { get; init; }
    public long Amends { get; init; }
    public long RiskRefusals { get; init; }

    public RiskState RiskState { get; init; }
    public RiskReason RiskReasons { get; init; }
    /// <summary>The last few risk transitions, oldest first, as logged.</summary>
    public ImmutableArray<string> RiskTransitions { get; init; } = [];

    public ImmutableArray<DashboardLatency> Latency { get; init; } = [];

    public SyncState BookState { get; init; }
    public long DiffsApplied { get; init; }
    public long Gaps { get; init; }
    public double FeedLagMs { get; init; }
    public long Reconnects { get; init; }
    public ImmutableArray<string> FeedTransitions { get; init; } = [];

    public int Gen0 { get; init; }
    public int Gen1 { get; init; }
    public int Gen2 { get; init; }
    public TimeSpan GcPause { get; init; }
    /// <summary>Bytes this process allocated since the sampler was made (all threads, the dashboard's own included).</summary>
    public long AllocatedBytes { get; init; }

    public string Price(decimal price) => price.ToString(PriceFormat, CultureInfo.InvariantCulture);
    public string Qty(decimal qty) => qty.ToString(QtyFormat, CultureInfo.InvariantCulture);
    /// <summary>Every significant decimal (a spot position carries base-asset fees below the step size).</summary>
    public static string Exact(decimal value) => value.ToString("0.##########", CultureInfo.InvariantCulture);
    private string PriceFormat => "F" + PriceDisplayDecimals.ToString(CultureInfo.InvariantCulture);
    private string QtyFormat => "F" + QtyDisplayDecimals.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// Takes <see cref="DashboardSnapshot"/>s of one instrument: everything from the core under its lock
/// (copies only, a few microseconds), the transition logs under theirs. Not thread-safe: one caller.
/// </summary>
/// <remarks>
/// Recent fills are the engine's own (<see cref="TradingEngine.CopyRecentFills"/>), one row per fill
/// with its traded price; a fill's time is the run time it was applied at, from its core-clock stamp.
/// </remarks>
internal sealed partial class DashboardSampler
{
    public const int LadderDepth = 10;
    public const int FillsShown = 10;
    private const int MaxOrders = 64;
    private const int TransitionsShown = 4;

    private readonly Lock _coreLock;
    private readonly TradingEngine _engine;
    private readonly BookSync _book;
    private readonly InstrumentSpec _spec;
    private readonly int _instrument;
    private readonly FeedCounters? _feed;
    private readonly string? _flow;
    private readonly List<string>? _riskTransitions;
    private readonly List<string>? _feedTransitions;
    private readonly int _priceDisplayDecimals;
    private readonly int _qtyDisplayDecimals;
    private readonly int _gen0, _gen1, _gen2;
    private readonly TimeSpan _gcPause;
    private readonly long _allocated;
    private readonly MonotonicClock _clock;

    private readonly OrderView[] _orders = new OrderView[MaxOrders];
    private readonly Level[] _levels = new Level[LadderDepth];
    // Every fill the engine keeps: other instruments' are among them, so take them all, then this one's.
    private readonly FillView[] _fills = new FillView[TradingEngine.RecentFillCapacity];

    /// <param name="clock">The engine's clock, to place fill stamps in run time (the system clock, as the demo's engine runs on, when null).</param>
    public DashboardSampler(Lock coreLock, TradingEngine engine, BookSync book, InstrumentSpec spec, FeedCounters? feed = null,
        string? flow = null, List<string>? riskTransitions = null, List<string>? feedTransitions = null, MonotonicClock? clock = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(book);
        ArgumentNullException.ThrowIfNull(spec);
        _coreLock = coreLock ?? throw new ArgumentNullException(nameof(coreLock));
        _engine = engine;
        _book = book;
        _spec = spec;
        _instrument = book.InstrumentId;
        _feed = feed;
        _flow = flow;
        _riskTransitions = riskTransitions;
        _feedTransitions = feedTransitions;
        _clock = clock ?? MonotonicClock.System;
        _priceDisplayDecimals = DisplayDecimals(spec.TickSize.Raw, spec.PriceDecimals);
        _qtyDisplayDecimals = DisplayDecimals(spec.StepSize.Raw, spec.QtyDecimals);
        _gen0 = GC.CollectionCount(0);
        _gen1 = GC.CollectionCount(1);
        _gen2 = GC.CollectionCount(2);
        _gcPause = GC.GetTotalPauseDuration();
        _allocated = GC.GetTotalAllocatedBytes();
    }

    /// <summary>A snapshot now; <paramref name="elapsed"/> is the run time it is stamped with.</summary>
    public DashboardSnapshot Take(TimeSpan elapsed)
    {
        DashboardSnapshot s;
        lock (_coreLock)
            s = TakeLocked(elapsed);
        ImmutableArray<string> risk = [], feed = [];
        if (_riskTransitions is not null)
            lock (_riskTransitions)
                risk = [.. _riskTransitions.TakeLast(TransitionsShown).Select(WithoutCoreTime)];
        if (_feedTransitions is not null)
            lock (_feedTransitions)
                feed = [.. _feedTransitions.TakeLast(TransitionsShown)];
        return s with
        {
            RiskTransitions = risk,
            FeedTransitions = feed,
            Flow = _flow,
            Gen0 = GC.CollectionCount(0) - _gen0,
            Gen1 = GC.CollectionCount(1) - _gen1,
            Gen2 = GC.CollectionCount(2) - _gen2,
            GcPause = GC.GetTotalPauseDuration() - _gcPause,
            AllocatedBytes = GC.GetTotalAllocatedBytes() - _allocated,
        };
    }

    private DashboardSnapshot TakeLocked(TimeSpan elapsed)
    {
        var execution = _engine.Execution;
        OrderBook book = _book.Book;
        int n = execution.LiveOrders(_instrument, _orders);
        ReadOnlySpan<OrderView> live = _orders.AsSpan(0, n);
        PositionView pos = execution.Position(_instrument);

        SignalView sig = _engine.Context.Signals(_instrument);
        var c = execution.Counters;
        var orders = ImmutableArray.CreateBuilder<DashboardOrder>(n);
        foreach (ref readonly OrderView o in live)
            orders.Add(new DashboardOrder(o.OrderId, o.Side, P(o.Price.Raw), Q(o.Quantity.Raw), Q(o.Filled.Raw), o.State, o.PostOnly));
        return new DashboardSnapshot
        {
            Symbol = _spec.Symbol,
            Elapsed = elapsed,
            PriceDisplayDecimals = _priceDisplayDecimals,
            QtyDisplayDecimals = _qtyDisplayDecimals,
            Paused = _engine.Paused,
            Flattening = _engine.Flattening,
            StrategyError = _engine.StrategyHalted ? _engine.StrategyError ?? "halted" : null,
            Bids = Ladder(book, Side.Bid, live),
            Asks = Ladder(book, Side.Ask, live),
            Signals = sig,
            BidWall = sig.BidWallTick > 0 ? P(book.PriceOf(sig.BidWallTick).Raw) : null,
            AskWall = sig.AskWallTick > 0 ? P(book.PriceOf(sig.AskWallTick).Raw) : null,
            Orders = orders.MoveToImmutable(),
            RecentFills = RecentFills(elapsed),
            FillCount = _engine.Fills,
            Position = Q(pos.Position.Raw),
            AverageEntry = P(pos.AverageEntryPrice.Raw),
            RealizedPnl = P(pos.RealizedPnl),
            UnrealizedPnl = P(pos.UnrealizedPnl),
            Fees = P(pos.FeesPaid),
            BuyQty = Q(pos.BuyQty.Raw),
            SellQty = Q(pos.SellQty.Raw),
            CommandsSent = _engine.CommandsSent,
            Places = c.Places,
            Cancels = c.Cancels,
            Replaces = c.CancelReplaces,
            Amends = c.Amends,
            RiskRefusals = c.RiskRefusals,
            RiskState = execution.Risk.State,
            RiskReasons = execution.Risk.Reasons,
            Latency =
            [
                Stage("tick-to-order", _engine.Latency.TickToOrder),
                Stage("tick-to-wire", _engine.Latency.TickToWire),
                Stage("core per event", _engine.Latency.CoreCost),
                Stage("command-to-ack", _engine.Latency.CommandToAck),
                Stage("tick-to-ack", _engine.Latency.TickToAck),
            ],
            BookState = _book.State,
            DiffsApplied = _book.Counters.DiffsApplied,
            Gaps = _book.Counters.Gaps,
            FeedLagMs = _book.FeedLag.ExcessNanos / 1e6,
            Reconnects = _feed?.Disconnects ?? 0,
        };
    }

    /// <summary>
    /// The top <see cref="LadderDepth"/> levels of one side, with every price where we have an order even
    /// when it is not among them (deeper, or not in the venue's book yet): such a row takes the place of
    /// the deepest one of the others, so the ladder keeps its height and the screen does not jump.
    /// </summary>
    private ImmutableArray<DashboardLevel> Ladder(OrderBook book, Side side, ReadOnlySpan<OrderView> live)
    {
        OrderSide ours = side == Side.Bid ? OrderSide.Buy : OrderSide.Sell;
        int count = book.TopLevels(side, _levels);
        var rows = new List<(long PriceRaw, long QtyRaw)>(count + 2);
        for (int i = 0; i < count; i++)
            rows.Add((book.PriceOf(_levels[i].Tick).Raw, _levels[i].Qty));
        foreach (ref readonly OrderView o in live)
        {
            long price = o.Price.Raw;
            if (o.Side == ours && !rows.Exists(r => r.PriceRaw == price))
                rows.Add((price, 0));
        }
        // Best first: bids descending, asks ascending.
        rows.Sort((a, b) => side == Side.Bid ? b.PriceRaw.CompareTo(a.PriceRaw) : a.PriceRaw.CompareTo(b.PriceRaw));
        for (int i = rows.Count - 1; i >= 0 && rows.Count > LadderDepth; i--)
        {
            if (!HasOrderAt(live, ours, rows[i].PriceRaw))
                rows.RemoveAt(i);
        }
        var result = ImmutableArray.CreateBuilder<DashboardLevel>(rows.Count);
        foreach (var (priceRaw, qtyRaw) in rows)
        {
            long mine = 0;
            int orders = 0;
            foreach (ref readonly OrderView o in live)
            {
                if (o.Side == ours && o.Price.Raw == priceRaw)
                {
                    mine += o.Remaining.Raw;
                    orders++;
                }
            }
            result.Add(new DashboardLevel(P(priceRaw), Q(qtyRaw), Q(mine), orders));
        }
        return result.MoveToImmutable();
    }

    /// <summary>
    /// A logged risk transition without its trailing " at N ns" (core clock nanoseconds, meaningless on
    /// screen next to the wall-clock time the log line starts with), so it fits on one line.
    /// </summary>
    internal static string WithoutCoreTime(string transition) =>
        CoreTimeSuffix().Replace(transition, "");

    [GeneratedRegex(@" at \d+ ns$")]
    private static partial Regex CoreTimeSuffix();

    private static bool HasOrderAt(ReadOnlySpan<OrderView> live, OrderSide side, long priceRaw)
    {
        foreach (ref readonly OrderView o in live)
        {
            if (o.Side == side && o.Price.Raw == priceRaw)
                return true;
        }
        return false;
    }

    /// <summary>
    /// This instrument's latest fills, newest first, stamped in run time: <paramref name="elapsed"/> is
    /// now, so a fill is as far before it as its core-clock stamp is before the clock's now.
    /// </summary>
    private ImmutableArray<DashboardFill> RecentFills(TimeSpan elapsed)
    {
        int n = _engine.CopyRecentFills(_fills);
        long nowNs = _clock.NowNanos();
        var result = ImmutableArray.CreateBuilder<DashboardFill>(FillsShown);
        foreach (ref readonly FillView f in _fills.AsSpan(0, n))
        {
            if (f.InstrumentId != _instrument)
                continue;
            TimeSpan at = elapsed - TimeSpan.FromTicks(Math.Max(0, nowNs - f.TimeNs) / TimeSpan.NanosecondsPerTick);
            result.Add(new DashboardFill(at < TimeSpan.Zero ? TimeSpan.Zero : at, f.Side, Q(f.Quantity.Raw), P(f.Price.Raw), P(f.Fee),
                f.IsMaker, f.OrderId, f.TradeId));
            if (result.Count == FillsShown)
                break;
        }
        return result.DrainToImmutable();
    }

    private static DashboardLatency Stage(string name, HistogramBase h) => h.TotalCount == 0
        ? new DashboardLatency(name, 0, 0, 0, 0, 0)
        : new DashboardLatency(name, h.TotalCount, h.GetValueAtPercentile(50) / 1e3, h.GetValueAtPercentile(99) / 1e3,
            h.GetValueAtPercentile(99.9) / 1e3, h.GetMaxValue() / 1e3);

    private decimal P(long raw) => raw / (decimal)FixedPoint.Pow10(_spec.PriceDecimals);
    private decimal Q(long raw) => raw / (decimal)FixedPoint.Pow10(_spec.QtyDecimals);

    /// <summary>Decimals worth showing: those of the increment (0.01 at 8 decimals → 2).</summary>
    private static int DisplayDecimals(long incrementRaw, int decimals)
    {
        while (decimals > 0 && incrementRaw > 0 && incrementRaw % 10 == 0)
        {
            incrementRaw /= 10;
            decimals--;
        }
        return decimals;
    }
}
