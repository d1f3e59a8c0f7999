using CsCheck;
using Fathom.Book;
using Fathom.Core;
using Fathom.MarketData;
using Fathom.Testing;
using Xunit;

namespace Fathom.MarketData.Tests;

/// <summary>
/// The <c>.fathomstore</c> format: every event type round-trips field for field through
/// <see cref="StoreWriter"/> and <see cref="StoreReader"/>, with the instrument table, and damage is
/// contained (torn tail, corrupt block).
/// </summary>
public class StoreFormatTests
{
    /// <summary>Writes each event as one line holding every field, so two event streams compare as strings.</summary>
    private sealed class Transcript : IMarketDataHandler
    {
        public readonly List<string> Lines = [];
        private static string Levels(ReadOnlySpan<Level> levels)
        {
            var parts = new List<string>(levels.Length);
            foreach (Level l in levels)
                parts.Add($"{l.Tick}x{l.Qty}");
            return string.Join(',', parts);
        }
        public void OnBookDelta(in BookDelta d) =>
            Lines.Add($"D {d.InstrumentId} {d.FirstUpdateId} {d.FinalUpdateId} {d.PrevFinalUpdateId} {d.ExchangeTimeMs} {d.ReceiveTimeNs} [{Levels(d.Bids)}] [{Levels(d.Asks)}]");
        public void OnBookSnapshot(in BookSnapshot s) =>
            Lines.Add($"S {s.InstrumentId} {s.LastUpdateId} {s.ExchangeTimeMs} {s.ReceiveTimeNs} {s.DepthLimit} [{Levels(s.Bids)}] [{Levels(s.Asks)}]");
        public void OnTopOfBook(in TopOfBook t) => Lines.Add("T " + t);
        public void OnTrade(in Trade t) => Lines.Add("X " + t);
        public void OnServerShutdown(long exchangeTimeMs, long receiveTimeNs) => Lines.Add($"Q {exchangeTimeMs} {receiveTimeNs}");
        public void OnBookGridChanged(int instrumentId, long newTickRaw) => Lines.Add($"G {instrumentId} {newTickRaw}");
        public void OnMessageError(int instrumentId, MarketDataError error, long receiveTimeNs) => Lines.Add($"E {instrumentId} {error} {receiveTimeNs}");
    }

    private static readonly InstrumentSpec[] Instruments =
    [
        new InstrumentSpec
        {
            Symbol = "BTCUSDT", Venue = Venue.BinanceSpot, PriceDecimals = 8, QtyDecimals = 8,
            TickSize = new Price(1_000_000), StepSize = new Qty(1_000), MinQty = new Qty(1_000), MaxQty = new Qty(900_000_000_000),
            MinPrice = new Price(1_000_000), MaxPrice = new Price(100_000_000_000_000), MinNotional = new Price(500_000_000),
            Status = InstrumentStatus.Trading,
        },
        new InstrumentSpec
        {
            Symbol = "SUSHIUSDT", Venue = Venue.BinanceUsdM, PriceDecimals = 8, QtyDecimals = 8,
            TickSize = new Price(100_000), StepSize = new Qty(100_000_000), Status = InstrumentStatus.Break,
        },
    ];

    private static void WriteSample(IMarketDataHandler h, int seed, int count)
    {
        var random = new Random(seed);
        Level[] Levels(int n)
        {
            var levels = new Level[n];
            for (int i = 0; i < n; i++)
                levels[i] = new Level(random.NextInt64(1, 1L << 40), random.Next(2) == 0 ? 0 : random.NextInt64(1, long.MaxValue));
            return levels;
        }
        for (int i = 0; i < count; i++)
        {
            int instrument = random.Next(2);
            long ns = 1_723_161_253_000_000_000 + i;
            switch (random.Next(8))
            {
                case 0:
                case 1:
                    h.OnBookDelta(new BookDelta(instrument, random.NextInt64(), random.NextInt64(), random.Next(2) == 0 ? -1 : random.NextInt64(),
                        random.NextInt64(), ns, Levels(random.Next(0, 40)), Levels(random.Next(0, 40))));
                    break;
                case 2:
                    h.OnBookSnapshot(new BookSnapshot(instrument, random.NextInt64(), random.Next(2) == 0 ? 0 : random.NextInt64(), ns,
                        Levels(random.Next(0, 300)), Levels(random.Next(0, 300)), random.Next(2) == 0 ? 1000 : 0));
                    break;
                case 3:
                    h.OnTopOfBook(new TopOfBook(instrument, random.NextInt64(), random.NextInt64(), random.NextInt64(), random.NextInt64(),
                        random.NextInt64(), random.NextInt64(), ns));
                    break;
                case 4:
                    h.OnTrade(new Trade(instrument, random.NextInt64(), random.NextInt64(), random.NextInt64(), random.Next(2) == 0,
                        random.NextInt64(), random.NextInt64(), ns, random.NextInt64(), random.NextInt64()));
                    break;
                case 5:
                    h.OnBookGridChanged(instrument, random.NextInt64(1, 1_000_000));
                    break;
                case 6:
                    h.OnServerShutdown(random.NextInt64(), ns);
                    break;
                default:
                    h.OnMessageError(random.Next(2) == 0 ? -1 : instrument, (MarketDataError)random.Next(0, 6), ns);
                    break;
            }
        }
    }

    private static (byte[] File, List<string> Expected, StoreWriter Writer) Write(int seed, int count, int blockBytes = 1 << 20)
    {
        var expected = new Transcript();
        WriteSample(expected, seed, count);
        var stream = new MemoryStream();
        var writer = new StoreWriter(stream, Instruments, ownsStream: false, blockBytes);
        WriteSample(writer, seed, count);
        writer.Dispose();
        return (stream.ToArray(), expected.Lines, writer);
    }

    private static (List<string> Lines, StoreReader Reader) Read(byte[] file)
    {
        var reader = new StoreReader(new MemoryStream(file));
        var transcript = new Transcript();
        reader.ReadAll(ref transcript);
        return (transcript.Lines, reader);
    }

    [Fact]
    public void RoundTrip_EveryEventType_FieldForField_WithTheInstrumentTable()
    {
        var (file, expected, writer) = Write(seed: 3, count: 2_000, blockBytes: 8192);
        var (lines, reader) = Read(file);
        Assert.Equal(expected, lines);
        Assert.Equal(writer.Messages, reader.Messages);
        Assert.Equal(writer.Events, reader.Events);
        Assert.Equal(writer.Levels, reader.Levels);
        Assert.Equal(writer.Blocks - 1, reader.Blocks); // the instrument table is a block of its own
        Assert.True(reader.Blocks > 10);
        Assert.False(reader.TornTail);
        Assert.Equal(0, reader.CorruptBlocks);
        Assert.Equal(Instruments, reader.Instruments);
        Assert.True(StoreReader.HasMagic(file));
    }

    [Fact]
    public void RoundTrip_RandomEventSequences()
    {
        Property.ForAll(Gen.Select(Gen.Int[0, 200], Gen.Int), 40, c =>
        {
            var (file, expected, _) = Write(c.Item2, c.Item1, blockBytes: 4096);
            Assert.Equal(expected, Read(file).Lines);
        });
    }

    [Fact]
    public void Rewind_ReplaysTheSameEventsAgain()
    {
        var (file, expected, _) = Write(seed: 5, count: 300);
        var reader = new StoreReader(new MemoryStream(file));
        var first = new Transcript();
        reader.ReadAll(ref first);
        reader.Rewind();
        var second = new Transcript();
        reader.ReadAll(ref second);
        Assert.Equal(expected, first.Lines);
        Assert.Equal(expected, second.Lines);
    }

    [Fact]
    public void TornTail_AtEveryOffsetOfTheLastBlock_DeliversTheCompleteBlocks()
    {
        var (file, _, _) = Write(seed: 11, count: 60, blockBytes: 4096);
        // The events of all blocks but the last, and where the last block starts.
        var full = Read(file);
        var stream = new MemoryStream(file);
        var probe = new StoreReader(stream);
        var transcript = new Transcript();
        long lastStart = stream.Position;
        for (long at = stream.Position; probe.ReadBlock(ref transcript); at = stream.Position)
            lastStart = at;
        var (complete, _) = Read(file[..(int)lastStart]);
        Assert.True(complete.Count < full.Lines.Count);
        for (long cut = lastStart + 1; cut < file.Length; cut += 3)
        {
            var (lines, reader) = Read(file[..(int)cut]);
            Assert.Equal(complete, lines);
            Assert.True(reader.TornTail);
            Assert.Equal(0, reader.CorruptBlocks);
        }
    }

    [Fact]
    public void CorruptPayloadByte_SkipsOnlyThatBlock()
    {
        var (file, expected, _) = Write(seed: 13, count: 400, blockBytes: 4096);
        var clean = Read(file);
        // Flip one byte in the middle of the file: inside some block's payload.
        byte[] damaged = (byte[])file.Clone();
        damaged[file.Length / 2] ^= 0x01;
        var (lines, reader) = Read(damaged);
        Assert.Equal(1, reader.CorruptBlocks);
        Assert.True(lines.Count < expected.Count && lines.Count > 0);
        Assert.All(lines, l => Assert.Contains(l, clean.Lines));
    }

    /// <summary>
    /// Events with lags of up to <paramref name="maxLagNs"/> either way (a few exactly 0), a quarter without an exchange
    /// time; and the smallest lag among the events that carry one (shutdowns carry none), as the writer was given them.
    /// </summary>
    private static (byte[] File, long MinLag) WriteWithLags(int seed, int count, long maxLagNs)
    {
        long min = long.MaxValue;
        var random = new Random(seed);
        var stream = new MemoryStream();
        var writer = new StoreWriter(stream, Instruments, ownsStream: false, blockBytes: 4096);
        Level[] levels = [new Level(100, 5), new Level(101, 0)];
        for (int i = 0; i < count; i++)
        {
            long exchangeMs = random.Next(4) == 0 ? 0 : 1_723_161_253_000 + i;
            long lag = random.Next(50) == 0 ? 0 : random.NextInt64(-maxLagNs, maxLagNs);
            long receiveNs = exchangeMs > 0 ? exchangeMs * 1_000_000 + lag : 1_723_161_253_000_000_000 + i;
            int kind = random.Next(5);
            if (kind < 4 && exchangeMs > 0)
                min = Math.Min(min, lag);
            switch (kind)
            {
                case 0: writer.OnBookDelta(new BookDelta(0, i, i, i - 1, exchangeMs, receiveNs, levels, levels)); break;
                case 1: writer.OnBookSnapshot(new BookSnapshot(0, i, exchangeMs, receiveNs, levels, levels, 1000)); break;
                case 2: writer.OnTopOfBook(new TopOfBook(0, i, 100, 5, 101, 6, exchangeMs, receiveNs)); break;
                case 3: writer.OnTrade(new Trade(0, i, 100, 5, false, exchangeMs, exchangeMs, receiveNs, i, i)); break;
                default: writer.OnServerShutdown(exchangeMs, receiveNs); break; // carries no lag sample
            }
        }
        writer.Dispose();
        return (stream.ToArray(), min);
    }

    /// <summary>Rewrites every block header's lag field to 0, as a store written before the field was used has it.</summary>
    private static byte[] WithoutRecordedLags(byte[] file)
    {
        byte[] old = (byte[])file.Clone();
        int offset = StoreFormat.FileHeaderSize, blocks = 0;
        while (offset + StoreFormat.BlockHeaderSize <= old.Length)
        {
            Span<byte> header = old.AsSpan(offset, StoreFormat.BlockHeaderSize);
            int length = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(header[16..], 0);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(header[20..], Crc32C.Compute(header[..20]));
            offset += StoreFormat.BlockHeaderSize + length;
            blocks++;
        }
        Assert.True(blocks > 3);
        return old;
    }

    [Theory]
    [InlineData(1, 1_000_000_000L)] // every lag fits the header field
    [InlineData(2, 1_000_000_000L)]
    [InlineData(3, 4_000_000_000L)] // some lags beyond ±2.1 s: those blocks are decoded
    [InlineData(4, 4_000_000_000L)]
    public void MinReceiveLag_FromTheBlockHeaders_EqualsDecodingEveryEvent(int seed, long maxLagNs)
    {
        var (file, expected) = WriteWithLags(seed, 3_000, maxLagNs);

        var reader = new StoreReader(new MemoryStream(file));
        Assert.Equal(expected, reader.MinReceiveLagNs());
        if (maxLagNs <= int.MaxValue)
            Assert.True(reader.Messages < 3_000 / 10, $"{reader.Messages} messages decoded: the headers should have answered (only blocks whose minimum is exactly 0)");
        // The reader is back at the first event: a full read after the scan delivers everything.
        var transcript = new Transcript();
        reader.ReadAll(ref transcript);
        Assert.Equal(3_000, transcript.Lines.Count);

        // A store written before the field was recorded (0 in every header): every block decoded, same answer.
        var oldReader = new StoreReader(new MemoryStream(WithoutRecordedLags(file)));
        Assert.Equal(expected, oldReader.MinReceiveLagNs());
        Assert.True(oldReader.Messages >= 3_000 * 3 / 4 - 300, $"{oldReader.Messages} messages decoded");
    }

    [Fact]
    public void MinReceiveLag_NoEventWithAnExchangeTime_IsNull()
    {
        var stream = new MemoryStream();
        using (var writer = new StoreWriter(stream, Instruments, ownsStream: false, blockBytes: 4096))
            for (int i = 0; i < 500; i++)
                writer.OnTopOfBook(new TopOfBook(0, i, 100, 5, 101, 6, 0, 1_723_161_253_000_000_000 + i));
        var reader = new StoreReader(new MemoryStream(stream.ToArray()));
        Assert.Null(reader.MinReceiveLagNs());
        Assert.Equal(0, reader.Messages);
    }

    [Fact]
    public void NotAStore_IsRejected()
    {
        Assert.Throws<InvalidDataException>(() => new StoreReader(new MemoryStream("FATHOMRC........"u8.ToArray())));
    }
}
