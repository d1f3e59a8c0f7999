namespace Fathom.Core;

/// <summary>The side of an order or fill, from our point of view.</summary>
public enum OrderSide : byte
{
    Buy = 0,
    Sell = 1,
}
