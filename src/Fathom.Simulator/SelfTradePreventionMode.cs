namespace Fathom.Simulator;

/// <summary>Binance STP modes the simulator implements. The taker's mode decides (stp_faq.md).</summary>
public enum SelfTradePreventionMode : byte
{
    None,
    ExpireTaker,
    ExpireMaker,
    ExpireBoth,
}
