using Fathom.Core;
using Fathom.Venues.Binance;
using Fathom.Venues.Okx;

namespace Fathom.Hosting.Run;

/// <summary>
/// What a <c>fathom run</c> needs from its venue before the venue-neutral part starts (<see cref="TradingRun"/>):
/// the credentials (environment only), the instrument list that finishes validation, the <see cref="IVenue"/> the
/// host composes, and the venue's own failures. One subclass per venue family; everything after
/// <see cref="CreateVenue"/> (reconciliation, balances, quoting, shutdown) goes through <see cref="IVenue"/> and
/// <c>IVenueQueries</c>.
/// </summary>
internal abstract class RunVenueBinding
{
    /// <summary>The binding of <paramref name="config"/>'s venue with its credentials, or null with <paramref name="missing"/> set when none are set.</summary>
    /// <exception cref="InvalidOperationException">Credentials half-configured (the message names variables, never a value).</exception>
    public static RunVenueBinding? FromEnvironment(RunConfig config, Func<string, string?> getVariable, out string missing)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Okx is { } endpoints)
        {
            missing = $"no API key: set {OkxCredentials.ApiKeyVariable}, {OkxCredentials.SecretVariable} and {OkxCredentials.PassphraseVariable} " +
                "in the environment (never in the config file)";
            return OkxCredentials.FromEnvironment(getVariable) is { } okx ? new OkxRunVenue(endpoints, okx) : null;
        }
        missing = $"no API key: set {BinanceCredentials.ApiKeyVariable} and {BinanceCredentials.HmacSecretVariable} " +
            $"(HMAC) or {BinanceCredentials.Ed25519KeyFileVariable} (Ed25519) in the environment (never in the config file).";
        return BinanceCredentials.FromEnvironment(getVariable) is { } binance ? new BinanceRunVenue(binance) : null;
    }

    /// <summary>The credentials as they may be printed: a short key prefix, and which secrets are set.</summary>
    public abstract string Redacted { get; }

    /// <summary>
    /// The venue's specs of the configured symbols, keyed by symbol (an unlisted one is missing: validation names it),
    /// or a <c>Problem</c> with the config the venue's answer shows (a config error: exit 2, nothing sent).
    /// </summary>
    public abstract Task<(Dictionary<string, InstrumentSpec> Specs, string? Problem)> ListInstrumentsAsync(RunConfig config, HttpClient http, TimeProvider time,
        CancellationToken cancel);

    /// <summary>The venue for <paramref name="symbols"/> (instrument i is <c>symbols[i]</c>), after <see cref="ListInstrumentsAsync"/>.</summary>
    public abstract IVenue CreateVenue(RunConfig config, IReadOnlyList<RunSymbol> symbols, HttpClient http, TimeProvider time);

    /// <summary>True for the venue's own failures of a request (reported as a run failure, exit 1).</summary>
    public abstract bool IsVenueFailure(Exception ex);
}
