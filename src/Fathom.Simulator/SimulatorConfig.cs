using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Fathom.Core;
using NSec.Cryptography;

namespace Fathom.Simulator;

/// <summary>
/// The simulator's configuration file (JSON): symbols with their filters, accounts with balances,
/// commission rates and API keys, rate limits, and the seed. <see cref="Demo"/> is the default when
/// no file is given; its keys are simulator-only and safe to print.
/// </summary>
public sealed class SimulatorConfig
{
    public List<SymbolConfig> Symbols { get; set; } = [];
    public List<AccountConfig> Accounts { get; set; } = [];
    public RateLimitSettings RateLimits { get; set; } = new();
    public ulong Seed { get; set; } = 1;
    /// <summary>Resting levels per side the house market maker places around each symbol's start price; 0 for an empty book.</summary>
    public int SeedLevels { get; set; } = 10;

    public sealed class SymbolConfig
    {
        public string Symbol { get; set; } = "";
        public string BaseAsset { get; set; } = "";
        public string QuoteAsset { get; set; } = "";
        public string TickSize { get; set; } = "0.01";
        public string StepSize { get; set; } = "0.00001";
        public string? MinQty { get; set; }
        public string MaxQty { get; set; } = "9000";
        public string? MinPrice { get; set; }
        public string MaxPrice { get; set; } = "1000000";
        public string MinNotional { get; set; } = "5";
        public string MaxNotional { get; set; } = "9000000";
        public int MaxNumOrders { get; set; } = 200;
        public string StartPrice { get; set; } = "100";
    }

    public sealed class AccountConfig
    {
        public string Name { get; set; } = "";
        public string MakerCommission { get; set; } = "0.001";
        public string TakerCommission { get; set; } = "0.001";
        public Dictionary<string, string> Balances { get; set; } = [];
        public List<KeyConfig> Keys { get; set; } = [];
    }

    public sealed class KeyConfig
    {
        public string ApiKey { get; set; } = "";
        /// <summary>HMAC-SHA256 secret.</summary>
        public string? Secret { get; set; }
        /// <summary>OKX passphrase (HMAC keys): without one the key is refused by the OKX front.</summary>
        public string? Passphrase { get; set; }
        /// <summary>Ed25519 public key: base64 of the raw 32 bytes, or PEM.</summary>
        public string? Ed25519PublicKey { get; set; }
        /// <summary>Demo only, so `fathom sim` can print it: base64 of the raw 32-byte private key.</summary>
        public string? Ed25519PrivateKey { get; set; }
    }

    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static SimulatorConfig Load(string path) =>
        JsonSerializer.Deserialize<SimulatorConfig>(File.ReadAllText(path), s_json)
        ?? throw new InvalidDataException($"{path}: empty configuration");

    /// <summary>The OKX passphrase of the demo HMAC keys (simulator-only, printed by <c>fathom sim</c>).</summary>
    public const string DemoPassphrase = "FathomDemo1";

    /// <summary>
    /// BTCUSDT and ETHUSDT, two demo accounts (HMAC key = the public example key of Binance's docs,
    /// and an Ed25519 key derived from a fixed seed), and a house market maker.
    /// </summary>
    public static SimulatorConfig Demo()
    {
        byte[] edSeed = SHA256.HashData("fathom-simulator-demo-ed25519"u8);
        using var edKey = Key.Import(SignatureAlgorithm.Ed25519, edSeed, KeyBlobFormat.RawPrivateKey);
        string edPublic = Convert.ToBase64String(edKey.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        var balances = new Dictionary<string, string> { ["BTC"] = "10", ["ETH"] = "100", ["USDT"] = "1000000" };
        return new SimulatorConfig
        {
            Symbols =
            [
                new() { Symbol = "BTCUSDT", BaseAsset = "BTC", QuoteAsset = "USDT", TickSize = "0.01", StepSize = "0.00001", StartPrice = "60000" },
                new() { Symbol = "ETHUSDT", BaseAsset = "ETH", QuoteAsset = "USDT", TickSize = "0.01", StepSize = "0.0001", StartPrice = "3000" },
            ],
            Accounts =
            [
                new()
                {
                    Name = "demo",
                    Balances = new(balances),
                    Keys =
                    [
                        new() { ApiKey = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A", Secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j", Passphrase = DemoPassphrase },
                        new() { ApiKey = "fathomDemoEd25519Key000000000000000000000000000000000000000000001", Ed25519PublicKey = edPublic, Ed25519PrivateKey = Convert.ToBase64String(edSeed) },
                    ],
                },
                new()
                {
                    Name = "demo2",
                    Balances = new(balances),
                    Keys = [new() { ApiKey = "fathomDemoHmacKey2000000000000000000000000000000000000000000002", Secret = "fathomDemoSecret2000000000000000000000000000000000000000000002", Passphrase = DemoPassphrase }],
                },
            ],
        };
    }

    internal static int Decimals(string text)
    {
        int dot = text.IndexOf('.');
        return dot < 0 ? 0 : text[(dot + 1)..].TrimEnd('0').Length;
    }

    internal static long Parse(string text, int decimals, string what) =>
        DecimalParser.TryParse(Encoding.ASCII.GetBytes(text), decimals, false, out long v) == DecimalParseError.None
            ? v : throw new InvalidDataException($"{what}: '{text}' is not a decimal with at most {decimals} places");

    public static SimSymbol ToSymbol(SymbolConfig s)
    {
        int pd = Decimals(s.TickSize), qd = Decimals(s.StepSize);
        long tick = Parse(s.TickSize, pd, s.Symbol + ".tickSize"), step = Parse(s.StepSize, qd, s.Symbol + ".stepSize");
        return new SimSymbol
        {
            Spec = new InstrumentSpec
            {
                Symbol = s.Symbol,
                Venue = Venue.BinanceSpot,
                PriceDecimals = pd,
                QtyDecimals = qd,
                TickSize = new Price(tick),
                StepSize = new Qty(step),
                MinQty = new Qty(s.MinQty is null ? step : Parse(s.MinQty, qd, s.Symbol + ".minQty")),
                MaxQty = new Qty(Parse(s.MaxQty, qd, s.Symbol + ".maxQty")),
                MinPrice = new Price(s.MinPrice is null ? tick : Parse(s.MinPrice, pd, s.Symbol + ".minPrice")),
                MaxPrice = new Price(Parse(s.MaxPrice, pd, s.Symbol + ".maxPrice")),
            },
            BaseAsset = s.BaseAsset,
            QuoteAsset = s.QuoteAsset,
            MinNotional = Parse(s.MinNotional, Assets.Decimals, s.Symbol + ".minNotional"),
            MaxNotional = Parse(s.MaxNotional, Assets.Decimals, s.Symbol + ".maxNotional"),
            MaxNumOrders = s.MaxNumOrders,
            BidMultiplierUp = 50_000,
            BidMultiplierDown = 2_000,
            AskMultiplierUp = 50_000,
            AskMultiplierDown = 2_000,
        }.Validate();
    }
}
