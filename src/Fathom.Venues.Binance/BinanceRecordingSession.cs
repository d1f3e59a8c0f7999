using System.Text.Json;
using Fathom.Core;
using Fathom.MarketData;

namespace Fathom.Venues.Binance;

/// <summary>
/// Records a live Binance spot session to a <c>.fathomrec</c> file: the raw exchangeInfo body, a
/// session record (venue, endpoints, symbols in id order), then every stream frame and REST snapshot
/// the live feed (<see cref="BinanceMarketDataFeed"/>, with its reconnects and resyncs) receives, in
/// the order its parser sees them. <see cref="RecordingReplay.Open"/> rebuilds the same instruments
/// from those first records, so the replayed books end where the live ones did.
/// </summary>
/// <remarks>
/// When the server has no exchangeInfo (a local test server) the session says so and the instruments
/// use <see cref="BinanceSessionInfo.FallbackSpec"/>, unless <paramref name="requireExchangeInfo"/>
/// (a real venue: then it is an error, as is a symbol the venue does not list).
/// The writer belongs to the caller, who disposes it after <see cref="RunAsync"/> returns.
/// </remarks>
public sealed class BinanceRecordingSession(IReadOnlyList<string> symbols, BinanceEndpoints endpoints, HttpClient http,
    RecordingWriter writer, TimeProvider? time = null, BinanceFeedOptions? options = null, bool requireExchangeInfo = false)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly BinanceFeedOptions _options = options ?? new BinanceFeedOptions();

    /// <summary>The running feed (null until the instruments are known); read its books under its CoreLock.</summary>
    public BinanceMarketDataFeed? Feed { get; private set; }
    public BinanceSessionInfo? Session { get; private set; }

    /// <summary>Fetches instrument metadata, writes the header records, then records until <paramref name="cancel"/>.</summary>
    public async Task RunAsync(CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        if (symbols.Count == 0)
            ThrowHelper.ThrowArgument(nameof(symbols), "at least one symbol is required.");
        string[] names = [.. symbols.Select(s => s.Trim().ToUpperInvariant())];

        (Dictionary<string, InstrumentSpec>? specs, string status) = await FetchExchangeInfoAsync(names, cancel).ConfigureAwait(false);
        if (specs is null && requireExchangeInfo)
            throw new InvalidOperationException($"could not load exchangeInfo from {endpoints.RestBase}: {status}.");
        var instruments = new List<InstrumentSpec>(names.Length);
        foreach (string name in names)
        {
            if (specs is null)
                instruments.Add(BinanceSessionInfo.FallbackSpec(name, Venue.BinanceSpot));
            else if (specs.TryGetValue(name, out var spec))
                instruments.Add(spec);
            else
                throw new InvalidOperationException($"{name} is not listed in the venue's exchangeInfo at {endpoints.RestBase}.");
        }

        var feed = new BinanceMarketDataFeed(instruments, endpoints, http, _time, _options) { Recorder = writer };
        Session = new BinanceSessionInfo
        {
            Venue = Venue.BinanceSpot,
            Symbols = names,
            StreamUrl = feed.StreamUrl.ToString(),
            RestUrl = endpoints.RestBase.ToString(),
            SnapshotDepth = _options.SnapshotDepth,
            Started = _time.GetUtcNow(),
            ExchangeInfo = status,
        };
        writer.TryAppendSessionInfo(NowNs(), Session.ToText());
        Feed = feed;
        await using (feed.ConfigureAwait(false))
            await feed.RunAsync(cancel).ConfigureAwait(false);
    }

    private async Task<(Dictionary<string, InstrumentSpec>?, string)> FetchExchangeInfoAsync(string[] names, CancellationToken cancel)
    {
        var url = new Uri(endpoints.RestBase, "/api/v3/exchangeInfo?symbols=" + Uri.EscapeDataString(JsonSerializer.Serialize(names)));
        try
        {
            using HttpResponseMessage response = await http.GetAsync(url, cancel).ConfigureAwait(false);
            byte[] body = await response.Content.ReadAsByteArrayAsync(cancel).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                return (null, $"unavailable: HTTP {(int)response.StatusCode}");
            var specs = BinanceExchangeInfo.Parse(body, Venue.BinanceSpot);
            writer.TryAppendExchangeInfo(NowNs(), body);
            return (specs, "ok");
        }
        catch (Exception ex) when (ex is HttpRequestException or FormatException or JsonException or ArgumentException)
        {
            return (null, "unavailable: " + ex.Message);
        }
    }

    private long NowNs() => (_time.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
}
