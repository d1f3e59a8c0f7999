namespace Fathom.Simulator;

/// <summary>A FIFO queue of resting orders at one price (intrusive doubly-linked list: O(1) append and unlink).</summary>
internal sealed class PriceLevel
{
    public long Price;
    public long TotalQty;
    public int Count;
    public SimOrder? Head;
    public SimOrder? Tail;

    public void Append(SimOrder order)
    {
        order.Level = this;
        order.Prev = Tail;
        order.Next = null;
        if (Tail is null)
            Head = order;
        else
            Tail.Next = order;
        Tail = order;
        Count++;
        TotalQty += order.Remaining;
    }

    public void Unlink(SimOrder order)
    {
        if (order.Prev is null) Head = order.Next; else order.Prev.Next = order.Next;
        if (order.Next is null) Tail = order.Prev; else order.Next.Prev = order.Prev;
        order.Prev = order.Next = null;
        order.Level = null;
        Count--;
        TotalQty -= order.Remaining;
    }
}
