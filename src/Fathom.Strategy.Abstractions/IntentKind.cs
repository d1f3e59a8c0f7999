namespace Fathom.Strategy.Abstractions;

/// <summary>What a strategy asks for. Execution turns intents into orders; risk checks every order.</summary>
public enum IntentKind : byte
{
    /// <summary>Keep a two-sided (or one-sided) quote resting at these prices and sizes.</summary>
    Quote = 1,
    /// <summary>Cancel every resting order of this strategy on the instrument.</summary>
    CancelAll = 2,
    /// <summary>Trade toward a target position, never paying through a limit price.</summary>
    TargetPosition = 3,
    /// <summary>Take liquidity now (immediate-or-cancel) up to a limit price.</summary>
    Take = 4,
}
