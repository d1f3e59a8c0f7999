using Fathom.MarketData;

namespace Fathom.Venues.Binance;

/// <summary>What a conversion to the normalized store wrote, and what the parser made of the input.</summary>
public sealed record StoreConversionResult(
    string Format, int Instruments, long Messages, long Events, long Levels, long Blocks, long Bytes,
    MarketDataCounters Parser, IReadOnlyList<string> Warnings);
