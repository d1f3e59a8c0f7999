namespace Fathom.Simulator;

/// <summary>The order types the simulator matches (Binance <c>type</c>); stop and take-profit types are not simulated.</summary>
public enum OrderType : byte
{
    Limit,
    Market,
    LimitMaker,
}
