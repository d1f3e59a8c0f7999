namespace Fathom.Book;

/// <summary>
/// An aggregate over book levels. <see cref="Notional"/> is Σ price × qty at the scale
/// (price decimals + qty decimals). <see cref="Complete"/> is false when the query reached past the
/// prices the venue has told us about (beyond the snapshot's depth), so the true figure may be larger.
/// </summary>
public readonly record struct DepthResult(long Qty, Int128 Notional, int Levels, bool Complete);
