using Fathom.Core;
using Fathom.Venues.Okx;

namespace Fathom.Hosting.Run;

/// <summary>
/// OKX (okx-demo, okx, okx-custom): <c>GET /api/v5/public/instruments?instType=SPOT</c> for the specs and each
/// symbol's <c>instIdCode</c>, <see cref="OkxVenue"/> for the run.
/// </summary>
internal sealed class OkxRunVenue(OkxEndpoints endpoints, OkxCredentials credentials) : RunVenueBinding
{
    private Dictionary<string, OkxListedInstrument> _listed = new(StringComparer.Ordinal);

    public override string Redacted
    {
        get
        {
            string key = credentials.ApiKey;
            return $"API key {key[..Math.Min(4, key.Length / 2)]}…(redacted), secret set (redacted), passphrase set (redacted)";
        }
    }

    public override async Task<(Dictionary<string, InstrumentSpec> Specs, string? Problem)> ListInstrumentsAsync(RunConfig config, HttpClient http,
        TimeProvider time, CancellationToken cancel)
    {
        var rest = new OkxRestClient(http, endpoints, time, http.Timeout);
        _listed = await rest.GetListedInstrumentsAsync("SPOT", cancel).ConfigureAwait(false);
        string? noCode = config.Symbols.Select(s => s.Symbol).FirstOrDefault(s => _listed.TryGetValue(s, out var l) && l.InstIdCode <= 0);
        if (noCode is not null)
            return ([], $"{noCode} has no instIdCode in {config.VenueName}'s public/instruments (the WebSocket trade ops name an instrument by it)");
        return (_listed.ToDictionary(x => x.Key, x => x.Value.Spec, StringComparer.Ordinal), null);
    }

    public override IVenue CreateVenue(RunConfig config, IReadOnlyList<RunSymbol> symbols, HttpClient http, TimeProvider time) =>
        new OkxVenue(config.VenueName, endpoints, OkxVenue.OrderEntryOptions(endpoints), credentials,
            [.. symbols.Select((s, i) => _listed[s.Symbol].ToOrderInstrument(i))], http, time);

    public override bool IsVenueFailure(Exception ex) => ex is OkxRestException or OkxTradeRestException or OkxLoginException;
}
