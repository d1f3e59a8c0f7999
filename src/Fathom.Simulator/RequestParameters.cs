using System.Net;
using System.Text;

namespace Fathom.Simulator;

/// <summary>
/// A request's parameters from the query string and the form body (the query wins when both carry
/// one, as Binance documents), plus the exact bytes that were signed: the raw query without its
/// <c>signature</c> pair, concatenated with the raw body without its <c>signature</c> pair.
/// </summary>
public sealed class RequestParameters
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public RequestParameters(string rawQuery, string rawBody)
    {
        rawQuery = rawQuery.StartsWith('?') ? rawQuery[1..] : rawQuery;
        var bodyValues = new Dictionary<string, string>(StringComparer.Ordinal);
        string query = Parse(rawQuery, _values, out string? querySig);
        string body = Parse(rawBody, bodyValues, out string? bodySig);
        foreach (var (k, v) in bodyValues)
            _values.TryAdd(k, v);
        Signature = querySig ?? bodySig;
        SignedPayload = Encoding.UTF8.GetBytes(query + body);
    }

    private RequestParameters(Dictionary<string, string> values, string? signature, byte[] payload)
    {
        _values = values;
        Signature = signature;
        SignedPayload = payload;
    }

    /// <summary>
    /// WebSocket API <c>params</c>: the signed payload is every parameter but <c>signature</c>, sorted
    /// by name, <c>k=v</c> joined by <c>&amp;</c>, not percent-encoded (EXCHANGES.md §5.2).
    /// </summary>
    public static RequestParameters FromJson(System.Text.Json.JsonElement parameters)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        string? signature = null;
        if (parameters.ValueKind == System.Text.Json.JsonValueKind.Object)
        {
            foreach (var prop in parameters.EnumerateObject())
            {
                string value = prop.Value.ValueKind switch
                {
                    System.Text.Json.JsonValueKind.String => prop.Value.GetString()!,
                    System.Text.Json.JsonValueKind.True => "true",
                    System.Text.Json.JsonValueKind.False => "false",
                    System.Text.Json.JsonValueKind.Null => "",
                    _ => prop.Value.GetRawText(),
                };
                if (prop.Name == "signature")
                    signature = value;
                else if (!values.TryAdd(prop.Name, value))
                    throw new BinanceException(BinanceErrors.DuplicateParameter);
            }
        }
        string payload = string.Join('&', values.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value));
        return new RequestParameters(values, signature, Encoding.UTF8.GetBytes(payload));
    }

    /// <summary>The <c>signature</c> value, percent-decoded; null when absent.</summary>
    public string? Signature { get; }
    public byte[] SignedPayload { get; }
    public int Count => _values.Count;

    public string? this[string name] => _values.TryGetValue(name, out var v) && v.Length > 0 ? v : null;
    public bool Has(string name) => this[name] is not null;

    public string Required(string name) => this[name] ?? throw new BinanceException(BinanceErrors.Mandatory(name));

    // Returns the raw text with the signature pair removed.
    private static string Parse(string raw, Dictionary<string, string> into, out string? signature)
    {
        signature = null;
        if (raw.Length == 0)
            return raw;
        var kept = new StringBuilder(raw.Length);
        foreach (var pair in raw.Split('&'))
        {
            if (pair.Length == 0)
                continue;
            int eq = pair.IndexOf('=');
            string key = WebUtility.UrlDecode(eq < 0 ? pair : pair[..eq]);
            string value = eq < 0 ? "" : WebUtility.UrlDecode(pair[(eq + 1)..]);
            if (key == "signature")
            {
                if (signature is not null)
                    throw new BinanceException(BinanceErrors.DuplicateParameter);
                // A base64 (Ed25519) signature sent without percent-encoding has its '+' read as a space.
                signature = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]);
                continue;
            }
            if (!into.TryAdd(key, value))
                throw new BinanceException(BinanceErrors.DuplicateParameter);
            if (kept.Length > 0)
                kept.Append('&');
            kept.Append(pair);
        }
        return kept.ToString();
    }
}
