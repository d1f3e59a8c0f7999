using Fathom.Core;

namespace Fathom.Execution;

/// <summary>One applied (or refused, when <see cref="Illegal"/>) edge of an order's state machine, for logs and the journal.</summary>
public readonly record struct OrderTransition(
    long OrderSeq, int InstrumentId, OrderState From, OrderEvent Event, OrderState To, bool Illegal, long TimeNs)
{
    public override string ToString() =>
        $"order {OrderSeq} (instrument {InstrumentId}): {From} + {Event} -> {(Illegal ? "ILLEGAL" : To.ToString())} at {TimeNs} ns";
}
