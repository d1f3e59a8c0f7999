using System.Buffers.Binary;
using System.Text;
using Fathom.Core;
using Fathom.Gateway.Abstractions;

namespace Fathom.Journal;

/// <summary>
/// Field-by-field little-endian encodings of venue reports and order commands for the input journal.
/// Explicit layouts rather than struct memory, so a journal does not depend on field order or padding.
/// Commands encode to the same bytes whenever they are equal: the determinism check compares bytes.
/// </summary>
public static class JournalCodec
{
    /// <summary>Large enough for any report or command (a reject's venue message is cut to fit).</summary>
    public const int MaxSize = 512;

    public static int Encode(in OrderCommand c, Span<byte> d)
    {
        var w = new Writer(d);
        w.U8((byte)c.Kind); w.I32(c.InstrumentId); w.Id(c.ClientOrderId); w.Id(c.OrigClientOrderId); w.Id(c.NewClientOrderId);
        w.I64(c.VenueOrderId); w.U8((byte)c.Side); w.U8((byte)c.Type); w.I64(c.Price.Raw); w.I64(c.Qty.Raw); w.I64(c.IssuedNs);
        return w.Length;
    }

    /// <summary>A readable line for a command encoding (used when a replay differs).</summary>
    public static string DescribeCommand(ReadOnlySpan<byte> s)
    {
        var r = new Reader(s);
        var kind = (CommandKind)r.U8();
        int instrument = r.I32();
        ClientOrderId id = r.Id(), orig = r.Id(), fresh = r.Id();
        long venueId = r.I64();
        var side = (OrderSide)r.U8();
        var type = (OrderType)r.U8();
        long price = r.I64(), qty = r.I64(), issued = r.I64();
        return $"{kind} instrument {instrument} id {id} orig {orig} new {fresh} venue {venueId} {side} {type} price {price} qty {qty} issued {issued}";
    }

    public static int Encode(in AckReport r, Span<byte> d)
    {
        var w = new Writer(d);
        w.I32(r.InstrumentId); w.Id(r.ClientOrderId); w.I64(r.VenueOrderId); w.I64(r.TimeNs);
        return w.Length;
    }

    public static int Encode(in RejectReport r, Span<byte> d)
    {
        var w = new Writer(d);
        w.I32(r.InstrumentId); w.Id(r.ClientOrderId); w.U8((byte)r.Command); w.U8((byte)r.Reason); w.I32(r.VenueCode); w.I64(r.TimeNs);
        w.Text(r.VenueMessage, reserve: 8);
        w.I64(r.RetryAfterNs); // after the text: journals written before the field decode with 0
        return w.Length;
    }

    public static int Encode(in CanceledReport r, Span<byte> d)
    {
        var w = new Writer(d);
        w.I32(r.InstrumentId); w.Id(r.ClientOrderId); w.I64(r.TimeNs);
        return w.Length;
    }

    public static int Encode(in ExpiredReport r, Span<byte> d)
    {
        var w = new Writer(d);
        w.I32(r.InstrumentId); w.Id(r.ClientOrderId); w.I64(r.TimeNs);
        return w.Length;
    }

    public static int Encode(in AmendedReport r, Span<byte> d)
    {
        var w = new Writer(d);
        w.I32(r.InstrumentId); w.Id(r.OrigClientOrderId); w.Id(r.NewClientOrderId); w.I64(r.NewQty.Raw); w.I64(r.TimeNs);
        return w.Length;
    }

    public static int Encode(in StatusUnknownReport r, Span<byte> d)
    {
        var w = new Writer(d);
        w.I32(r.InstrumentId); w.Id(r.ClientOrderId); w.U8((byte)r.Command); w.U8((byte)r.Cause); w.I64(r.TimeNs);
        return w.Length;
    }

    public static int Encode(in OrderStatusReport r, Span<byte> d)
    {
        var w = new Writer(d);
        w.I32(r.InstrumentId); w.Id(r.ClientOrderId); w.U8((byte)r.Status); w.I64(r.VenueOrderId); w.I64(r.CumulativeQty.Raw); w.I64(r.TimeNs);
        w.Id(r.VenueClientOrderId);
        return w.Length;
    }

    public static int Encode(in VenueHealthReport r, Span<byte> d)
    {
        var w = new Writer(d);
        w.U8((byte)r.Kind); w.I32(r.InstrumentId); w.U8((byte)r.Status); w.I64(r.Value); w.I64(r.TimeNs);
        return w.Length;
    }

    public static int Encode(in FillReport r, Span<byte> d)
    {
        var w = new Writer(d);
        w.I32(r.InstrumentId); w.Id(r.ClientOrderId); w.I64(r.VenueOrderId); w.I64(r.TradeId); w.U8((byte)r.Side);
        w.I64(r.Price.Raw); w.I64(r.Qty.Raw); w.I64(r.CumulativeQty.Raw); w.I64(r.Fee); w.I64(r.FeeQty.Raw); w.U8(r.IsMaker ? (byte)1 : (byte)0); w.I64(r.TimeNs);
        return w.Length;
    }

    /// <summary>Delivers the encoded report to the matching <see cref="IReportSink"/> method.</summary>
    public static void Dispatch(JournalReportKind kind, ReadOnlySpan<byte> s, IReportSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        var r = new Reader(s);
        switch (kind)
        {
            case JournalReportKind.Ack:
                sink.OnAck(new AckReport(r.I32(), r.Id(), r.I64(), r.I64()));
                break;
            case JournalReportKind.Reject:
            {
                var reject = new RejectReport(r.I32(), r.Id(), (CommandKind)r.U8(), (RejectReason)r.U8(), r.I32(), VenueMessage: null, r.I64()) with { VenueMessage = r.Text() };
                sink.OnReject(reject with { RetryAfterNs = r.Remaining >= 8 ? r.I64() : 0 });
                break;
            }
            case JournalReportKind.Canceled:
                sink.OnCanceled(new CanceledReport(r.I32(), r.Id(), r.I64()));
                break;
            case JournalReportKind.Expired:
                sink.OnExpired(new ExpiredReport(r.I32(), r.Id(), r.I64()));
                break;
            case JournalReportKind.Amended:
                sink.OnAmended(new AmendedReport(r.I32(), r.Id(), r.Id(), new Qty(r.I64()), r.I64()));
                break;
            case JournalReportKind.StatusUnknown:
                sink.OnStatusUnknown(new StatusUnknownReport(r.I32(), r.Id(), (CommandKind)r.U8(), (UnknownCause)r.U8(), r.I64()));
                break;
            case JournalReportKind.OrderStatus:
                sink.OnOrderStatus(new OrderStatusReport(r.I32(), r.Id(), (VenueOrderStatus)r.U8(), r.I64(), new Qty(r.I64()), r.I64(), r.Id()));
                break;
            case JournalReportKind.Fill:
                sink.OnFill(new FillReport(r.I32(), r.Id(), r.I64(), r.I64(), (OrderSide)r.U8(), new Price(r.I64()), new Qty(r.I64()),
                    new Qty(r.I64()), r.I64(), new Qty(r.I64()), r.U8() != 0, r.I64()));
                break;
            case JournalReportKind.VenueHealth:
                sink.OnVenueHealth(new VenueHealthReport((VenueHealthKind)r.U8(), r.I32(), (InstrumentStatus)r.U8(), r.I64(), r.I64()));
                break;
            default:
                ThrowHelper.ThrowInvalidOperation($"unknown journaled report kind {(int)kind}");
                break;
        }
        if (r.Remaining != 0)
            ThrowHelper.ThrowInvalidOperation($"journaled {kind} report has {r.Remaining} unread bytes: written by a different layout");
    }

    private ref struct Writer(Span<byte> destination)
    {
        private readonly Span<byte> _d = destination;
        public int Length;

        public void U8(byte v) => _d[Length++] = v;
        public void I32(int v) { BinaryPrimitives.WriteInt32LittleEndian(_d[Length..], v); Length += 4; }
        public void I64(long v) { BinaryPrimitives.WriteInt64LittleEndian(_d[Length..], v); Length += 8; }
        public void Id(ClientOrderId id) { BinaryPrimitives.WriteUInt16LittleEndian(_d[Length..], id.Node); Length += 2; BinaryPrimitives.WriteUInt32LittleEndian(_d[Length..], id.Epoch); Length += 4; I64(id.Sequence); }

        /// <summary>Length-prefixed UTF-8, cut to leave <paramref name="reserve"/> bytes for the fields after it.</summary>
        public void Text(string? s, int reserve = 0)
        {
            if (s is null)
            {
                I32(-1);
                return;
            }
            // Cut on a character boundary to fit the buffer; a venue message is informational.
            int room = _d.Length - Length - 4 - reserve;
            int chars = s.Length;
            while (Encoding.UTF8.GetByteCount(s.AsSpan(0, chars)) > room)
                chars = chars * 3 / 4;
            int n = Encoding.UTF8.GetBytes(s.AsSpan(0, chars), _d[(Length + 4)..]);
            I32(n);
            Length += n;
        }
    }

    private ref struct Reader(ReadOnlySpan<byte> source)
    {
        private readonly ReadOnlySpan<byte> _s = source;
        private int _at;

        public readonly int Remaining => _s.Length - _at;
        public byte U8() => _s[_at++];
        public int I32() { int v = BinaryPrimitives.ReadInt32LittleEndian(_s[_at..]); _at += 4; return v; }
        public long I64() { long v = BinaryPrimitives.ReadInt64LittleEndian(_s[_at..]); _at += 8; return v; }

        public ClientOrderId Id()
        {
            ushort node = BinaryPrimitives.ReadUInt16LittleEndian(_s[_at..]);
            uint epoch = BinaryPrimitives.ReadUInt32LittleEndian(_s[(_at + 2)..]);
            _at += 6;
            return new ClientOrderId(node, epoch, I64());
        }

        public string? Text()
        {
            int n = I32();
            if (n < 0)
                return null;
            string s = Encoding.UTF8.GetString(_s.Slice(_at, n));
            _at += n;
            return s;
        }
    }
}
