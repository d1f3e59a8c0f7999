namespace Fathom.Simulator;

/// <summary>Market-flow regimes of the synthetic agents (<see cref="MarketFlow"/>).</summary>
public enum FlowRegime : byte
{
    /// <summary>Steady posting and cancelling near the touch, small occasional takes.</summary>
    Calm,
    /// <summary>Takers lean one way and makers re-quote after them: the price drifts (direction flips at the band edges).</summary>
    Trending,
    /// <summary>Mostly quiet, then bursts of many posts and takes in one step.</summary>
    Bursty,
    /// <summary>Makers pull most of their resting orders near the touch and post little: the book thins, the spread widens.</summary>
    LiquidityWithdrawal,
    /// <summary>Large walls appear a few ticks from the touch and vanish (cancelled) a few steps later, before trading.</summary>
    SpoofWalls,
    /// <summary>Switches between the others at random (seeded) every few dozen steps.</summary>
    Mixed,
}
