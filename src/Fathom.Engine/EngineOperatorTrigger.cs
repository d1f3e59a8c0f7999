namespace Fathom.Engine;

/// <summary>What moves <see cref="EngineOperatorState"/>: the columns of <see cref="EngineOperatorStateMachine"/>'s table.</summary>
public enum EngineOperatorTrigger : byte
{
    /// <summary><see cref="TradingEngine.Start"/>, or a journaled start.</summary>
    Start = 0,
    /// <summary><see cref="TradingEngine.Stop"/>, after the strategy's OnStop.</summary>
    Stop,
    /// <summary><see cref="TradingEngine.Pause"/>.</summary>
    Pause,
    /// <summary><see cref="TradingEngine.Resume"/>: ends a pause or a flatten.</summary>
    Resume,
    /// <summary><see cref="TradingEngine.Flatten"/>.</summary>
    Flatten,
    /// <summary>Every position is flat: the flatten is done.</summary>
    FlattenDone,
    /// <summary>A strategy callback threw.</summary>
    StrategyFault,
}
