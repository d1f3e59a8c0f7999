namespace Fathom.Simulator;

/// <summary>
/// One symbol's exchange state: the two book sides, order and trade id counters (per symbol, from 1,
/// as Binance issues them), the book update id shared by depth snapshots, every order ever accepted,
/// the open orders by client id and the recent public trades.
/// </summary>
public sealed class SymbolBook
{
    public const int TradeHistory = 1000;

    internal readonly BookSide Bids = new(isBid: true);
    internal readonly BookSide Asks = new(isBid: false);
    internal readonly Dictionary<long, SimOrder> Orders = [];
    /// <summary>Every order each account ever had accepted here, by account id, in order id order (<c>allOrders</c>).</summary>
    private readonly Dictionary<int, List<SimOrder>> _ordersByAccount = [];
    internal readonly Dictionary<long, SimOrder> OpenOrders = [];
    internal readonly Dictionary<(int Account, string ClientId), SimOrder> OpenByClientId = [];
    internal readonly Dictionary<(int Account, string ClientId), SimOrder> LatestByClientId = [];
    private readonly TradeRecord[] _trades = new TradeRecord[TradeHistory];
    private long _tradeCount;

    internal SymbolBook(SimSymbol symbol, int index, int baseAsset, int quoteAsset)
    {
        Symbol = symbol;
        Index = index;
        BaseAsset = baseAsset;
        QuoteAsset = quoteAsset;
    }

    public SimSymbol Symbol { get; }
    public string Name => Symbol.Name;
    public int Index { get; }
    internal int BaseAsset { get; }
    internal int QuoteAsset { get; }
    public SymbolStatus Status { get; set; } = SymbolStatus.Trading;

    internal long LastOrderId;
    internal long LastTradeId;
    internal long LastExecutionId;
    /// <summary>The symbol's last <c>preventedMatchId</c>: Binance numbers prevented matches per symbol from 0.</summary>
    internal long LastPreventedMatchId = -1;

    /// <summary>
    /// Prices whose level changed since each depth channel last published (index = channel: the
    /// 100 ms and the 1000 ms diff streams batch differently). Every change bumps <see cref="UpdateId"/>
    /// once, so a diff covering ids (U, u] carries, for each price it lists, the quantity at u.
    /// Null until a stream hub tracks them.
    /// </summary>
    internal HashSet<long>[]? ChangedBids;
    internal HashSet<long>[]? ChangedAsks;

    internal void TrackChanges(int channels)
    {
        ChangedBids = new HashSet<long>[channels];
        ChangedAsks = new HashSet<long>[channels];
        for (int i = 0; i < channels; i++)
        {
            ChangedBids[i] = [];
            ChangedAsks[i] = [];
        }
    }

    /// <summary>A level changed: one new book update id, and the price is remembered for every depth channel.</summary>
    internal void MarkChanged(bool isBid, long price)
    {
        UpdateId++;
        var sets = isBid ? ChangedBids : ChangedAsks;
        if (sets is null)
            return;
        foreach (var set in sets)
            set.Add(price);
    }

    /// <summary>Total quantity resting at a price (0 when there is no level).</summary>
    public long QtyAt(OrderSide side, long price) => (side == OrderSide.Buy ? Bids : Asks).QtyAt(price);

    /// <summary>Aggregate trades and klines built from this symbol's trades (bounded).</summary>
    public MarketHistory History { get; } = new();

    /// <summary>Public trades so far (the sequence number of the next one).</summary>
    public long TradeCount => _tradeCount;

    /// <summary>The trade with sequence number <paramref name="seq"/> (0-based), if still in the history.</summary>
    public bool TryGetTrade(long seq, out TradeRecord trade)
    {
        trade = default;
        if (seq < 0 || seq >= _tradeCount || seq < _tradeCount - TradeHistory)
            return false;
        trade = _trades[seq % TradeHistory];
        return true;
    }
    /// <summary>Book update id: bumps on every change to either side (REST <c>lastUpdateId</c>).</summary>
    public long UpdateId { get; internal set; }
    /// <summary>Last trade price (raw), 0 before the first trade: the reference for PERCENT_PRICE_BY_SIDE and market NOTIONAL.</summary>
    public long LastPrice { get; internal set; }

    public int BidLevels => Bids.LevelCount;
    public int AskLevels => Asks.LevelCount;

    /// <summary>The i-th level from the best: (price, total quantity, order count).</summary>
    public (long Price, long Qty, int Orders) Level(OrderSide side, int i)
    {
        var level = (side == OrderSide.Buy ? Bids : Asks).LevelFromBest(i);
        return (level.Price, level.TotalQty, level.Count);
    }

    public bool TryBest(OrderSide side, out long price, out long qty)
    {
        var level = (side == OrderSide.Buy ? Bids : Asks).Best;
        price = level?.Price ?? 0;
        qty = level?.TotalQty ?? 0;
        return level is not null;
    }

    /// <summary>Resting orders at one level in queue order (tests and diagnostics; allocates).</summary>
    public IReadOnlyList<SimOrder> QueueAt(OrderSide side, int levelFromBest)
    {
        var list = new List<SimOrder>();
        for (var o = (side == OrderSide.Buy ? Bids : Asks).LevelFromBest(levelFromBest).Head; o is not null; o = o.Next)
            list.Add(o);
        return list;
    }

    public bool TryGetOrder(long orderId, out SimOrder order) => Orders.TryGetValue(orderId, out order!);

    /// <summary>Records an accepted order (it has its id): found by id, and listed in its account's history.</summary>
    internal void AddOrder(SimOrder order)
    {
        Orders.Add(order.OrderId, order);
        if (!_ordersByAccount.TryGetValue(order.Account.Id, out var list))
            _ordersByAccount[order.Account.Id] = list = [];
        list.Add(order);
    }

    /// <summary>Every order <paramref name="account"/> ever had accepted on this symbol, open or not, oldest (lowest id) first.</summary>
    public IReadOnlyList<SimOrder> OrdersOf(SimAccount account) =>
        _ordersByAccount.TryGetValue(account.Id, out var list) ? list : [];
    public IEnumerable<SimOrder> OpenOrdersOf(SimAccount account) =>
        OpenOrders.Values.Where(o => o.Account == account).OrderBy(o => o.OrderId);
    public IEnumerable<SimOrder> AllOrders => Orders.Values;

    internal void AddTrade(in TradeRecord trade)
    {
        _trades[_tradeCount % TradeHistory] = trade;
        _tradeCount++;
        History.Add(trade);
    }

    /// <summary>The most recent <paramref name="limit"/> trades, oldest first.</summary>
    public IReadOnlyList<TradeRecord> RecentTrades(int limit)
    {
        long n = Math.Min(Math.Min(limit, TradeHistory), _tradeCount);
        var list = new List<TradeRecord>((int)n);
        for (long i = _tradeCount - n; i < _tradeCount; i++)
            list.Add(_trades[i % TradeHistory]);
        return list;
    }
}
