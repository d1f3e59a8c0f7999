using System.Text.Json;

namespace Fathom.Simulator;

public sealed partial class StreamHub
{
    /// <summary>One <c>userDataStream.subscribe</c>: events of <see cref="Account"/> go to <see cref="Session"/>'s socket under <see cref="Id"/>.</summary>
    internal sealed record UserSubscription(WsApiSession Session, int Id, SimAccount Account);

    private readonly List<UserSubscription> _userSubscriptions = [];
    private readonly Dictionary<SimAccount, (long[] Free, long[] Locked)> _reportedBalances = [];
    private readonly List<ExecutionEvent> _executions = [];
    private readonly List<BalanceEvent> _balanceEvents = [];
    private readonly HashSet<SimAccount> _touched = [];

    public long UserEventsSent { get; private set; }

    /// <summary>Adds a subscription (under the gate); the account's balances as of now are the baseline for outboundAccountPosition.</summary>
    internal UserSubscription SubscribeUser(WsApiSession session, SimAccount account)
    {
        var sub = new UserSubscription(session, session.NextSubscriptionId++, account);
        _userSubscriptions.Add(sub);
        if (!_reportedBalances.ContainsKey(account))
            _reportedBalances[account] = ((long[])account.FreeByAsset.Clone(), (long[])account.LockedByAsset.Clone());
        return sub;
    }

    internal bool UnsubscribeUser(WsApiSession session, int? id)
    {
        int removed = _userSubscriptions.RemoveAll(s => s.Session == session && (id is null || s.Id == id));
        ForgetUnwatchedAccounts();
        return removed > 0;
    }

    internal void RemoveSession(WsApiSession session)
    {
        _userSubscriptions.RemoveAll(s => s.Session == session);
        ForgetUnwatchedAccounts();
    }

    private void ForgetUnwatchedAccounts()
    {
        foreach (var account in _reportedBalances.Keys.ToList())
            if (!_userSubscriptions.Any(s => s.Account == account))
                _reportedBalances.Remove(account);
    }

    internal bool HasSession(WsApiSession session) => _userSubscriptions.Any(s => s.Session == session);

    /// <summary>
    /// Serves one WebSocket API connection: requests in order, each answered before the next is read,
    /// unless a delay fault holds some (<see cref="RequestPipeline"/>: the next is read while they wait).
    /// </summary>
    private async Task RunWsApiAsync(Microsoft.AspNetCore.Http.HttpContext context, string ip)
    {
        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        var connection = new StreamConnection(Interlocked.Increment(ref _nextConnectionId), socket, combined: false, ip);
        var session = new WsApiSession(connection, ip, _engine.Clock.UtcNowUnixMs, new RequestPipeline(_api.WsApiDelay));
        Add(ref _wsApi, connection);
        try
        {
            Task send = connection.SendLoopAsync(context.RequestAborted);
            while (await connection.ReceiveAsync(context.RequestAborted).ConfigureAwait(false) is { } request)
                _api.ReceiveWsApi(session, request);
            connection.Close();
            await send.ConfigureAwait(false);
        }
        finally
        {
            Remove(ref _wsApi, connection);
            lock (_api.Gate)
                RemoveSession(session);
        }
    }

    internal bool HasSubscription(WsApiSession session, SimAccount account) =>
        _userSubscriptions.Any(s => s.Session == session && s.Account == account);

    /// <summary>executionReports in engine order, balanceUpdates, then one outboundAccountPosition per account whose balances changed.</summary>
    private void FlushUserData()
    {
        _executions.Clear();
        _balanceEvents.Clear();
        _engine.DrainEvents(_executions, _balanceEvents);
        if (_userSubscriptions.Count == 0)
            return;
        long now = _engine.Clock.UtcNowUnixMs;
        foreach (var e in _executions)
        {
            if (!_reportedBalances.ContainsKey(e.Order.Account))
                continue;
            SendUser(e.Order.Account, WriteExecutionReport(e, now));
        }
        foreach (var b in _balanceEvents)
        {
            if (!_reportedBalances.ContainsKey(b.Account))
                continue;
            var w = Begin();
            w.WriteStartObject();
            w.WriteString("e", "balanceUpdate");
            w.WriteNumber("E", now);
            w.WriteString("a", b.Asset);
            WireFormat.Decimal8(w, "d", b.Delta, Assets.Decimals);
            w.WriteNumber("T", b.Time);
            w.WriteEndObject();
            SendUser(b.Account, End());
        }
        foreach (var (account, last) in _reportedBalances)
        {
            bool changed = false;
            for (int a = 0; a < last.Free.Length && !changed; a++)
                changed = last.Free[a] != account.FreeByAsset[a] || last.Locked[a] != account.LockedByAsset[a];
            if (changed)
                _touched.Add(account);
        }
        foreach (var account in _touched)
        {
            var last = _reportedBalances[account];
            var w = Begin();
            w.WriteStartObject();
            w.WriteString("e", "outboundAccountPosition");
            w.WriteNumber("E", now);
            w.WriteNumber("u", now);
            w.WriteStartArray("B");
            for (int a = 0; a < last.Free.Length; a++)
            {
                if (last.Free[a] == account.FreeByAsset[a] && last.Locked[a] == account.LockedByAsset[a])
                    continue;
                w.WriteStartObject();
                w.WriteString("a", _engine.AssetNames[a]);
                WireFormat.Decimal8(w, "f", account.FreeByAsset[a], Assets.Decimals);
                WireFormat.Decimal8(w, "l", account.LockedByAsset[a], Assets.Decimals);
                w.WriteEndObject();
                last.Free[a] = account.FreeByAsset[a];
                last.Locked[a] = account.LockedByAsset[a];
            }
            w.WriteEndArray();
            w.WriteEndObject();
            SendUser(account, End());
        }
        _touched.Clear();
    }

    private void SendUser(SimAccount account, byte[] eventJson)
    {
        foreach (var sub in _userSubscriptions)
        {
            if (sub.Account != account)
                continue;
            byte[] head = System.Text.Encoding.UTF8.GetBytes($"{{\"subscriptionId\":{sub.Id},\"event\":");
            var frame = new byte[head.Length + eventJson.Length + 1];
            head.CopyTo(frame, 0);
            eventJson.CopyTo(frame, head.Length);
            frame[^1] = (byte)'}';
            sub.Session.Connection.Send(frame);
            UserEventsSent++;
        }
    }

    private static string ExecTypeText(ExecutionType x) => x switch
    {
        ExecutionType.New => "NEW",
        ExecutionType.Canceled => "CANCELED",
        ExecutionType.Replaced => "REPLACED",
        ExecutionType.Rejected => "REJECTED",
        ExecutionType.Trade => "TRADE",
        ExecutionType.Expired => "EXPIRED",
        _ => "TRADE_PREVENTION",
    };

    /// <summary>Every field of EXCHANGES.md §6 in Binance's order; STP fields only on STP expiries, <c>eR</c> only on expiries.</summary>
    private byte[] WriteExecutionReport(in ExecutionEvent e, long now)
    {
        var o = e.Order;
        var spec = o.Book.Symbol.Spec;
        int pd = spec.PriceDecimals, qd = spec.QtyDecimals;
        var w = Begin();
        w.WriteStartObject();
        w.WriteString("e", "executionReport");
        w.WriteNumber("E", now);
        w.WriteString("s", o.Book.Name);
        w.WriteString("c", e.ClientOrderId);
        w.WriteString("S", WireFormat.Of(o.Side));
        w.WriteString("o", WireFormat.Of(o.Type));
        w.WriteString("f", WireFormat.Of(o.TimeInForce));
        WireFormat.Decimal8(w, "q", e.OrigQty, qd);
        WireFormat.Decimal8(w, "p", o.Price, pd);
        w.WriteString("P", "0.00000000");
        w.WriteString("F", "0.00000000");
        w.WriteNumber("g", -1);
        w.WriteString("C", e.OrigClientOrderId);
        w.WriteString("x", ExecTypeText(e.Type));
        w.WriteString("X", WireFormat.Of(e.Status));
        w.WriteString("r", "NONE");
        w.WriteNumber("i", o.OrderId);
        WireFormat.Decimal8(w, "l", e.LastQty, qd);
        WireFormat.Decimal8(w, "z", e.ExecutedQty, qd);
        WireFormat.Decimal8(w, "L", e.LastPrice, pd);
        WireFormat.Decimal8(w, "n", e.Commission, Assets.Decimals);
        if (e.CommissionAsset is null)
            w.WriteNull("N");
        else
            w.WriteString("N", e.CommissionAsset);
        w.WriteNumber("T", e.TransactTime);
        w.WriteNumber("t", e.TradeId);
        if (e.Type == ExecutionType.TradePrevention)
        {
            w.WriteNumber("v", e.PreventedMatchId);
            WireFormat.Decimal8(w, "A", e.PreventedQty, qd);
            WireFormat.Decimal8(w, "B", e.LastPreventedQty, qd);
            w.WriteNumber("u", -1); // trade group id: simulated accounts belong to none (-1, stp_faq.md)
            w.WriteNumber("U", e.CounterOrderId);
            w.WriteString("Cs", o.Book.Name);
            WireFormat.Decimal8(w, "pl", e.LastPreventedQty, qd);
            WireFormat.Decimal8(w, "pL", o.Price, pd);
            WireFormat.Decimal8(w, "pY", Assets.NotionalFloor(o.Price, e.LastPreventedQty, spec), Assets.Decimals);
        }
        w.WriteNumber("I", e.ExecutionId);
        w.WriteBoolean("w", e.IsWorking);
        w.WriteBoolean("m", e.IsMaker);
        w.WriteBoolean("M", false);
        w.WriteNumber("O", o.Time);
        WireFormat.Decimal8(w, "Z", e.CumulativeQuoteQty, Assets.Decimals);
        WireFormat.Decimal8(w, "Y", e.LastQuoteQty, Assets.Decimals);
        WireFormat.Decimal8(w, "Q", o.OrigQuoteOrderQty, Assets.Decimals);
        // "Only visible if the order has been placed on the book": resting now, a maker, or a cancel/amend of a resting order.
        if (e.IsWorking || e.IsMaker || e.Type is ExecutionType.Canceled or ExecutionType.Replaced)
            w.WriteNumber("W", o.WorkingTime);
        w.WriteString("V", WireFormat.Of(o.Stp));
        if (e.ExpiryReason is not null)
            w.WriteString("eR", e.ExpiryReason);
        w.WriteEndObject();
        return End();
    }
}

/// <summary>One WebSocket API connection: its socket, the logged-on account (session.logon) and its subscription ids.</summary>
internal sealed class WsApiSession(StreamConnection connection, string ip, long connectedSince, RequestPipeline pipeline)
{
    public StreamConnection Connection { get; } = connection;
    public string Ip { get; } = ip;
    public long ConnectedSince { get; } = connectedSince;
    public SimAccount? Account { get; set; }
    public string? ApiKey { get; set; }
    public long AuthorizedSince { get; set; }
    public int NextSubscriptionId { get; set; }
    /// <summary>Holds and orders this connection's requests while a delay fault is on.</summary>
    public RequestPipeline Pipeline { get; } = pipeline;
}
