using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using Fathom.Core;
using Fathom.Gateway.Abstractions;

namespace Fathom.Venues.Binance;

/// <summary>The account's commission rates for one symbol (<c>GET /api/v3/account/commission</c>, <c>standardCommission</c>, as fractions: 0.001 = 0.1 %).</summary>
public sealed record BinanceCommissionRate(string Symbol, decimal Maker, decimal Taker, decimal Buyer, decimal Seller);

public sealed partial class BinanceOrderGateway
{
    // Snapshots swapped whole: the send thread reads them without a lock.
    private volatile InstrumentSpec?[] _specs = [];
    private volatile Dictionary<int, InstrumentSpec> _specsById = [];
    private volatile Dictionary<int, BinanceCommissionRate> _commissions = [];
    private ITimer? _metadataTimer;
    private int _metadataRefreshRunning;
    private long _metadataLoads, _metadataFailures;

    private static readonly string[] s_filterMessages =
        [.. Enum.GetNames<OrderFilterResult>().Select(n => "local: order fails the venue's filters (" + n + ")")];

    /// <summary>Instrument filters from the last exchangeInfo load, by instrument id (only configured instruments the venue lists).</summary>
    public IReadOnlyDictionary<int, InstrumentSpec> Instruments => _specsById;

    /// <summary>The account's commission rates from the last load, by instrument id.</summary>
    public IReadOnlyDictionary<int, BinanceCommissionRate> CommissionRates => _commissions;

    /// <summary>Successful metadata loads (start plus refreshes) and failed refreshes.</summary>
    public long MetadataLoads => Interlocked.Read(ref _metadataLoads);
    public long MetadataFailures => Interlocked.Read(ref _metadataFailures);

    /// <summary>
    /// exchangeInfo for the configured symbols (replaces the filter snapshot and reports status changes),
    /// then the commission rates of each (replaces that snapshot); a failure keeps what was not replaced.
    /// </summary>
    private async Task LoadMetadataAsync(CancellationToken cancel)
    {
        string symbols = "[" + string.Join(",", _instruments.Select(i => "\"" + i.Symbol.ToUpperInvariant() + "\"")) + "]";
        var (status, body) = await RestAsync(HttpMethod.Get, "/api/v3/exchangeInfo", "symbols=" + Uri.EscapeDataString(symbols),
            signed: false, 20, cancel).ConfigureAwait(false);
        if (status != 200)
            throw new BinanceRestException($"exchangeInfo failed: status {status}", status, ErrorCode(body), null);
        var parsed = BinanceExchangeInfo.Parse(body, Venue.BinanceSpot);
        int max = _instruments.Max(i => i.InstrumentId);
        var specs = new InstrumentSpec?[max + 1];
        var byId = new Dictionary<int, InstrumentSpec>();
        foreach (var i in _instruments)
        {
            if (parsed.TryGetValue(i.Symbol, out var spec))
            {
                specs[i.InstrumentId] = spec;
                byId[i.InstrumentId] = spec;
            }
        }
        // Filters and status are live before the commission rates load: a halt must not wait for them.
        _specs = specs;
        _specsById = byId;
        ReportStatusChanges(byId);
        var commissions = new Dictionary<int, BinanceCommissionRate>();
        foreach (var i in _instruments)
        {
            string symbol = Uri.EscapeDataString(i.Symbol.ToUpperInvariant());
            (status, body) = await RestAsync(HttpMethod.Get, "/api/v3/account/commission", "symbol=" + symbol, signed: true, 20, cancel).ConfigureAwait(false);
            if (status != 200)
                throw new BinanceRestException($"account/commission failed: status {status}", status, ErrorCode(body), null);
            commissions[i.InstrumentId] = ParseCommission(i.Symbol, body);
        }
        _commissions = commissions;
        Interlocked.Increment(ref _metadataLoads);
    }

    // Guarded by _reportGate: each instrument's status as last reported, and whether anything was.
    private InstrumentStatus[]? _reportedStatus;

    /// <summary>
    /// One <see cref="VenueHealthKind.InstrumentStatus"/> report per configured instrument whose status
    /// differs from the last load's (every instrument on the first load). An instrument the venue no
    /// longer lists is <see cref="InstrumentStatus.Unknown"/>, which the core treats as not trading.
    /// </summary>
    private void ReportStatusChanges(Dictionary<int, InstrumentSpec> byId)
    {
        long now = LocalNowNs();
        lock (_reportGate)
        {
            bool first = _reportedStatus is null;
            _reportedStatus ??= new InstrumentStatus[_instruments.Length];
            for (int index = 0; index < _instruments.Length; index++)
            {
                int id = _instruments[index].InstrumentId;
                InstrumentStatus status = byId.TryGetValue(id, out var spec) ? spec.Status : InstrumentStatus.Unknown;
                if (!first && status == _reportedStatus[index])
                    continue;
                _reportedStatus[index] = status;
                _sink.OnVenueHealth(VenueHealthReport.Instrument(id, status, now));
            }
        }
    }

    private static BinanceCommissionRate ParseCommission(string symbol, byte[] body)
    {
        using var doc = JsonDocument.Parse(body);
        var std = doc.RootElement.GetProperty("standardCommission");
        return new BinanceCommissionRate(symbol, Rate(std, "maker"), Rate(std, "taker"), Rate(std, "buyer"), Rate(std, "seller"));
    }

    private static decimal Rate(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? decimal.Parse(v.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture)
            : 0m;

    private void StartMetadataRefresh()
    {
        var period = _options.MetadataRefreshPeriod;
        if (!IsEnabled(period))
            return;
        _metadataTimer = _time.CreateTimer(static s => ((BinanceOrderGateway)s!).RefreshMetadata(), this, period, period);
    }

    private void RefreshMetadata()
    {
        if (_stopping || Interlocked.Exchange(ref _metadataRefreshRunning, 1) == 1)
            return;
        RunGuarded(async () =>
        {
            try
            {
                await LoadMetadataAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is BinanceRestException or HttpRequestException or OperationCanceledException or JsonException
                or FormatException or KeyNotFoundException or InvalidOperationException or WebSocketException)
            {
                // Keep the last snapshot; the next period tries again.
                Interlocked.Increment(ref _metadataFailures);
            }
            finally
            {
                Volatile.Write(ref _metadataRefreshRunning, 0);
            }
        }, "a metadata refresh");
    }

    /// <summary>
    /// Place and cancel-replace against the loaded filters: tick, step, min/max price and qty, min
    /// notional (FilterFailure, -1013) and symbol status (MarketClosed, -2010, as the venue answers).
    /// True when the command was refused here; it is never sent. No snapshot for the instrument: not checked.
    /// </summary>
    private bool RefusedByFilters(in OrderCommand command)
    {
        if (command.Kind is not (CommandKind.Place or CommandKind.CancelReplace))
            return false;
        var specs = _specs;
        if ((uint)command.InstrumentId >= (uint)specs.Length || specs[command.InstrumentId] is not { } spec)
            return false;
        var result = spec.CheckOrder(command.Price, command.Qty);
        if (result == OrderFilterResult.Ok)
            return false;
        if (result == OrderFilterResult.NotTrading)
            LocalReject(command, RejectReason.MarketClosed, -2010, s_filterMessages[(int)result]);
        else
            LocalReject(command, RejectReason.FilterFailure, -1013, s_filterMessages[(int)result]);
        return true;
    }
}
