namespace Fathom.Simulator;

/// <summary>A taker fill for the FULL response: raw price and quantity, commission at 8 decimals.</summary>
public readonly record struct Fill(long Price, long Qty, long Commission, string CommissionAsset, long TradeId);
