using Fathom.Core;
using Fathom.Venues.Binance;

namespace Fathom.Hosting.Run;

/// <summary>Binance (testnet, mainnet, custom): exchangeInfo for the specs, <see cref="BinanceVenue"/> for the run.</summary>
internal sealed class BinanceRunVenue(BinanceCredentials credentials) : RunVenueBinding
{
    public override string Redacted => RedactedOf(credentials);

    /// <summary>At most the first 4 characters of the API key (fewer for a short key), and which secrets are set; never a secret.</summary>
    internal static string RedactedOf(BinanceCredentials credentials)
    {
        string key = credentials.ApiKey;
        int shown = Math.Min(4, key.Length / 2);
        return $"API key {key[..shown]}…(redacted), HMAC secret {(credentials.HasHmac ? "set (redacted)" : "not set")}, " +
            $"Ed25519 key {(credentials.HasEd25519 ? "set (redacted)" : "not set")}";
    }

    public override async Task<(Dictionary<string, InstrumentSpec> Specs, string? Problem)> ListInstrumentsAsync(RunConfig config, HttpClient http,
        TimeProvider time, CancellationToken cancel)
    {
        var rest = new BinanceRestClient(http, config.MarketData, new RestWeightLimiter(time));
        try
        {
            return (await rest.GetExchangeInfoAsync([.. config.Symbols.Select(s => s.Symbol)], cancel).ConfigureAwait(false), null);
        }
        catch (BinanceRestException ex) when (ex.Code == -1121)
        {
            return ([], $"a configured symbol is not listed by {config.VenueName}: {ex.Message}");
        }
    }

    public override IVenue CreateVenue(RunConfig config, IReadOnlyList<RunSymbol> symbols, HttpClient http, TimeProvider time) =>
        new BinanceVenue(config.VenueName, config.MarketData, config.OrderEntry, credentials,
            [.. symbols.Select((s, i) => new BinanceOrderInstrument(i, s.Symbol, s.BaseAsset, s.QuoteAsset))], http, time, config.Feed);

    public override bool IsVenueFailure(Exception ex) => ex is BinanceRestException;
}
