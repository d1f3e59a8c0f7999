namespace Fathom.Risk;

/// <summary>The one transition table of <see cref="InstrumentGate"/> (gate × trigger → gate), and the views risk reads from a gate.</summary>
public static class InstrumentGateMachine
{
    public const byte Illegal = 0xFF;

    private const byte O = (byte)InstrumentGate.Open, W = (byte)InstrumentGate.Widened, P = (byte)InstrumentGate.Paused,
        C = (byte)InstrumentGate.Cooling, CW = (byte)InstrumentGate.CoolingWidened, CP = (byte)InstrumentGate.CoolingPaused,
        S = (byte)InstrumentGate.Stopped, SW = (byte)InstrumentGate.StoppedWidened, SP = (byte)InstrumentGate.StoppedPaused,
        SC = (byte)InstrumentGate.StoppedCooling, SCW = (byte)InstrumentGate.StoppedCoolingWidened,
        SCP = (byte)InstrumentGate.StoppedCoolingPaused, X = Illegal;

    public static readonly int GateCount = Enum.GetValues<InstrumentGate>().Length;
    public static readonly int TriggerCount = Enum.GetValues<InstrumentGateTrigger>().Length;

    // Rows: InstrumentGate; columns: InstrumentGateTrigger. The volatility columns set the level and keep the
    // holds; the other columns change one hold and keep the level. A cell equal to its row is a benign repeat.
    // Non-obvious edges:
    // * Calm/Widen/Pause may skip a level (Paused + Calm → Open): risk applies the hysteresis when it picks
    //   the column, so a value far below both release levels drops straight to normal.
    // * Cooling + MarkoutBreach stays: the breach renews the cool-down (risk moves its end), it is not news.
    // * MarkoutElapsed on a gate without a cool-down is illegal: risk fires it only when a cool-down ran out.
    // * Stopped + VwapStop is illegal: risk checks the stop only while not stopped.
    // * Flat on a gate without a stop stays: positions go to zero all the time; a markout cool-down is about
    //   the fill's adverse selection, not the position, so flat does not lift it.
    // * OperatorResume clears both holds but keeps the volatility level: the next sample re-derives it anyway.
    private static readonly byte[,] s_table =
    {
        //                       Calm Widen Pause MkBreach MkElapsed VwapStop Flat OpResume
        /* Open           */ { O,   W,    P,    C,       X,        S,       O,   O  },
        /* Widened        */ { O,   W,    P,    CW,      X,        SW,      W,   W  },
        /* Paused         */ { O,   W,    P,    CP,      X,        SP,      P,   P  },
        /* Cooling        */ { C,   CW,   CP,   C,       O,        SC,      C,   O  },
        /* CoolingWidened */ { C,   CW,   CP,   CW,      W,        SCW,     CW,  W  },
        /* CoolingPaused  */ { C,   CW,   CP,   CP,      P,        SCP,     CP,  P  },
        /* Stopped        */ { S,   SW,   SP,   SC,      X,        X,       O,   O  },
        /* StoppedWidened */ { S,   SW,   SP,   SCW,     X,        X,       W,   W  },
        /* StoppedPaused  */ { S,   SW,   SP,   SCP,     X,        X,       P,   P  },
        /* StoppedCooling */ { SC,  SCW,  SCP,  SC,      S,        X,       C,   O  },
        /* StopCoolWiden  */ { SC,  SCW,  SCP,  SCW,     SW,       X,       CW,  W  },
        /* StopCoolPause  */ { SC,  SCW,  SCP,  SCP,     SP,       X,       CP,  P  },
    };

    /// <summary>The raw table cell (a gate or <see cref="Illegal"/>), for tests and docs.</summary>
    public static byte Cell(InstrumentGate gate, InstrumentGateTrigger trigger) => s_table[(int)gate, (int)trigger];

    /// <summary>The next gate, or false when the edge is illegal (gate unchanged; the caller counts and reports it).</summary>
    public static bool TryNext(InstrumentGate gate, InstrumentGateTrigger trigger, out InstrumentGate next)
    {
        byte to = s_table[(int)gate, (int)trigger];
        next = to == Illegal ? gate : (InstrumentGate)to;
        return to != Illegal;
    }

    /// <summary>0 normal, 1 wider and smaller quotes, 2 paused.</summary>
    public static int VolatilityLevel(InstrumentGate gate) => (int)gate % 3;

    /// <summary>The volatility column that sets <paramref name="level"/> (0, 1 or 2).</summary>
    public static InstrumentGateTrigger VolatilityTrigger(int level) => (InstrumentGateTrigger)level;

    /// <summary>A markout cool-down holds the instrument reduce-only.</summary>
    public static bool IsCooling(InstrumentGate gate) => ((int)gate / 3 & 1) != 0;

    /// <summary>A VWAP stop holds the instrument reduce-only until flat.</summary>
    public static bool IsStopped(InstrumentGate gate) => ((int)gate / 3 & 2) != 0;

    /// <summary>Orders that increase |position| may pass the gate (the account state is checked separately).</summary>
    public static bool AllowsIncrease(InstrumentGate gate) => gate is InstrumentGate.Open or InstrumentGate.Widened;

    /// <summary>Volatility paused the instrument: resting orders are cancelled.</summary>
    public static bool IsPaused(InstrumentGate gate) => VolatilityLevel(gate) == 2;
}
