using CsCheck;

namespace Fathom.Testing;

/// <summary>
/// Deterministic property runner over CsCheck generators: case <c>i</c> is generated from
/// <c>PCG(stream, i)</c>, so every run of the suite checks exactly the same cases. A failure names
/// its seed; add that seed to the test's regression list so it is checked on every run from then on.
/// </summary>
public static class Property
{
    public const uint Stream = 0xFA7_0001;

    public static void ForAll<T>(Gen<T> gen, int cases, Action<T> check, params ulong[] regressionSeeds)
    {
        foreach (ulong seed in regressionSeeds)
            RunOne(gen, seed, check);
        for (ulong seed = 0; seed < (ulong)cases; seed++)
            RunOne(gen, seed, check);
    }

    public static T Generate<T>(Gen<T> gen, ulong seed) => gen.Generate(new PCG(Stream, seed), null, out _);

    private static void RunOne<T>(Gen<T> gen, ulong seed, Action<T> check)
    {
        T value = Generate(gen, seed);
        try
        {
            check(value);
        }
        catch (Exception ex)
        {
            throw new PropertyFailedException($"Property failed for seed {seed} (stream 0x{Stream:X}) with input {Describe(value)}: {ex.Message}", ex);
        }
    }

    private static string Describe<T>(T value) => value switch
    {
        System.Collections.IEnumerable e when value is not string => "[" + string.Join(", ", e.Cast<object?>().Take(20)) + "]",
        _ => value?.ToString() ?? "null",
    };
}

public sealed class PropertyFailedException(string message, Exception inner) : Exception(message, inner);
