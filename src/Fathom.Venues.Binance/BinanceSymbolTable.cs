using Fathom.Core;

namespace Fathom.Venues.Binance;

/// <summary>
/// The instruments a parser knows, looked up by their UTF-8 name without allocating. A linear scan
/// on length and bytes: a feed carries tens of symbols, where this beats hashing.
/// </summary>
public sealed class BinanceSymbolTable
{
    private BinanceSymbol[] _symbols = [];

    /// <summary>Registers <paramref name="spec"/>; its id is its index. Not for use while parsing.</summary>
    public BinanceSymbol Add(InstrumentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        foreach (var s in _symbols)
            if (string.Equals(s.Spec.Symbol, spec.Symbol, StringComparison.OrdinalIgnoreCase))
                ThrowHelper.ThrowArgument(nameof(spec), $"{spec.Symbol} is already registered.");
        var symbol = new BinanceSymbol(_symbols.Length, spec);
        _symbols = [.. _symbols, symbol];
        return symbol;
    }

    public int Count => _symbols.Length;
    public BinanceSymbol this[int id] => _symbols[id];

    /// <summary>Finds an upper-case event symbol ("BTCUSDT"); null if unknown.</summary>
    public BinanceSymbol? FindUpper(ReadOnlySpan<byte> name)
    {
        foreach (var s in _symbols)
            if (name.SequenceEqual(s.Upper))
                return s;
        return null;
    }

    /// <summary>Finds the symbol of a stream name ("btcusdt@depth@100ms"); null if unknown.</summary>
    public BinanceSymbol? FindByStream(ReadOnlySpan<byte> stream)
    {
        int at = stream.IndexOf((byte)'@');
        ReadOnlySpan<byte> name = at < 0 ? stream : stream[..at];
        foreach (var s in _symbols)
            if (name.SequenceEqual(s.Lower))
                return s;
        return null;
    }
}
