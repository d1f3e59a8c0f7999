using Fathom.Core;

namespace Fathom.Simulator;

/// <summary>
/// The simulated exchange's core: accounts and balances, price-time priority matching per symbol on
/// integer prices, self-trade prevention, maker/taker commissions, cancel and amend.
/// Entry points: <see cref="Place"/>, <see cref="Cancel"/>, <see cref="CancelAll"/>,
/// <see cref="AmendKeepPriority"/>, <see cref="Deposit"/>.
/// </summary>
/// <remarks>
/// Single-threaded: callers serialize access (the REST server holds one lock around every call).
/// Invariants after every command: no book is crossed; every asset's total over all accounts'
/// free + locked plus the collected fees is unchanged (only <see cref="Deposit"/> changes it); an
/// account's locked balance equals what its open orders lock. Time comes only from the injected clock.
/// </remarks>
public sealed partial class MatchingEngine
{
    private readonly MonotonicClock _clock;
    private readonly List<string> _assets = [];
    private readonly Dictionary<string, int> _assetIndex = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SymbolBook> _books = new(StringComparer.Ordinal);
    private readonly List<SymbolBook> _bookList = [];
    private readonly List<SimAccount> _accounts = [];
    private readonly List<Fill> _fills = new(64);
    private readonly long[] _fees;
    private readonly List<ExecutionEvent> _events = [];
    private readonly List<BalanceEvent> _balanceEvents = [];
    private ulong _rng;

    /// <summary>
    /// When on, every order change is recorded as an <see cref="ExecutionEvent"/> (and deposits as
    /// <see cref="BalanceEvent"/>s) for the user data stream, which drains them after each command
    /// with <see cref="DrainEvents"/>. Off by default so an engine used alone does not accumulate them.
    /// </summary>
    public bool RecordEvents { get; set; }

    /// <summary>Moves the recorded events, oldest first, into the given lists.</summary>
    public void DrainEvents(List<ExecutionEvent> executions, List<BalanceEvent> balances)
    {
        executions.AddRange(_events);
        balances.AddRange(_balanceEvents);
        _events.Clear();
        _balanceEvents.Clear();
    }

    private void Record(SimOrder o, ExecutionType type, long now, long lastQty = 0, long lastPrice = 0, long lastQuote = 0,
        long commission = 0, string? commissionAsset = null, long tradeId = -1, bool maker = false, string? origClientId = null,
        string? clientId = null, long lastPrevented = 0, long counterOrderId = -1, string? expiryReason = null)
    {
        if (!RecordEvents)
            return;
        var status = type switch
        {
            ExecutionType.New => OrderStatus.New,
            ExecutionType.Trade => o.Remaining == 0 && !o.IsQuoteOrder ? OrderStatus.Filled : OrderStatus.PartiallyFilled,
            ExecutionType.Canceled => OrderStatus.Canceled,
            ExecutionType.Expired => OrderStatus.Expired,
            ExecutionType.TradePrevention => OrderStatus.ExpiredInMatch,
            _ => o.Status,
        };
        _events.Add(new ExecutionEvent(o, type, status, clientId ?? o.ClientOrderId, origClientId ?? "", o.OrigQty, o.ExecutedQty,
            o.CumulativeQuoteQty, lastQty, lastPrice, lastQuote, commission, commissionAsset, tradeId, ++o.Book.LastExecutionId,
            IsWorking: o.Level is not null, maker, now, o.PreventedMatchId, o.PreventedQty, lastPrevented, counterOrderId, expiryReason));
    }

    public MatchingEngine(IEnumerable<SimSymbol> symbols, MonotonicClock clock, ulong seed = 1)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        ArgumentNullException.ThrowIfNull(clock);
        _clock = clock;
        _rng = seed;
        foreach (var s in symbols)
        {
            s.Validate();
            if (_books.ContainsKey(s.Name))
                ThrowHelper.ThrowArgument(nameof(symbols), $"duplicate symbol {s.Name}");
            var book = new SymbolBook(s, _bookList.Count, AddAsset(s.BaseAsset), AddAsset(s.QuoteAsset));
            _books.Add(s.Name, book);
            _bookList.Add(book);
        }
        _fees = new long[_assets.Count];
    }

    public MonotonicClock Clock => _clock;
    public IReadOnlyList<SymbolBook> Books => _bookList;
    public IReadOnlyList<string> AssetNames => _assets;
    public IReadOnlyList<SimAccount> Accounts => _accounts;

    /// <summary>
    /// Orders expired by self-trade prevention (<c>EXPIRED_IN_MATCH</c>) on every account, makers and takers:
    /// EXPIRE_BOTH counts two. Per account: <see cref="SimAccount.StpExpiredOrders"/>. Readable from any thread.
    /// </summary>
    public long StpExpiredOrders => Volatile.Read(ref _stpExpiredOrders);
    private long _stpExpiredOrders;

    // Written only under the caller's serialization; Volatile so monitors on other threads read whole values.
    private void CountStpExpiry(SimOrder o)
    {
        Volatile.Write(ref _stpExpiredOrders, _stpExpiredOrders + 1);
        Volatile.Write(ref o.Account.StpExpiredCount, o.Account.StpExpiredCount + 1);
    }

    public bool TryGetBook(string symbol, out SymbolBook book) => _books.TryGetValue(symbol, out book!);
    public SymbolBook Book(string symbol) => _books[symbol];

    /// <summary>Commissions collected, per asset (8 decimals).</summary>
    public long FeesCollected(string asset) => _fees[AssetIndex(asset)];

    public int AssetIndex(string asset) =>
        _assetIndex.TryGetValue(asset, out int i) ? i : throw new ArgumentException($"unknown asset {asset}", nameof(asset));

    /// <summary>Sum of free + locked over all accounts plus collected fees: constant between deposits.</summary>
    public Int128 TotalSupply(string asset)
    {
        int a = AssetIndex(asset);
        Int128 total = _fees[a];
        foreach (var acct in _accounts)
            total += (Int128)acct.FreeByAsset[a] + acct.LockedByAsset[a];
        return total;
    }

    private int AddAsset(string asset)
    {
        if (_assetIndex.TryGetValue(asset, out int i))
            return i;
        _assetIndex.Add(asset, _assets.Count);
        _assets.Add(asset);
        return _assets.Count - 1;
    }

    /// <summary>Creates an account with commission rates at 8 decimals (0.001 = 100000).</summary>
    public SimAccount CreateAccount(string name, long makerCommission = 100_000, long takerCommission = 100_000)
    {
        if (makerCommission < 0 || takerCommission < 0 || makerCommission > Assets.One || takerCommission > Assets.One)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(makerCommission), "commission rates must be within [0, 1].");
        var acct = new SimAccount(this, _accounts.Count + 1, name, makerCommission, takerCommission, _assets.Count, _bookList.Count);
        _accounts.Add(acct);
        return acct;
    }

    /// <summary>Credits <paramref name="amount"/> (8 decimals) of <paramref name="asset"/> to the account's free balance.</summary>
    public void Deposit(SimAccount account, string asset, long amount)
    {
        if (amount < 0)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(amount), "deposit must not be negative.");
        int a = AssetIndex(asset);
        account.FreeByAsset[a] = checked(account.FreeByAsset[a] + amount);
        if (RecordEvents)
            _balanceEvents.Add(new BalanceEvent(account, asset, amount, NowMs));
    }

    private long NowMs => _clock.UtcNowUnixMs;

    /// <summary>A 22-character client order id from the seeded generator, like Binance's auto ids.</summary>
    public string NewClientOrderId()
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        return string.Create(22, this, static (span, self) =>
        {
            for (int i = 0; i < span.Length; i++)
                span[i] = alphabet[(int)(self.NextRandom() % (ulong)alphabet.Length)];
        });
    }

    private ulong NextRandom()
    {
        // SplitMix64: deterministic for a seed on every platform and runtime.
        ulong z = _rng += 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    private OrderOutcome Rejected(RejectCode code) => new(code, null, _fills);

    // ---------------------------------------------------------------- filters (-1013), before the engine

    /// <summary>The first Binance filter the order fails, in the order filters.md lists them.</summary>
    public static RejectCode CheckFilters(SimAccount account, in NewOrder order)
    {
        var book = order.Book;
        var sym = book.Symbol;
        var spec = sym.Spec;
        bool market = order.Type == OrderType.Market;
        if (!market)
        {
            long p = order.Price;
            if (p <= 0 || p % spec.TickSize.Raw != 0 ||
                (spec.MinPrice.Raw != 0 && p < spec.MinPrice.Raw) || (spec.MaxPrice.Raw != 0 && p > spec.MaxPrice.Raw))
                return RejectCode.FilterPrice;
        }
        if (!market || order.QuoteOrderQty == 0)
        {
            long q = order.Qty;
            long max = market && sym.MarketMaxQty != 0 ? sym.MarketMaxQty : spec.MaxQty.Raw;
            if (q <= 0 || q % spec.StepSize.Raw != 0 || q < spec.MinQty.Raw || (max != 0 && q > max))
                return market ? RejectCode.FilterMarketLotSize : RejectCode.FilterLotSize;
        }
        if (!market && book.LastPrice > 0)
        {
            // PERCENT_PRICE_BY_SIDE with avgPriceMins 0: the reference is the last trade price.
            Int128 scaled = (Int128)order.Price * FixedPoint.Pow10(SimSymbol.MultiplierDecimals);
            long up = order.Side == OrderSide.Buy ? sym.BidMultiplierUp : sym.AskMultiplierUp;
            long down = order.Side == OrderSide.Buy ? sym.BidMultiplierDown : sym.AskMultiplierDown;
            if ((up != 0 && scaled > (Int128)book.LastPrice * up) || (down != 0 && scaled < (Int128)book.LastPrice * down))
                return RejectCode.FilterPercentPriceBySide;
        }
        // NOTIONAL: limit orders on price × qty; market orders on the last price, once there is one.
        long notionalPrice = market ? book.LastPrice : order.Price;
        if (market && order.QuoteOrderQty > 0)
        {
            if ((sym.ApplyMinToMarket && sym.MinNotional != 0 && order.QuoteOrderQty < sym.MinNotional) ||
                (sym.ApplyMaxToMarket && sym.MaxNotional != 0 && order.QuoteOrderQty > sym.MaxNotional))
                return RejectCode.FilterNotional;
        }
        else if (notionalPrice > 0)
        {
            long notional = Assets.NotionalFloor(notionalPrice, order.Qty, spec);
            bool checkMin = !market || sym.ApplyMinToMarket;
            bool checkMax = !market || sym.ApplyMaxToMarket;
            if ((checkMin && sym.MinNotional != 0 && notional < sym.MinNotional) ||
                (checkMax && sym.MaxNotional != 0 && notional > sym.MaxNotional))
                return RejectCode.FilterNotional;
        }
        if (account.OpenOrdersBySymbol[book.Index] >= sym.MaxNumOrders && order.Type != OrderType.Market)
            return RejectCode.FilterMaxNumOrders;
        return RejectCode.None;
    }

    // ---------------------------------------------------------------- new order

    /// <summary>Filters, then the engine's checks, then matching; the taker's fills are in the outcome.</summary>
    public OrderOutcome Place(SimAccount account, in NewOrder req)
    {
        _fills.Clear();
        var book = req.Book;
        var spec = book.Symbol.Spec;
        var filter = CheckFilters(account, req);
        if (filter != RejectCode.None)
            return Rejected(filter);
        if (book.Status != SymbolStatus.Trading)
            return Rejected(RejectCode.MarketClosed);
        var stp = req.Stp ?? account.DefaultStp ?? book.Symbol.DefaultStp;
        if (stp is < SelfTradePreventionMode.None or > SelfTradePreventionMode.ExpireBoth)
            return Rejected(RejectCode.StpModeNotAllowed);
        string clientId = req.ClientOrderId ?? NewClientOrderId();
        if (book.OpenByClientId.ContainsKey((account.Id, clientId)))
            return Rejected(RejectCode.DuplicateOrder);

        var opposite = req.Side == OrderSide.Buy ? book.Asks : book.Bids;
        bool market = req.Type == OrderType.Market;
        if (req.Type == OrderType.LimitMaker && opposite.Best is { } touch && Crosses(req.Side, req.Price, touch.Price))
            return req.CancelIfWouldTake ? AcceptCanceled(account, req, clientId, stp) : Rejected(RejectCode.WouldTake);
        if (market && req.QuoteOrderQty > 0 && opposite.Best is null)
            return Rejected(RejectCode.NoLiquidityForQuoteOrder);

        // Work out what to lock before touching the book.
        int lockAsset = req.Side == OrderSide.Buy ? book.QuoteAsset : book.BaseAsset;
        long lockAmount;
        if (!market)
        {
            lockAmount = req.Side == OrderSide.Buy
                ? Assets.NotionalCeil(req.Price, req.Qty, spec)
                : Assets.FromQty(req.Qty, spec.QtyDecimals);
            if (lockAmount <= 0)
                return Rejected(RejectCode.PriceTimesQtyNotPositive);
        }
        else if (req.QuoteOrderQty > 0)
        {
            lockAmount = req.Side == OrderSide.Buy
                ? req.QuoteOrderQty
                : Assets.FromQty(DryRun(book, account, req.Side, stp, 0, long.MaxValue, req.QuoteOrderQty).Qty, spec.QtyDecimals);
        }
        else
        {
            lockAmount = req.Side == OrderSide.Buy
                ? DryRun(book, account, req.Side, stp, 0, req.Qty, 0).CostCeil
                : Assets.FromQty(req.Qty, spec.QtyDecimals);
        }
        if (account.FreeByAsset[lockAsset] < lockAmount)
            return Rejected(RejectCode.InsufficientBalance);

        long now = NowMs;
        var order = new SimOrder
        {
            Book = book,
            Account = account,
            ClientOrderId = clientId,
            Side = req.Side,
            Type = req.Type,
            TimeInForce = market || req.Type == OrderType.LimitMaker ? TimeInForce.Gtc : req.TimeInForce,
            Price = market ? 0 : req.Price,
            OrigQty = market && req.QuoteOrderQty > 0 ? 0 : req.Qty,
            OrigQuoteOrderQty = market ? req.QuoteOrderQty : 0,
            Stp = stp,
            Time = now,
            UpdateTime = now,
            Status = OrderStatus.New,
            WorkingTime = now,
        };
        order.OrderId = ++book.LastOrderId;
        book.AddOrder(order);
        book.LatestByClientId[(account.Id, clientId)] = order;
        account.Lock(lockAsset, lockAmount);
        order.Locked = lockAmount;
        int newEvent = _events.Count;
        Record(order, ExecutionType.New, now);

        bool fokFails = !market && req.TimeInForce == TimeInForce.Fok &&
            DryRun(book, account, req.Side, stp, req.Price, req.Qty, 0).Qty < req.Qty;
        bool stpExpired = false;
        if (!fokFails)
            stpExpired = Match(order, opposite, now);

        if (order.IsQuoteOrder)
            order.OrigQty = order.ExecutedQty;
        bool rests = !market && !fokFails && !stpExpired && order.Remaining > 0 && order.TimeInForce == TimeInForce.Gtc;
        if (rests)
        {
            Rest(order);
        }
        else
        {
            ReleaseAll(order);
            order.Status = order.Remaining == 0 && order.ExecutedQty > 0 ? OrderStatus.Filled
                : stpExpired ? OrderStatus.ExpiredInMatch
                : OrderStatus.Expired;
            if (order.Status == OrderStatus.ExpiredInMatch)
                CountStpExpiry(order);
        }
        if (RecordEvents)
            FinishPlaceEvents(order, newEvent, rests, fokFails, now);
        return new OrderOutcome(RejectCode.None, order, _fills);
    }

    /// <summary>
    /// OKX <c>post_only</c> that would take: the order is accepted (it gets an id and is found by queries)
    /// and canceled at once without touching the book or the balances.
    /// </summary>
    private OrderOutcome AcceptCanceled(SimAccount account, in NewOrder req, string clientId, SelfTradePreventionMode stp)
    {
        var book = req.Book;
        long now = NowMs;
        var order = new SimOrder
        {
            Book = book,
            Account = account,
            ClientOrderId = clientId,
            Side = req.Side,
            Type = req.Type,
            TimeInForce = TimeInForce.Gtc,
            Price = req.Price,
            OrigQty = req.Qty,
            Stp = stp,
            Time = now,
            UpdateTime = now,
            Status = OrderStatus.New,
        };
        order.OrderId = ++book.LastOrderId;
        book.AddOrder(order);
        book.LatestByClientId[(account.Id, clientId)] = order;
        Record(order, ExecutionType.New, now);
        order.Status = OrderStatus.Canceled;
        Record(order, ExecutionType.Canceled, now, origClientId: order.ClientOrderId, clientId: order.ClientOrderId);
        return new OrderOutcome(RejectCode.None, order, _fills);
    }

    /// <summary>
    /// Completes the taker's events once its fate is known: NEW says whether it went on the book, a
    /// quote order's last trade says FILLED, and an unfilled remainder expires (STP: TRADE_PREVENTION).
    /// </summary>
    private void FinishPlaceEvents(SimOrder order, int newEvent, bool rests, bool fokFails, long now)
    {
        if (newEvent < _events.Count && ReferenceEquals(_events[newEvent].Order, order))
            _events[newEvent] = _events[newEvent] with { IsWorking = rests && order.ExecutedQty == 0, OrigQty = order.IsQuoteOrder ? 0 : order.OrigQty };
        if (order.Status == OrderStatus.Filled)
        {
            for (int i = _events.Count - 1; i > newEvent; i--)
            {
                if (ReferenceEquals(_events[i].Order, order) && _events[i].Type == ExecutionType.Trade)
                {
                    _events[i] = _events[i] with { Status = OrderStatus.Filled, OrigQty = order.OrigQty };
                    break;
                }
            }
        }
        else if (order.Status == OrderStatus.Expired)
        {
            string reason = order.Type == OrderType.Market ? "INSUFFICIENT_LIQUIDITY"
                : fokFails ? "UNFILLED_FOK_ORDER_EXPIRED" : "UNFILLED_IOC_QUANTITY_EXPIRED";
            Record(order, ExecutionType.Expired, now, expiryReason: reason);
        }
        else if (order.Status == OrderStatus.ExpiredInMatch)
        {
            Record(order, ExecutionType.TradePrevention, now, lastPrevented: order.PreventedQty, counterOrderId: order.PreventedCounterOrderId);
        }
    }

    private static bool Crosses(OrderSide takerSide, long limit, long makerPrice) =>
        takerSide == OrderSide.Buy ? makerPrice <= limit : makerPrice >= limit;

    /// <summary>
    /// What a taker would fill without changing anything: quantity, and for buys the sum of
    /// ceil(price × qty) per fill, an upper bound of what the fills cost. Mirrors <see cref="Match"/>,
    /// STP included (own makers are skipped under EXPIRE_MAKER, stop the taker otherwise).
    /// </summary>
    private static (long Qty, long CostCeil) DryRun(SymbolBook book, SimAccount account, OrderSide side,
        SelfTradePreventionMode stp, long limit, long maxQty, long maxQuote)
    {
        var spec = book.Symbol.Spec;
        var opposite = side == OrderSide.Buy ? book.Asks : book.Bids;
        long qty = 0, cost = 0, quote = 0;
        for (int i = 0; i < opposite.LevelCount; i++)
        {
            var level = opposite.LevelFromBest(i);
            if (limit != 0 && !Crosses(side, limit, level.Price))
                break;
            for (var maker = level.Head; maker is not null; maker = maker.Next)
            {
                if (maker.Account == account && stp != SelfTradePreventionMode.None)
                {
                    if (stp == SelfTradePreventionMode.ExpireMaker)
                        continue;
                    return (qty, cost);
                }
                long q = Math.Min(maxQty - qty, maker.Remaining);
                if (maxQuote > 0)
                    q = Math.Min(q, Assets.QtyForQuote(maxQuote - quote, level.Price, spec));
                if (q <= 0)
                    return (qty, cost);
                qty += q;
                cost += Assets.NotionalCeil(level.Price, q, spec);
                quote += Assets.NotionalFloor(level.Price, q, spec);
            }
        }
        return (qty, cost);
    }

    /// <summary>Takes liquidity in price-time order; returns true when STP expired the taker.</summary>
    private bool Match(SimOrder taker, BookSide opposite, long now)
    {
        var spec = taker.Book.Symbol.Spec;
        bool market = taker.Type == OrderType.Market;
        while (opposite.Best is { } level)
        {
            if (!market && !Crosses(taker.Side, taker.Price, level.Price))
                return false;
            var maker = level.Head!;
            long q;
            if (taker.IsQuoteOrder)
            {
                long budget = taker.OrigQuoteOrderQty - taker.CumulativeQuoteQty;
                q = Math.Min(maker.Remaining, Assets.QtyForQuote(budget, level.Price, spec));
                if (taker.Side == OrderSide.Sell)
                    q = Math.Min(q, taker.Locked / Assets.FromQty(1, spec.QtyDecimals));
            }
            else
            {
                q = Math.Min(maker.Remaining, taker.Remaining);
            }
            if (q <= 0)
                return false;

            if (maker.Account == taker.Account && taker.Stp != SelfTradePreventionMode.None)
            {
                // The taker's mode decides (stp_faq.md); each prevented match gets the symbol's next
                // preventedMatchId. What expires is each expired order's whole remaining quantity.
                long matchId = ++taker.Book.LastPreventedMatchId;
                if (taker.Stp != SelfTradePreventionMode.ExpireMaker)
                {
                    taker.PreventedQty += taker.Remaining;
                    taker.PreventedMatchId = matchId;
                    taker.PreventedCounterOrderId = maker.OrderId;
                }
                switch (taker.Stp)
                {
                    case SelfTradePreventionMode.ExpireTaker:
                        return true;
                    case SelfTradePreventionMode.ExpireMaker:
                        ExpireMaker(maker, taker, matchId, level, opposite, now);
                        continue;
                    default:
                        ExpireMaker(maker, taker, matchId, level, opposite, now);
                        return true;
                }
            }
            Execute(taker, maker, level, opposite, q, now);
            if (!taker.IsQuoteOrder && taker.Remaining == 0)
                return false;
        }
        return false;
    }

    private void ExpireMaker(SimOrder maker, SimOrder taker, long matchId, PriceLevel level, BookSide side, long now)
    {
        long expired = maker.Remaining;
        Unrest(maker, level, side);
        ReleaseAll(maker);
        maker.Status = OrderStatus.ExpiredInMatch;
        maker.UpdateTime = now;
        maker.PreventedQty += expired;
        maker.PreventedMatchId = matchId;
        maker.PreventedCounterOrderId = taker.OrderId;
        CountStpExpiry(maker);
        Record(maker, ExecutionType.TradePrevention, now, lastPrevented: expired, counterOrderId: taker.OrderId);
    }

    private void Execute(SimOrder taker, SimOrder maker, PriceLevel level, BookSide makerSide, long q, long now)
    {
        var book = taker.Book;
        var spec = book.Symbol.Spec;
        long price = maker.Price;
        long quote = Assets.NotionalFloor(price, q, spec);
        long baseUnits = Assets.FromQty(q, spec.QtyDecimals);
        var (buyer, seller) = taker.Side == OrderSide.Buy ? (taker, maker) : (maker, taker);

        // Pay from what each order locked; a shortfall would mean a broken lock invariant.
        if (buyer.Locked < quote || seller.Locked < baseUnits)
            throw new InvalidOperationException($"{book.Name}: order locks do not cover trade (buyer {buyer.Locked}/{quote}, seller {seller.Locked}/{baseUnits})");
        buyer.Locked -= quote;
        buyer.Account.SpendLocked(book.QuoteAsset, quote);
        seller.Locked -= baseUnits;
        seller.Account.SpendLocked(book.BaseAsset, baseUnits);

        long buyerFee = Assets.Commission(baseUnits, buyer == maker ? buyer.Account.MakerCommission : buyer.Account.TakerCommission);
        long sellerFee = Assets.Commission(quote, seller == maker ? seller.Account.MakerCommission : seller.Account.TakerCommission);
        buyer.Account.FreeByAsset[book.BaseAsset] = checked(buyer.Account.FreeByAsset[book.BaseAsset] + baseUnits - buyerFee);
        seller.Account.FreeByAsset[book.QuoteAsset] = checked(seller.Account.FreeByAsset[book.QuoteAsset] + quote - sellerFee);
        _fees[book.BaseAsset] += buyerFee;
        _fees[book.QuoteAsset] += sellerFee;

        long tradeId = ++book.LastTradeId;
        level.TotalQty -= q;
        book.MarkChanged(makerSide.IsBid, price);
        taker.ExecutedQty += q;
        taker.CumulativeQuoteQty += quote;
        maker.ExecutedQty += q;
        maker.CumulativeQuoteQty += quote;
        buyer.Commission += buyerFee;
        seller.Commission += sellerFee;
        maker.UpdateTime = now;
        taker.Status = OrderStatus.PartiallyFilled; // finalized by Place
        if (maker.Remaining == 0)
        {
            Unrest(maker, level, makerSide);
            ReleaseAll(maker);
            maker.Status = OrderStatus.Filled;
        }
        else
        {
            maker.Status = OrderStatus.PartiallyFilled;
            if (maker.Side == OrderSide.Buy)
                ReleaseExcess(maker);
        }

        book.LastPrice = price;
        book.AddTrade(new TradeRecord(tradeId, price, q, quote, now, IsBuyerMaker: buyer == maker, buyer.OrderId, seller.OrderId));
        string baseName = _assets[book.BaseAsset], quoteName = _assets[book.QuoteAsset];
        buyer.Account.TradeList.Add(new AccountTrade(book, tradeId, buyer.OrderId, price, q, quote, buyerFee, baseName, now, IsBuyer: true, IsMaker: buyer == maker));
        seller.Account.TradeList.Add(new AccountTrade(book, tradeId, seller.OrderId, price, q, quote, sellerFee, quoteName, now, IsBuyer: false, IsMaker: seller == maker));
        _fills.Add(new Fill(price, q, taker == buyer ? buyerFee : sellerFee, taker == buyer ? baseName : quoteName, tradeId));
        if (RecordEvents)
        {
            long makerFee = maker == buyer ? buyerFee : sellerFee, takerFee = taker == buyer ? buyerFee : sellerFee;
            string makerAsset = maker == buyer ? baseName : quoteName, takerAsset = taker == buyer ? baseName : quoteName;
            Record(taker, ExecutionType.Trade, now, q, price, quote, takerFee, takerAsset, tradeId, maker: false);
            Record(maker, ExecutionType.Trade, now, q, price, quote, makerFee, makerAsset, tradeId, maker: true);
        }
    }

    /// <summary>A resting buy keeps exactly ceil(price × remaining) locked; the rest goes back to free.</summary>
    private static void ReleaseExcess(SimOrder order)
    {
        long required = Assets.NotionalCeil(order.Price, order.Remaining, order.Book.Symbol.Spec);
        long excess = order.Locked - required;
        if (excess < 0)
            throw new InvalidOperationException($"{order.Book.Name} order {order.OrderId}: lock {order.Locked} below required {required}");
        order.Locked = required;
        order.Account.Unlock(order.Book.QuoteAsset, excess);
    }

    private static void ReleaseAll(SimOrder order)
    {
        int asset = order.Side == OrderSide.Buy ? order.Book.QuoteAsset : order.Book.BaseAsset;
        order.Account.Unlock(asset, order.Locked);
        order.Locked = 0;
    }

    private static void Rest(SimOrder order)
    {
        var book = order.Book;
        if (order.Side == OrderSide.Buy)
            ReleaseExcess(order);
        var side = order.Side == OrderSide.Buy ? book.Bids : book.Asks;
        side.GetOrAdd(order.Price).Append(order);
        book.OpenOrders.Add(order.OrderId, order);
        book.OpenByClientId.Add((order.Account.Id, order.ClientOrderId), order);
        order.Account.OpenOrdersBySymbol[book.Index]++;
        order.Status = order.ExecutedQty > 0 ? OrderStatus.PartiallyFilled : OrderStatus.New;
        book.MarkChanged(side.IsBid, order.Price);
    }

    private static void Unrest(SimOrder order, PriceLevel level, BookSide side)
    {
        var book = order.Book;
        long price = level.Price;
        level.Unlink(order);
        if (level.Count == 0)
            side.Remove(level);
        book.OpenOrders.Remove(order.OrderId);
        book.OpenByClientId.Remove((order.Account.Id, order.ClientOrderId));
        order.Account.OpenOrdersBySymbol[book.Index]--;
        book.MarkChanged(side.IsBid, price);
    }

    // ---------------------------------------------------------------- cancel, amend, query

    /// <summary>
    /// Finds an account's order by id and/or client id. With both, the id decides and the client id must match.
    /// </summary>
    public static SimOrder? Find(SimAccount account, SymbolBook book, long orderId, string? origClientOrderId)
    {
        SimOrder? order = null;
        if (orderId > 0)
        {
            if (book.Orders.TryGetValue(orderId, out var byId) && byId.Account == account &&
                (origClientOrderId is null || byId.ClientOrderId == origClientOrderId))
                order = byId;
        }
        else if (origClientOrderId is not null)
        {
            if (!book.OpenByClientId.TryGetValue((account.Id, origClientOrderId), out order))
                book.LatestByClientId.TryGetValue((account.Id, origClientOrderId), out order);
        }
        return order;
    }

    public OrderOutcome Cancel(SimAccount account, SymbolBook book, long orderId, string? origClientOrderId,
        CancelRestrictions restrictions = CancelRestrictions.None, string? cancelClientOrderId = null)
    {
        _fills.Clear();
        var order = Find(account, book, orderId, origClientOrderId);
        if (order is null || !order.IsOpen)
            return Rejected(RejectCode.UnknownOrder);
        if ((restrictions == CancelRestrictions.OnlyNew && order.Status != OrderStatus.New) ||
            (restrictions == CancelRestrictions.OnlyPartiallyFilled && order.Status != OrderStatus.PartiallyFilled))
            return Rejected(RejectCode.CancelRestricted);
        var side = order.Side == OrderSide.Buy ? book.Bids : book.Asks;
        Unrest(order, order.Level!, side);
        ReleaseAll(order);
        order.Status = OrderStatus.Canceled;
        order.UpdateTime = NowMs;
        // Binance reports a cancel under the cancel's own client id (c), the order's in C.
        Record(order, ExecutionType.Canceled, order.UpdateTime, origClientId: order.ClientOrderId,
            clientId: RecordEvents ? cancelClientOrderId ?? NewClientOrderId() : null);
        return new OrderOutcome(RejectCode.None, order, _fills);
    }

    /// <summary>Cancels every open order of the account on the symbol, oldest first.</summary>
    public IReadOnlyList<SimOrder> CancelAll(SimAccount account, SymbolBook book, IReadOnlyList<string>? cancelClientOrderIds = null)
    {
        var open = book.OpenOrdersOf(account).ToList();
        for (int i = 0; i < open.Count; i++)
            Cancel(account, book, open[i].OrderId, null, CancelRestrictions.None, cancelClientOrderIds is not null && i < cancelClientOrderIds.Count ? cancelClientOrderIds[i] : null);
        return open;
    }

    /// <summary>
    /// Reduces an open order's quantity to <paramref name="newQty"/> (its new original quantity) in
    /// place: the order keeps its queue position. Only decreases are allowed, as on Binance.
    /// </summary>
    public OrderOutcome AmendKeepPriority(SimAccount account, SymbolBook book, long orderId, string? origClientOrderId,
        long newQty, string? newClientOrderId)
    {
        _fills.Clear();
        var order = Find(account, book, orderId, origClientOrderId);
        if (order is null || !order.IsOpen)
            return Rejected(RejectCode.NoSuchOrder);
        var spec = book.Symbol.Spec;
        if (newQty <= 0 || newQty % spec.StepSize.Raw != 0 || newQty < spec.MinQty.Raw || newQty <= order.ExecutedQty)
            return Rejected(RejectCode.FilterLotSize);
        if (newQty > order.OrigQty)
            return Rejected(RejectCode.AmendQtyIncrease);
        if (newQty == order.OrigQty)
            return Rejected(RejectCode.AmendNoChange);
        if (newClientOrderId is not null && newClientOrderId != order.ClientOrderId &&
            book.OpenByClientId.ContainsKey((account.Id, newClientOrderId)))
            return Rejected(RejectCode.DuplicateOrder);

        long decrease = order.OrigQty - newQty;
        order.OrigQty = newQty;
        order.Level!.TotalQty -= decrease;
        if (order.Side == OrderSide.Sell)
        {
            long units = Assets.FromQty(decrease, spec.QtyDecimals);
            order.Locked -= units;
            account.Unlock(book.BaseAsset, units);
        }
        else
        {
            ReleaseExcess(order);
        }
        if (newClientOrderId is not null && newClientOrderId != order.ClientOrderId)
        {
            book.OpenByClientId.Remove((account.Id, order.ClientOrderId));
            order.ClientOrderId = newClientOrderId;
            book.OpenByClientId.Add((account.Id, newClientOrderId), order);
            book.LatestByClientId[(account.Id, newClientOrderId)] = order;
        }
        order.UpdateTime = NowMs;
        book.MarkChanged(order.Side == OrderSide.Buy, order.Price);
        Record(order, ExecutionType.Replaced, order.UpdateTime);
        return new OrderOutcome(RejectCode.None, order, _fills);
    }

    /// <summary>
    /// OKX amend-order: a new price and/or a new total quantity (filled part included) for an open limit
    /// order, keeping its id. A pure size decrease keeps the queue position (<see cref="AmendKeepPriority"/>);
    /// a new price or a larger size takes the order off the book, re-locks for the new terms and matches it
    /// again as a taker (it may trade), then rests what is left at the back of its level.
    /// </summary>
    public OrderOutcome Amend(SimAccount account, SymbolBook book, long orderId, string? origClientOrderId, long newPrice, long newQty)
    {
        _fills.Clear();
        var order = Find(account, book, orderId, origClientOrderId);
        if (order is null || !order.IsOpen)
            return Rejected(RejectCode.NoSuchOrder);
        long price = newPrice > 0 ? newPrice : order.Price;
        long qty = newQty > 0 ? newQty : order.OrigQty;
        if (price == order.Price && qty == order.OrigQty)
            return Rejected(RejectCode.AmendNoChange);
        var spec = book.Symbol.Spec;
        if (price % spec.TickSize.Raw != 0 || (spec.MinPrice.Raw != 0 && price < spec.MinPrice.Raw) || (spec.MaxPrice.Raw != 0 && price > spec.MaxPrice.Raw))
            return Rejected(RejectCode.FilterPrice);
        if (qty % spec.StepSize.Raw != 0 || qty <= order.ExecutedQty || (spec.MaxQty.Raw != 0 && qty > spec.MaxQty.Raw))
            return Rejected(RejectCode.FilterLotSize);
        if (price == order.Price && qty < order.OrigQty)
            return AmendKeepPriority(account, book, order.OrderId, null, qty, null);
        var opposite = order.Side == OrderSide.Buy ? book.Asks : book.Bids;
        if (order.Type == OrderType.LimitMaker && opposite.Best is { } touch && Crosses(order.Side, price, touch.Price))
            return Rejected(RejectCode.WouldTake);
        long remaining = qty - order.ExecutedQty;
        int lockAsset = order.Side == OrderSide.Buy ? book.QuoteAsset : book.BaseAsset;
        long lockAmount = order.Side == OrderSide.Buy ? Assets.NotionalCeil(price, remaining, spec) : Assets.FromQty(remaining, spec.QtyDecimals);
        if (account.FreeByAsset[lockAsset] + order.Locked < lockAmount)
            return Rejected(RejectCode.InsufficientBalance);

        long now = NowMs;
        var side = order.Side == OrderSide.Buy ? book.Bids : book.Asks;
        Unrest(order, order.Level!, side);
        ReleaseAll(order);
        order.Price = price;
        order.OrigQty = qty;
        account.Lock(lockAsset, lockAmount);
        order.Locked = lockAmount;
        order.UpdateTime = now;
        Record(order, ExecutionType.Replaced, now);
        bool stpExpired = Match(order, opposite, now);
        if (!stpExpired && order.Remaining > 0)
        {
            Rest(order);
        }
        else
        {
            ReleaseAll(order);
            order.Status = order.Remaining == 0 ? OrderStatus.Filled : OrderStatus.ExpiredInMatch;
            if (order.Status == OrderStatus.ExpiredInMatch)
            {
                CountStpExpiry(order);
                Record(order, ExecutionType.TradePrevention, now, lastPrevented: order.PreventedQty, counterOrderId: order.PreventedCounterOrderId);
            }
        }
        return new OrderOutcome(RejectCode.None, order, _fills);
    }

    /// <summary>Checks every structural invariant; throws describing the first violation (tests, debug).</summary>
    public void AssertInvariants()
    {
        var lockedByAccount = new long[_accounts.Count, _assets.Count];
        foreach (var book in _bookList)
        {
            if (book.Bids.Best is { } bid && book.Asks.Best is { } ask && bid.Price >= ask.Price)
                throw new InvalidOperationException($"{book.Name}: crossed book {bid.Price} >= {ask.Price}");
            foreach (var side in (ReadOnlySpan<BookSide>)[book.Bids, book.Asks])
            {
                int count = 0;
                for (int i = 0; i < side.LevelCount; i++)
                {
                    var level = side.LevelFromBest(i);
                    if (i > 0 && (side.IsBid ? level.Price >= side.LevelFromBest(i - 1).Price : level.Price <= side.LevelFromBest(i - 1).Price))
                        throw new InvalidOperationException($"{book.Name}: levels out of order");
                    long total = 0;
                    int n = 0;
                    for (var o = level.Head; o is not null; o = o.Next)
                    {
                        if (!o.IsOpen || o.Remaining <= 0 || o.Price != level.Price)
                            throw new InvalidOperationException($"{book.Name}: bad resting order {o.OrderId}");
                        total += o.Remaining;
                        n++;
                        lockedByAccount[o.Account.Id - 1, o.Side == OrderSide.Buy ? book.QuoteAsset : book.BaseAsset] += o.Locked;
                    }
                    if (n == 0 || n != level.Count || total != level.TotalQty)
                        throw new InvalidOperationException($"{book.Name}: level {level.Price} totals wrong");
                    count += n;
                }
                _ = count;
            }
        }
        foreach (var acct in _accounts)
            for (int a = 0; a < _assets.Count; a++)
                if (acct.LockedByAsset[a] != lockedByAccount[acct.Id - 1, a] || acct.FreeByAsset[a] < 0)
                    throw new InvalidOperationException($"account {acct.Id} {_assets[a]}: locked {acct.LockedByAsset[a]} but open orders lock {lockedByAccount[acct.Id - 1, a]}, free {acct.FreeByAsset[a]}");
    }
}
