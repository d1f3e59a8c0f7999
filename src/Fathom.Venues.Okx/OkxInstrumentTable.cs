using Fathom.Core;

namespace Fathom.Venues.Okx;

/// <summary>
/// The instruments an OKX parser knows, looked up by their UTF-8 <c>instId</c> without allocating
/// (a linear scan: a feed carries tens of instruments, where this beats hashing).
/// </summary>
public sealed class OkxInstrumentTable
{
    private OkxInstrument[] _instruments = [];

    /// <summary>Registers <paramref name="spec"/>; its id is its index. Not for use while parsing.</summary>
    public OkxInstrument Add(InstrumentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        foreach (var i in _instruments)
            if (string.Equals(i.Spec.Symbol, spec.Symbol, StringComparison.Ordinal))
                ThrowHelper.ThrowArgument(nameof(spec), $"{spec.Symbol} is already registered.");
        var instrument = new OkxInstrument(_instruments.Length, spec);
        _instruments = [.. _instruments, instrument];
        return instrument;
    }

    public int Count => _instruments.Length;
    public OkxInstrument this[int id] => _instruments[id];

    /// <summary>Finds an <c>instId</c> ("BTC-USDT", case-sensitive as OKX sends it); null if unknown.</summary>
    public OkxInstrument? Find(ReadOnlySpan<byte> instId)
    {
        foreach (var i in _instruments)
            if (instId.SequenceEqual(i.InstId))
                return i;
        return null;
    }
}
