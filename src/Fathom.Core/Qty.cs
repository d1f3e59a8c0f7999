namespace Fathom.Core;

/// <summary>
/// A quantity as a fixed-point integer at the instrument's <see cref="InstrumentSpec.QtyDecimals"/>.
/// Signed so it can also carry positions and deltas.
/// </summary>
public readonly record struct Qty(long Raw) : IComparable<Qty>
{
    public static Qty Zero => default;
    public bool IsZero => Raw == 0;
    public int CompareTo(Qty other) => Raw.CompareTo(other.Raw);
    public static bool operator <(Qty a, Qty b) => a.Raw < b.Raw;
    public static bool operator >(Qty a, Qty b) => a.Raw > b.Raw;
    public static bool operator <=(Qty a, Qty b) => a.Raw <= b.Raw;
    public static bool operator >=(Qty a, Qty b) => a.Raw >= b.Raw;
    public static Qty operator +(Qty a, Qty b) => new(checked(a.Raw + b.Raw));
    public static Qty operator -(Qty a, Qty b) => new(checked(a.Raw - b.Raw));
    public static Qty operator -(Qty a) => new(checked(-a.Raw));

    public string ToString(int decimals) => FixedPoint.ToString(Raw, decimals);
}
