namespace Fathom.Core;

/// <summary>Why a UTF-8 decimal string could not be turned into a scaled integer.</summary>
public enum DecimalParseError : byte
{
    None = 0,
    Empty,
    InvalidCharacter,
    NegativeNotAllowed,
    TooManyDecimals,
    Overflow,
}
