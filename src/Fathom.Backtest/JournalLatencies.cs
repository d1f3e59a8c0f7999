using System.Buffers.Binary;
using Fathom.Gateway.Abstractions;
using Fathom.Journal;
using Fathom.MarketData;

namespace Fathom.Backtest;

/// <summary>
/// Reads the order-entry round trips of a real session from its Fathom input journal: for every new order (a place,
/// or a cancel-replace's new leg) the core handed to the gateway, the time from that command to the input that
/// acknowledged it. These are the samples of the <c>journal</c> latency model.
/// </summary>
public static class JournalLatencies
{
    // CommandOut payload (JournalCodec.Encode(OrderCommand)): kind u8, instrument i32, then three ids of 14 bytes
    // (node u16, epoch u32, sequence i64): the command's own, the original's and the new order's.
    private const int IdSize = 14;
    private const int ClientIdOffset = 5;
    private const int NewClientIdOffset = ClientIdOffset + 2 * IdSize;

    /// <summary>
    /// Send→ack latencies in nanoseconds (monotonic stamps of the journal), in journal order. Orders never acknowledged are
    /// left out. Throws <see cref="InvalidDataException"/> naming the file when it is not a journal or a record is malformed.
    /// </summary>
    public static IReadOnlyList<long> ReadAckLatencies(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var sent = new Dictionary<ClientOrderId, long>();
        var latencies = new List<long>();
        CoreJournalReader reader;
        try
        {
            reader = CoreJournalReader.OpenSet(path);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"{path} is not a Fathom journal: {ex.Message}", ex);
        }
        using (reader)
        {
            while (reader.TryRead(out JournalEntry e))
            {
                ReadOnlySpan<byte> p = e.Payload;
                if (e.Kind == RecordKind.CommandOut)
                {
                    if (p.Length < NewClientIdOffset + IdSize)
                        throw new InvalidDataException($"{path}: journal record {e.Sequence}: a command of {p.Length} bytes is too short");
                    var kind = (CommandKind)p[0];
                    if (kind == CommandKind.Place)
                        sent[ReadId(p[ClientIdOffset..])] = e.MonoNs;
                    else if (kind == CommandKind.CancelReplace)
                        sent[ReadId(p[NewClientIdOffset..])] = e.MonoNs;
                }
                else if (e.Kind == RecordKind.VenueReport && (JournalReportKind)e.Arg == JournalReportKind.Ack)
                {
                    if (p.Length < 4 + IdSize)
                        throw new InvalidDataException($"{path}: journal record {e.Sequence}: an ack of {p.Length} bytes is too short");
                    ClientOrderId id = ReadId(p[4..]);
                    if (sent.Remove(id, out long sentNs) && e.MonoNs >= sentNs)
                        latencies.Add(e.MonoNs - sentNs);
                }
            }
            if (reader.Problem is not null)
                throw new InvalidDataException($"{path}: {reader.Problem}");
        }
        return latencies;
    }

    private static ClientOrderId ReadId(ReadOnlySpan<byte> s) => new(
        BinaryPrimitives.ReadUInt16LittleEndian(s),
        BinaryPrimitives.ReadUInt32LittleEndian(s[2..]),
        BinaryPrimitives.ReadInt64LittleEndian(s[6..]));
}
