using Fathom.Core;

namespace Fathom.Venues.Binance;

/// <summary>
/// An API key and the secret that signs its requests: an HMAC secret, an Ed25519 private key
/// (raw 32-byte seed or PKCS#8 PEM), or both. Loaded from environment variables or a key file,
/// never from configuration files that get printed, and never logged: <see cref="ToString"/>
/// redacts everything but a short key prefix.
/// </summary>
public sealed class BinanceCredentials
{
    public const string ApiKeyVariable = "FATHOM_BINANCE_API_KEY";
    public const string HmacSecretVariable = "FATHOM_BINANCE_API_SECRET";
    public const string Ed25519KeyFileVariable = "FATHOM_BINANCE_ED25519_KEY_FILE";

    public BinanceCredentials(string apiKey, string? hmacSecret = null, byte[]? ed25519PrivateKey = null)
    {
        if (string.IsNullOrWhiteSpace(apiKey))
            ThrowHelper.ThrowArgument(nameof(apiKey), "API key is empty.");
        if (hmacSecret is null && ed25519PrivateKey is null)
            ThrowHelper.ThrowArgument(nameof(hmacSecret), "an HMAC secret or an Ed25519 private key is required.");
        ApiKey = apiKey;
        HmacSecret = hmacSecret;
        Ed25519PrivateKey = ed25519PrivateKey;
    }

    public string ApiKey { get; }
    internal string? HmacSecret { get; }
    internal byte[]? Ed25519PrivateKey { get; }
    public bool HasHmac => HmacSecret is not null;
    public bool HasEd25519 => Ed25519PrivateKey is not null;

    /// <summary>
    /// From <c>FATHOM_BINANCE_API_KEY</c> with <c>FATHOM_BINANCE_API_SECRET</c> (HMAC) and/or
    /// <c>FATHOM_BINANCE_ED25519_KEY_FILE</c> (a file holding the base64 raw seed or a PKCS#8 PEM).
    /// Returns null when no key is configured; throws with a clear message when one is half-configured.
    /// </summary>
    public static BinanceCredentials? FromEnvironment(Func<string, string?>? getVariable = null)
    {
        getVariable ??= Environment.GetEnvironmentVariable;
        string? key = getVariable(ApiKeyVariable);
        string? secret = getVariable(HmacSecretVariable);
        string? keyFile = getVariable(Ed25519KeyFileVariable);
        if (string.IsNullOrEmpty(key))
        {
            if (!string.IsNullOrEmpty(secret) || !string.IsNullOrEmpty(keyFile))
                throw new InvalidOperationException($"{ApiKeyVariable} is not set but a secret is: set both.");
            return null;
        }
        byte[]? ed = null;
        if (!string.IsNullOrEmpty(keyFile))
            ed = Ed25519Signer.ReadPrivateKeyFile(keyFile);
        if (string.IsNullOrEmpty(secret) && ed is null)
            throw new InvalidOperationException($"{ApiKeyVariable} is set but neither {HmacSecretVariable} nor {Ed25519KeyFileVariable} is.");
        return new BinanceCredentials(key, string.IsNullOrEmpty(secret) ? null : secret, ed);
    }

    /// <summary>Safe to log: the first 4 characters of the API key and which secrets are present.</summary>
    public override string ToString() =>
        $"api key {ApiKey[..Math.Min(4, ApiKey.Length)]}…({ApiKey.Length} chars), hmac {(HasHmac ? "set" : "none")}, ed25519 {(HasEd25519 ? "set" : "none")}";
}
