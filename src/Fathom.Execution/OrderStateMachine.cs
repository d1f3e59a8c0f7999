using Fathom.Core;

namespace Fathom.Execution;

/// <summary>
/// The one transition table of an order's life (state × event → state), covering the races of
/// FIX 4.4 Appendix D. The engine applies fills to quantities and positions before it asks the table,
/// so a fill is never lost to an illegal edge; the edge itself is then counted and logged.
/// </summary>
public static class OrderStateMachine
{
    public const byte Illegal = 0xFF;
    /// <summary>"Back to working": Accepted when nothing has filled, PartiallyFilled otherwise.</summary>
    public const byte Working = 0xFE;

    private const byte N = (byte)OrderState.New, PN = (byte)OrderState.PendingNew, AC = (byte)OrderState.Accepted,
        PF = (byte)OrderState.PartiallyFilled, FI = (byte)OrderState.Filled, PC = (byte)OrderState.PendingCancel,
        CA = (byte)OrderState.Canceled, PR = (byte)OrderState.PendingReplace, RJ = (byte)OrderState.Rejected,
        EX = (byte)OrderState.Expired, UK = (byte)OrderState.Unknown, X = Illegal, W = Working;

    public static readonly int StateCount = Enum.GetValues<OrderState>().Length;
    public static readonly int EventCount = Enum.GetValues<OrderEvent>().Length;

    // Rows: OrderState; columns: OrderEvent. A cell equal to its row is a benign repeat (counted as a
    // duplicate, not illegal). Non-obvious edges:
    // * PendingNew + PartialFill/Fill: fill before ack — the stream's TRADE can beat the REST response.
    //   The late Ack then lands on PartiallyFilled/Filled/… and is a duplicate.
    // * PendingNew + Canceled: a symbol-wide cancel-all, STP or the venue cancelled it before our ack.
    // * PendingCancel + PartialFill stays PendingCancel (fill after cancel request; the cancel may still
    //   work); + Fill → Filled, and the cancel reject that follows lands on Filled as a duplicate
    //   (cancel rejected because filled).
    // * PendingCancel + CancelReject → Working. A reject saying "unknown order" is not this edge: the
    //   engine maps it to StatusUnknown, because for an order we think live it means we do not know.
    // * PendingReplace + PartialFill stays, + Fill → Filled (replace crossing a fill); the replace's
    //   reject then lands on Filled. + Canceled: a cancel-replace's cancel half took effect.
    // * Canceled/Expired + PartialFill: a late fill. A query can tell us CANCELED before the stream
    //   delivers an earlier fill; the fill is real money and is applied, the state stays.
    // * Canceled/Expired + Fill is illegal: an order the venue closed cannot have completed.
    // * Rejected + Ack/fills: only reachable after NotFoundFinal misjudged an order that did arrive.
    //   Reality wins: the order is tracked again so it can be cancelled.
    // * Unknown takes any outcome (the query or the stream resolves it), never a new request: an order
    //   whose fate is unknown is never resent, cancelled or replaced. NotFound stays Unknown (not proof).
    // * New takes only Submit, and on a restart Adopt (the venue lists an earlier run's order as open:
    //   working) or Recover (the store says open, the venue does not list it: Unknown, so a query
    //   resolves it). A report for an order we never sent is illegal.
    // * Filled/Canceled/Expired + Replaced: the amend took effect, then the order ended before its answer came (a fill
    //   that completed it, a cancel-all). A benign repeat that carries the amend's id, so the stored row names the
    //   venue's order by the id it holds.
    // * Renamed keeps every state but New: it only carries a new current id (an amend we never heard the end of).
    private static readonly byte[,] s_table =
    {
        //          Submit Ack PFill Fill CxlReq CxlRej Cxld RplReq Rpld RplRej Rej Exp StUnk NotFnd NotFndFinal Adopt Recover Renamed
        /* New  */ { PN,   X,  X,    X,   X,     X,     X,   X,     X,   X,     X,  X,  X,    X,     X, W,    UK, X  },
        /* PNew */ { X,    AC, PF,   FI,  X,     X,     CA,  X,     X,   X,     RJ, EX, UK,   X,     X, X,    X,   PN },
        /* Acc  */ { X,    AC, PF,   FI,  PC,    X,     CA,  PR,    X,   X,     X,  EX, X,    X,     X, X,    X,   AC },
        /* PFil */ { X,    PF, PF,   FI,  PC,    X,     CA,  PR,    X,   X,     X,  EX, X,    X,     X, X,    X,   PF },
        /* Fild */ { X,    FI, FI,   FI,  X,     FI,    X,   X,     FI,  FI,    X,  X,  FI,   X,     X, X,    X,   FI },
        /* PCxl */ { X,    PC, PC,   FI,  X,     W,     CA,  X,     X,   X,     X,  EX, UK,   X,     X, X,    X,   PC },
        /* Cxld */ { X,    CA, CA,   X,   X,     CA,    CA,  X,     CA,  CA,    X,  X,  CA,   X,     X, X,    X,   CA },
        /* PRpl */ { X,    PR, PR,   FI,  X,     X,     CA,  X,     W,   W,     X,  EX, UK,   X,     X, X,    X,   PR },
        /* Rej  */ { X,    AC, PF,   FI,  X,     X,     X,   X,     X,   X,     RJ, X,  X,    X,     X, X,    X,   RJ },
        /* Exp  */ { X,    EX, EX,   X,   X,     EX,    X,   X,     EX,  EX,    X,  EX, EX,   X,     X, X,    X,   EX },
        /* Unk  */ { X,    W,  W,    FI,  X,     W,     CA,  X,     W,   W,     RJ, EX, UK,   UK,    RJ, X,   X,   UK },
    };

    /// <summary>The raw table cell (a state, <see cref="Working"/> or <see cref="Illegal"/>), for tests and docs.</summary>
    public static byte Cell(OrderState state, OrderEvent evt) => s_table[(int)state, (int)evt];

    /// <summary>The next state, or false for an illegal edge (state unchanged; the caller counts and logs it).</summary>
    public static bool TryNext(OrderState state, OrderEvent evt, bool hasFills, out OrderState next)
    {
        byte to = s_table[(int)state, (int)evt];
        if (to == Illegal)
        {
            next = state;
            return false;
        }
        next = to == Working ? (hasFills ? OrderState.PartiallyFilled : OrderState.Accepted) : (OrderState)to;
        return true;
    }

    /// <summary>A command is in flight or the order's fate is unknown: nothing may be sent for it.</summary>
    public static bool IsBusy(OrderState s) =>
        s is OrderState.PendingNew or OrderState.PendingCancel or OrderState.PendingReplace or OrderState.Unknown;

    public static bool IsTerminal(OrderState s) =>
        s is OrderState.Filled or OrderState.Canceled or OrderState.Rejected or OrderState.Expired;

    public static bool IsWorking(OrderState s) => s is OrderState.Accepted or OrderState.PartiallyFilled;
}
