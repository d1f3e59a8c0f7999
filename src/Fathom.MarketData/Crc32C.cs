using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Fathom.MarketData;

/// <summary>
/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78, initial value and final xor 0xFFFFFFFF):
/// the checksum of the recorder's and the store's blocks. Castagnoli rather than the zlib CRC-32
/// because x86 (SSE4.2) and ARMv8 compute it in hardware, 8 bytes per instruction, so checking every
/// block on replay costs a fraction of a nanosecond per byte; a table-driven fallback keeps it
/// portable. Check value: CRC-32C("123456789") = 0xE3069283. Allocation-free.
/// </summary>
public static class Crc32C
{
    private const uint Polynomial = 0x82F63B78;
    private static readonly uint[] s_table = BuildTable();

    /// <summary>The CRC-32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => ~Update(0xFFFFFFFF, data);

    /// <summary>
    /// Continues a running CRC (pass 0xFFFFFFFF first, complement the final value): lets a caller
    /// checksum a record split over two buffers.
    /// </summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        if (!Sse42.X64.IsSupported && !Crc32.Arm64.IsSupported)
            return UpdateSoftware(crc, data);
        // The crc32 instruction has a latency of ~3 cycles but a throughput of one per cycle, so one
        // dependency chain uses a third of it. Long inputs run three independent chains over three
        // adjacent stretches and join them: CRC is linear, so crc(A‖B) = shift(crc(A), |B|) ⊕ crc0(B),
        // where shift multiplies by x^(8|B|) mod P (a table per stretch length).
        ref byte p = ref MemoryMarshal.GetReference(data);
        nuint length = (nuint)data.Length;
        ulong c = crc;
        while (length >= 3 * LongStretch)
        {
            c = Interleaved(c, ref p, LongStretch, s_shiftLong);
            p = ref Unsafe.Add(ref p, 3 * LongStretch);
            length -= 3 * LongStretch;
        }
        while (length >= 3 * ShortStretch)
        {
            c = Interleaved(c, ref p, ShortStretch, s_shiftShort);
            p = ref Unsafe.Add(ref p, 3 * ShortStretch);
            length -= 3 * ShortStretch;
        }
        while (length >= 8)
        {
            c = Step(c, Unsafe.ReadUnaligned<ulong>(ref p));
            p = ref Unsafe.Add(ref p, 8);
            length -= 8;
        }
        crc = (uint)c;
        for (nuint i = 0; i < length; i++)
            crc = StepByte(crc, Unsafe.Add(ref p, i));
        return crc;
    }

    private const nuint LongStretch = 8192;
    private const nuint ShortStretch = 256;
    private static readonly uint[] s_shiftLong = BuildShift((int)LongStretch);
    private static readonly uint[] s_shiftShort = BuildShift((int)ShortStretch);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Interleaved(ulong crc, ref byte p, nuint stretch, uint[] shift)
    {
        ulong c0 = crc, c1 = 0, c2 = 0;
        for (nuint i = 0; i < stretch; i += 8)
        {
            c0 = Step(c0, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i)));
            c1 = Step(c1, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, stretch + i)));
            c2 = Step(c2, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, 2 * stretch + i)));
        }
        uint joined = Shift(shift, (uint)c0) ^ (uint)c1;
        return Shift(shift, joined) ^ (uint)c2;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Shift(uint[] table, uint crc) =>
        table[crc & 0xFF] ^ table[256 + ((crc >> 8) & 0xFF)] ^ table[512 + ((crc >> 16) & 0xFF)] ^ table[768 + (crc >> 24)];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Step(ulong crc, ulong data) =>
        Sse42.X64.IsSupported ? Sse42.X64.Crc32(crc, data) : Crc32.Arm64.ComputeCrc32C((uint)crc, data);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint StepByte(uint crc, byte data) =>
        Sse42.IsSupported ? Sse42.Crc32(crc, data) : Crc32.ComputeCrc32C(crc, data);

    // Shifting a CRC register over n zero bytes is linear in its 32 bits: four 256-entry tables, one
    // per register byte, built from the 32 single-bit cases.
    private static uint[] BuildShift(int n)
    {
        Span<uint> basis = stackalloc uint[32];
        var zeros = new byte[n];
        for (int bit = 0; bit < 32; bit++)
            basis[bit] = UpdateSoftware(1u << bit, zeros);
        var table = new uint[1024];
        for (int k = 0; k < 4; k++)
            for (int b = 0; b < 256; b++)
            {
                uint v = 0;
                for (int bit = 0; bit < 8; bit++)
                    if ((b >> bit & 1) != 0)
                        v ^= basis[8 * k + bit];
                table[256 * k + b] = v;
            }
        return table;
    }

    /// <summary>The portable path (also used by tests to check the hardware one).</summary>
    internal static uint UpdateSoftware(uint crc, ReadOnlySpan<byte> data)
    {
        uint[] table = s_table;
        foreach (byte b in data)
            crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++)
                c = (c & 1) != 0 ? (c >> 1) ^ Polynomial : c >> 1;
            table[i] = c;
        }
        return table;
    }
}
