namespace Fathom.Core;

/// <summary>
/// A price as a fixed-point integer. The scale (number of decimals) belongs to the instrument
/// (<see cref="InstrumentSpec.PriceDecimals"/>), so two prices are comparable only within one instrument.
/// </summary>
public readonly record struct Price(long Raw) : IComparable<Price>
{
    public static Price Zero => default;
    public int CompareTo(Price other) => Raw.CompareTo(other.Raw);
    public static bool operator <(Price a, Price b) => a.Raw < b.Raw;
    public static bool operator >(Price a, Price b) => a.Raw > b.Raw;
    public static bool operator <=(Price a, Price b) => a.Raw <= b.Raw;
    public static bool operator >=(Price a, Price b) => a.Raw >= b.Raw;
    public static Price operator +(Price a, Price b) => new(checked(a.Raw + b.Raw));
    public static Price operator -(Price a, Price b) => new(checked(a.Raw - b.Raw));

    /// <summary>The venue decimal string at <paramref name="decimals"/> (allocates; not for hot paths).</summary>
    public string ToString(int decimals) => FixedPoint.ToString(Raw, decimals);
}
