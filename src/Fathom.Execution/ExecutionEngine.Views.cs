using System.Runtime.CompilerServices;

namespace Fathom.Execution;

public sealed partial class ExecutionEngine
{
    /// <summary>
    /// Copies the instrument's live orders (oldest first) with their client and venue ids into
    /// <paramref name="destination"/>; returns how many. For the metrics server's <c>/orders</c>, under the core lock.
    /// </summary>
    public int LiveOrderViews(int instrumentId, Span<LiveOrderView> destination)
    {
        var inst = _instruments[instrumentId];
        int n = 0;
        for (int k = 0; k < inst.LiveCount && n < destination.Length; k++)
        {
            ref var o = ref _table.Find(inst.Live[k]);
            if (!Unsafe.IsNullRef(ref o))
                destination[n++] = new LiveOrderView(o.ToView(), o.Id, o.CurrentId, o.VenueOrderId, o.IsQuote);
        }
        return n;
    }
}
