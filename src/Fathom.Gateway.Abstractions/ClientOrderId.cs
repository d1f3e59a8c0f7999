namespace Fathom.Gateway.Abstractions;

/// <summary>
/// One of our client order ids in numeric form: the node and epoch that issued it and a sequence
/// number that is never reused (blocks are reserved durably before use). The text form is
/// <see cref="ClientOrderIdFormat"/>'s business; inside the core ids stay numbers.
/// </summary>
/// <remarks>Invariant: a real id has <see cref="Sequence"/> ≥ 1; <c>default</c> means "none".</remarks>
public readonly record struct ClientOrderId(ushort Node, uint Epoch, long Sequence)
{
    public static ClientOrderId None => default;
    public bool IsNone => Sequence == 0;

    public override string ToString() => $"n{Node}e{Epoch}s{Sequence}";
}
