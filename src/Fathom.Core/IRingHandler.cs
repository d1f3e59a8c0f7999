namespace Fathom.Core;

/// <summary>Consumer callback for <see cref="MpscRing{T}.Drain{THandler}"/>; implement on a struct.</summary>
public interface IRingHandler<T> where T : struct
{
    void OnItem(in T item);
}
