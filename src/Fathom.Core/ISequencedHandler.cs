namespace Fathom.Core;

/// <summary>
/// The core side of the sequencer: receives inputs one at a time, in sequence order.
/// Implement it on a struct (or a sealed class) so the call is devirtualized.
/// </summary>
public interface ISequencedHandler<TInput> where TInput : struct
{
    void OnInput(in InputStamp stamp, in TInput input);
}
