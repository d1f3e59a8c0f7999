namespace Fathom.Backtest;

/// <summary>How the simulated venue behaves: latencies, queue position, fees and limits (the instruments' filters come
/// from their <c>InstrumentSpec</c>).</summary>
/// <param name="OrderEntry">From the core's send to the order reaching the matching engine.</param>
/// <param name="Response">From the matching engine to its report (ack, fill, cancel, reject) reaching the core.</param>
/// <param name="Queue">Where our resting orders stand in the recorded queue and how it moves.</param>
/// <param name="Fees">Per instrument (index = instrument id).</param>
/// <param name="Limits">The venue's order-rate limits.</param>
public sealed record VenueModel(
    LatencyModel OrderEntry,
    LatencyModel Response,
    QueueModel Queue,
    IReadOnlyList<FeeRates> Fees,
    VenueLimits Limits);

public enum LatencyKind : byte
{
    /// <summary>Every delay is <see cref="LatencyModel.ConstantNs"/>.</summary>
    Constant = 0,
    /// <summary>Each delay is drawn from <see cref="LatencyModel.SamplesNs"/> by a PRNG seeded with <see cref="LatencyModel.Seed"/>
    /// (a distribution, or the ack latencies of a real session read from a Fathom journal).</summary>
    Empirical = 1,
}

/// <summary>One latency leg. Draws are deterministic: the same model and the same sequence of calls give the same delays.</summary>
public sealed record LatencyModel(LatencyKind Kind, long ConstantNs, IReadOnlyList<long> SamplesNs, ulong Seed)
{
    public static LatencyModel Constant(long ns) => new(LatencyKind.Constant, ns, [], 0);
    public static LatencyModel Empirical(IReadOnlyList<long> samplesNs, ulong seed) => new(LatencyKind.Empirical, 0, samplesNs, seed);
}

public enum QueueKind : byte
{
    /// <summary>hftbacktest's risk-averse model: our order fills only after the whole quantity ahead of it has traded;
    /// cancellations are assumed to come from behind us.</summary>
    RiskAverse = 0,
    /// <summary>hftbacktest's probabilistic model with f(x) = x^n: a level decrease not explained by trades comes from
    /// ahead of us with probability f(back) / (f(back) + f(front)).</summary>
    PowerProbability = 1,
    /// <summary>As <see cref="PowerProbability"/> with f(x) = log(1 + x).</summary>
    LogProbability = 2,
}

/// <param name="Exponent">n of <see cref="QueueKind.PowerProbability"/> (ignored otherwise).</param>
public sealed record QueueModel(QueueKind Kind, double Exponent = 3);

/// <summary>Fee rates as fractions of notional (0.001 = 10 bp); negative for a rebate.</summary>
public sealed record FeeRates(decimal Maker, decimal Taker);

/// <summary>Binance spot's defaults: 50 orders per 10 s and 160 000 per day per account; over either, -1015.</summary>
public sealed record VenueLimits(int OrdersPer10s = 50, int OrdersPerDay = 160_000);
