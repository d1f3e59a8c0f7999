using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fathom.Core;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;
using Microsoft.Data.Sqlite;

namespace Fathom.Integration.Tests;

/// <summary>
/// The three records the chaos test compares: the venue's own (the simulator over REST with our account's keys:
/// every trade, every order ever placed, the open orders, the balances), the store's (the SQLite file, read
/// read-only while the run writes it), and the engine's (<c>/orders</c> and <c>/metrics</c>).
/// </summary>
public sealed partial class CrashChaosTests
{
    /// <summary>One trade of our account as the venue reports it (<c>myTrades</c>); amounts raw at 8 decimals.</summary>
    private sealed record VenueTrade(long TradeId, long OrderId, bool IsBuyer, long Price, long Qty, long Commission, string CommissionAsset, long TimeMs);

    /// <summary>One order of our account as the venue reports it (<c>allOrders</c>).</summary>
    private sealed record VenueOrder(long OrderId, string ClientOrderId, string Status, string Side, string Price, string OrigQty, long TimeMs)
    {
        public bool IsOpen => Status is "NEW" or "PARTIALLY_FILLED";
    }

    /// <summary>A row of the store's <c>fills</c> table.</summary>
    private sealed record StoredFill(long TradeId, long VenueOrderId, int? Node, long? Epoch, long OrderSeq, OrderSide Side, long Price, long Qty, long FeeQty);

    /// <summary>A row of the store's <c>orders</c> table.</summary>
    private sealed record StoredOrder(int Node, long OrderSeq, long Epoch, long CurrentSeq, long VenueOrderId, OrderState State);

    /// <summary>One of the engine's live orders (<c>GET /orders</c>).</summary>
    private sealed record EngineOrder(string ClientOrderId, string OrigClientOrderId, long VenueOrderId, string State, string Side, string Price);

    /// <summary>What the engine's <c>/metrics</c> says (null: the run did not answer).</summary>
    private sealed record EngineMetrics(long Position, int RiskState, long Places, long CancelReplaces, long Fills);

    // ---------------------------------------------------------------- the venue

    private readonly Dictionary<(long TradeId, long OrderId), VenueTrade> _venueTrades = [];
    private readonly SortedDictionary<long, VenueOrder> _venueOrders = [];

    /// <summary>Reads our account's new trades (<c>myTrades</c> from the highest trade id seen; trades never change).</summary>
    private async Task RefreshVenueTradesAsync()
    {
        while (true)
        {
            long from = _venueTrades.Count == 0 ? 0 : _venueTrades.Keys.Max(k => k.TradeId);
            var page = await _ours!.SignedAsync(HttpMethod.Get, "/api/v3/myTrades", $"symbol={Symbol}&fromId={from}&limit=1000");
            int added = 0;
            foreach (var t in page.EnumerateArray())
            {
                var trade = new VenueTrade(t.GetProperty("id").GetInt64(), t.GetProperty("orderId").GetInt64(), t.GetProperty("isBuyer").GetBoolean(),
                    Raw8(t.GetProperty("price").GetString()!), Raw8(t.GetProperty("qty").GetString()!), Raw8(t.GetProperty("commission").GetString()!),
                    t.GetProperty("commissionAsset").GetString()!, t.GetProperty("time").GetInt64());
                if (_venueTrades.TryAdd((trade.TradeId, trade.OrderId), trade))
                    added++;
            }
            if (page.GetArrayLength() < 1000 || added == 0)
                return;
        }
    }

    /// <summary>Reads our account's orders (<c>allOrders</c>) from the oldest one still open when last read (closed ones never change).</summary>
    private async Task RefreshVenueOrdersAsync()
    {
        long from = _venueOrders.Values.FirstOrDefault(o => o.IsOpen)?.OrderId ?? (_venueOrders.Count == 0 ? 1 : _venueOrders.Keys.Max() + 1);
        while (true)
        {
            var page = await _ours!.SignedAsync(HttpMethod.Get, "/api/v3/allOrders", $"symbol={Symbol}&orderId={from}&limit=1000");
            foreach (var o in page.EnumerateArray())
            {
                var order = new VenueOrder(o.GetProperty("orderId").GetInt64(), o.GetProperty("clientOrderId").GetString()!, o.GetProperty("status").GetString()!,
                    o.GetProperty("side").GetString()!, Trim(o.GetProperty("price").GetString()!), Trim(o.GetProperty("origQty").GetString()!), o.GetProperty("time").GetInt64());
                _venueOrders[order.OrderId] = order;
                from = order.OrderId + 1;
            }
            if (page.GetArrayLength() < 1000)
                return;
        }
    }

    private async Task<List<VenueOrder>> VenueOpenOrdersAsync()
    {
        var open = await _ours!.SignedAsync(HttpMethod.Get, "/api/v3/openOrders", $"symbol={Symbol}");
        return [.. open.EnumerateArray().Select(o => new VenueOrder(o.GetProperty("orderId").GetInt64(), o.GetProperty("clientOrderId").GetString()!,
            o.GetProperty("status").GetString()!, o.GetProperty("side").GetString()!, Trim(o.GetProperty("price").GetString()!),
            Trim(o.GetProperty("origQty").GetString()!), o.GetProperty("time").GetInt64()))];
    }

    /// <summary>Our account's base-asset balance (free + locked), raw at 8 decimals.</summary>
    private async Task<long> VenueBaseBalanceAsync()
    {
        var account = await _ours!.SignedAsync(HttpMethod.Get, "/api/v3/account", "omitZeroBalances=true");
        foreach (var b in account.GetProperty("balances").EnumerateArray())
            if (b.GetProperty("asset").GetString() == BaseAsset)
                return Raw8(b.GetProperty("free").GetString()!) + Raw8(b.GetProperty("locked").GetString()!);
        return 0;
    }

    // ---------------------------------------------------------------- the store

    private string StorePath => Path.Combine(_dir, "state", "fathom.db");

    /// <summary>Every fill and order row, read in one read transaction (WAL: a consistent snapshot while the run writes).</summary>
    private (List<StoredFill> Fills, List<StoredOrder> Orders) ReadStore()
    {
        var fills = new List<StoredFill>();
        var orders = new List<StoredOrder>();
        if (!File.Exists(StorePath))
            return (fills, orders);
        using var connection = new SqliteConnection($"Data Source={StorePath};Mode=ReadOnly;Pooling=False;Default Timeout=10");
        connection.Open();
        using var tx = connection.BeginTransaction(deferred: true);
        using (var cmd = connection.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = "SELECT trade_id, venue_order_id, node, epoch, order_seq, side, price, qty, fee_qty FROM fills WHERE symbol = $s ORDER BY rowid";
            cmd.Parameters.AddWithValue("$s", Symbol);
            using var r = cmd.ExecuteReader();
            while (r.Read())
                fills.Add(new StoredFill(r.GetInt64(0), r.GetInt64(1), r.IsDBNull(2) ? null : r.GetInt32(2), r.IsDBNull(3) ? null : r.GetInt64(3),
                    r.GetInt64(4), (OrderSide)r.GetInt32(5), r.GetInt64(6), r.GetInt64(7), r.GetInt64(8)));
        }
        using (var cmd = connection.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = "SELECT node, order_seq, epoch, current_seq, venue_order_id, state FROM orders WHERE symbol = $s";
            cmd.Parameters.AddWithValue("$s", Symbol);
            using var r = cmd.ExecuteReader();
            while (r.Read())
                orders.Add(new StoredOrder(r.GetInt32(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), (OrderState)r.GetInt32(5)));
        }
        tx.Commit();
        return (fills, orders);
    }

    /// <summary>The client-order-id high-water mark the runs reserved up to (the file, read without writing it).</summary>
    private long HighWaterMark()
    {
        string path = Path.Combine(_dir, "state", "client-order-ids.hwm");
        return File.Exists(path) ? new FileSequenceReservation(path).HighWater : 0;
    }

    // ---------------------------------------------------------------- the engine

    private static readonly Regex s_position = new(@"^fathom_position\{symbol=""BTCUSDT""\} (\S+)$", RegexOptions.Multiline);
    private static readonly Regex s_riskState = new(@"^fathom_risk_state (\d+)$", RegexOptions.Multiline);
    private static readonly Regex s_places = new(@"^fathom_orders_total\{kind=""place""\} (\d+)$", RegexOptions.Multiline);
    private static readonly Regex s_replaces = new(@"^fathom_orders_total\{kind=""cancel_replace""\} (\d+)$", RegexOptions.Multiline);
    private static readonly Regex s_fills = new(@"^fathom_fills_total (\d+)$", RegexOptions.Multiline);

    private async Task<EngineMetrics?> EngineMetricsAsync(Uri metrics)
    {
        string text;
        try
        {
            text = await _http.GetStringAsync(new Uri(metrics, "/metrics"));
        }
        catch (HttpRequestException)
        {
            return null;
        }
        long L(Regex r) => long.Parse(r.Match(text).Groups[1].Value, CultureInfo.InvariantCulture);
        return new EngineMetrics(DecimalParser.Parse(Encoding.ASCII.GetBytes(s_position.Match(text).Groups[1].Value), 8, allowNegative: true),
            (int)L(s_riskState), L(s_places), L(s_replaces), L(s_fills));
    }

    private async Task<List<EngineOrder>?> EngineOrdersAsync(Uri metrics)
    {
        string text;
        try
        {
            text = await _http.GetStringAsync(new Uri(metrics, "/orders"));
        }
        catch (HttpRequestException)
        {
            return null;
        }
        using var doc = JsonDocument.Parse(text);
        return [.. doc.RootElement.GetProperty("orders").EnumerateArray().Select(o => new EngineOrder(o.GetProperty("clientOrderId").GetString()!,
            o.GetProperty("origClientOrderId").GetString()!, o.GetProperty("venueOrderId").GetInt64(), o.GetProperty("state").GetString()!,
            o.GetProperty("side").GetString()!, o.GetProperty("price").GetString()!))];
    }

    private async Task<(bool Ok, string Text)> EngineHealthAsync(Uri metrics)
    {
        try
        {
            using var response = await _http.GetAsync(new Uri(metrics, "/health"));
            return (response.IsSuccessStatusCode, (await response.Content.ReadAsStringAsync()).Trim().ReplaceLineEndings("; "));
        }
        catch (HttpRequestException ex)
        {
            return (false, ex.Message);
        }
    }

    // ---------------------------------------------------------------- amounts

    private static long Raw8(string text) => DecimalParser.Parse(Encoding.ASCII.GetBytes(text), 8, allowNegative: true);

    private static string Dec(long raw8) => FixedPoint.ToTrimmedString(raw8, 8);

    private static string Trim(string wire) => Dec(Raw8(wire));

    /// <summary>The position a set of our stored fills adds up to, as execution books it: the traded quantity less base-asset fees.</summary>
    private static long PositionOf(IEnumerable<StoredFill> fills) =>
        fills.Sum(f => (f.Side == OrderSide.Buy ? f.Qty : -f.Qty) - f.FeeQty);

    /// <summary>What a venue trade moved our base balance by (a buy's commission in the base asset is taken from it).</summary>
    private long BaseChangeOf(VenueTrade t) =>
        (t.IsBuyer ? t.Qty : -t.Qty) - (t.CommissionAsset == BaseAsset ? t.Commission : 0);

    /// <summary>Our id of a venue order, when it is ours (our prefix and instance).</summary>
    private bool TryOurs(string clientOrderId, out ClientOrderId id) =>
        _format.TryParse(clientOrderId, out id) == ClientOrderIdParse.Ours && id.Node == InstanceId;
}
