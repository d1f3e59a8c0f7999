namespace Fathom.Testing;

/// <summary>Keeps a computed value observable so the JIT cannot drop the work, without boxing it.</summary>
public static class Sink
{
    private static long s_value;
    public static void Consume(long value) => Volatile.Write(ref s_value, s_value ^ value);
}
