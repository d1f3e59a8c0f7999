namespace Fathom.Backtest.Venue;

/// <summary>
/// Draws the delays of one <see cref="LatencyModel"/> leg: the constant, or a sample picked by a SplitMix64
/// generator seeded with the model's seed. Our own generator, not <see cref="Random"/>, so a seed gives the same
/// draws on every runtime version.
/// </summary>
internal sealed class LatencySampler
{
    private readonly long _constant;
    private readonly long[] _samples;
    private ulong _state;

    public LatencySampler(LatencyModel model, string leg)
    {
        ArgumentNullException.ThrowIfNull(model);
        switch (model.Kind)
        {
            case LatencyKind.Constant:
                if (model.ConstantNs < 0)
                    throw new ArgumentOutOfRangeException(nameof(model), $"{leg} latency: the constant {model.ConstantNs} ns is negative.");
                _constant = model.ConstantNs;
                _samples = [];
                break;
            case LatencyKind.Empirical:
                if (model.SamplesNs is null || model.SamplesNs.Count == 0)
                    throw new ArgumentException($"{leg} latency: an empirical model needs at least one sample.", nameof(model));
                _samples = new long[model.SamplesNs.Count];
                for (int i = 0; i < _samples.Length; i++)
                {
                    long s = model.SamplesNs[i];
                    if (s < 0)
                        throw new ArgumentOutOfRangeException(nameof(model), $"{leg} latency: sample {i} ({s} ns) is negative.");
                    _samples[i] = s;
                }
                _state = model.Seed;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(model), $"{leg} latency: unknown kind {model.Kind}.");
        }
    }

    /// <summary>The next delay in ns.</summary>
    public long Next()
    {
        if (_samples.Length == 0)
            return _constant;
        // SplitMix64 (Steele, Lea, Flood 2014); the index is the high word of r × count, uniform enough for any sample count.
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        ulong index = Math.BigMul(z, (ulong)_samples.Length, out _);
        return _samples[(int)index];
    }
}
