using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Fathom.Core;

/// <summary>
/// Cold throw paths kept out of line so hot methods stay small enough to inline.
/// Every method here builds its message only when it actually throws.
/// </summary>
public static class ThrowHelper
{
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowDecimalFormat(DecimalParseError error, ReadOnlySpan<byte> input, int decimals) =>
        throw new FormatException(DecimalParser.Describe(error, input, decimals));

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowArgumentOutOfRange(string paramName, string message) =>
        throw new ArgumentOutOfRangeException(paramName, message);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowArgument(string paramName, string message) =>
        throw new ArgumentException(message, paramName);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowInvalidOperation(string message) =>
        throw new InvalidOperationException(message);
}
