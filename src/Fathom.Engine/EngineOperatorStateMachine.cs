namespace Fathom.Engine;

/// <summary>The one transition table of <see cref="EngineOperatorState"/> (state × trigger → state), and its views.</summary>
public static class EngineOperatorStateMachine
{
    public const byte Illegal = 0xFF;

    // S = stopped, R = started, F = strategy faulted; the digit is the mode (0 trading, 1 paused, 2 flattening).
    private const byte S0 = (byte)EngineOperatorState.Stopped, S1 = (byte)EngineOperatorState.StoppedPaused,
        S2 = (byte)EngineOperatorState.StoppedFlattening, R0 = (byte)EngineOperatorState.Running,
        R1 = (byte)EngineOperatorState.Paused, R2 = (byte)EngineOperatorState.Flattening,
        FS0 = (byte)EngineOperatorState.StoppedFaulted, FS1 = (byte)EngineOperatorState.StoppedFaultedPaused,
        FS2 = (byte)EngineOperatorState.StoppedFaultedFlattening, FR0 = (byte)EngineOperatorState.Faulted,
        FR1 = (byte)EngineOperatorState.FaultedPaused, FR2 = (byte)EngineOperatorState.FaultedFlattening, X = Illegal;

    public static readonly int StateCount = Enum.GetValues<EngineOperatorState>().Length;
    public static readonly int TriggerCount = Enum.GetValues<EngineOperatorTrigger>().Length;

    // Rows: EngineOperatorState; columns: EngineOperatorTrigger. Start/Stop change only started, Pause/Resume/
    // Flatten/FlattenDone only the mode, StrategyFault only faulted. A cell equal to its row is a benign repeat.
    // Non-obvious edges:
    // * Start while started is a repeat: Start() moves the state before it queues the journaled start (so a
    //   second Start() cannot queue another), and the journaled start then lands on Running. A replay, which
    //   has only the journaled one, makes the same single edge.
    // * Start while paused keeps the pause: the strategy is not called, OnStart included, until Resume.
    // * Stop while stopped is a repeat (its cancels still go out); Stop keeps the mode, so a flatten goes on.
    // * Pause while flattening stays flattening: the flatten keeps trading; only Resume ends it.
    // * Resume never clears a strategy fault: a strategy that threw is not called again in this process.
    // * FlattenDone outside a flatten is illegal: the engine checks for flat only while flattening.
    // * StrategyFault is legal only from Running: in every other state the strategy is not called, so it
    //   cannot throw.
    private static readonly byte[,] s_table =
    {
        //                        Start Stop Pause Resume Flatten FlattenDone StrategyFault
        /* Stopped            */ { R0,   S0,  S1,   S0,    S2,     X,          X   },
        /* StoppedPaused      */ { R1,   S1,  S1,   S0,    S2,     X,          X   },
        /* StoppedFlattening  */ { R2,   S2,  S2,   S0,    S2,     S1,         X   },
        /* Running            */ { R0,   S0,  R1,   R0,    R2,     X,          FR0 },
        /* Paused             */ { R1,   S1,  R1,   R0,    R2,     X,          X   },
        /* Flattening         */ { R2,   S2,  R2,   R0,    R2,     R1,         X   },
        /* StoppedFaulted     */ { FR0,  FS0, FS1,  FS0,   FS2,    X,          X   },
        /* StoppedFaultedPau  */ { FR1,  FS1, FS1,  FS0,   FS2,    X,          X   },
        /* StoppedFaultedFla  */ { FR2,  FS2, FS2,  FS0,   FS2,    FS1,        X   },
        /* Faulted            */ { FR0,  FS0, FR1,  FR0,   FR2,    X,          X   },
        /* FaultedPaused      */ { FR1,  FS1, FR1,  FR0,   FR2,    X,          X   },
        /* FaultedFlattening  */ { FR2,  FS2, FR2,  FR0,   FR2,    FR1,        X   },
    };

    /// <summary>The raw table cell (a state or <see cref="Illegal"/>), for tests and docs.</summary>
    public static byte Cell(EngineOperatorState state, EngineOperatorTrigger trigger) => s_table[(int)state, (int)trigger];

    /// <summary>The next state, or false when the edge is illegal (state unchanged; the caller counts it).</summary>
    public static bool TryNext(EngineOperatorState state, EngineOperatorTrigger trigger, out EngineOperatorState next)
    {
        byte to = s_table[(int)state, (int)trigger];
        next = to == Illegal ? state : (EngineOperatorState)to;
        return to != Illegal;
    }

    /// <summary>Started and not stopped since: market data reaches the core.</summary>
    public static bool IsStarted(EngineOperatorState s) => (int)s % 6 >= 3;

    /// <summary>Paused or flattening (a flatten pauses the strategy).</summary>
    public static bool IsPaused(EngineOperatorState s) => (int)s % 3 != 0;

    public static bool IsFlattening(EngineOperatorState s) => (int)s % 3 == 2;

    /// <summary>The strategy threw and is never called again.</summary>
    internal static bool IsStrategyFaulted(EngineOperatorState s) => (int)s >= 6;

    /// <summary>The strategy may be called: <see cref="EngineOperatorState.Running"/> only.</summary>
    public static bool CallsStrategy(EngineOperatorState s) => s == EngineOperatorState.Running;
}
