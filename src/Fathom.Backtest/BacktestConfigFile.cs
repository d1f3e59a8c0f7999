using System.Text.Json;

namespace Fathom.Backtest;

// The JSON shape of `fathom backtest --config` (camelCase; unknown properties are rejected). Every member is
// nullable so the validation can tell "missing" from "zero" and name what is missing. Decimal amounts (prices,
// quantities, fees) are JSON strings, never numbers, so no value goes through a binary float. The strategy,
// the instruments' limits and the risk section are the run config's sections (RunConfigFile), validated by
// RunConfig itself, so they read and fail the same way in `fathom run` and `fathom backtest`.

/// <summary>The whole file.</summary>
internal sealed class BacktestConfigFile
{
    public JsonElement? Strategy { get; set; }
    public List<BacktestInstrumentSection?>? Instruments { get; set; }
    public JsonElement? Risk { get; set; }
    public List<BacktestDataSection?>? Data { get; set; }
    public FeedLatencySection? FeedLatency { get; set; }
    public LatencySection? OrderEntryLatency { get; set; }
    public LatencySection? ResponseLatency { get; set; }
    public string? Queue { get; set; }
    public VenueLimitsSection? VenueLimits { get; set; }
    public string? Start { get; set; }
    public string? End { get; set; }
    public double? MarkIntervalMs { get; set; }
    public double? TimerPeriodMs { get; set; }
}

/// <summary>One instrument: the run config's symbol, assets and limits, plus the filters and fees a venue would give.</summary>
internal sealed class BacktestInstrumentSection
{
    public string? Symbol { get; set; }
    public string? BaseAsset { get; set; }
    public string? QuoteAsset { get; set; }
    public string? TickSize { get; set; }
    public string? StepSize { get; set; }
    public string? MinQty { get; set; }
    public string? MinNotional { get; set; }
    public string? MakerFee { get; set; }
    public string? TakerFee { get; set; }
    public JsonElement? Limits { get; set; }
}

/// <summary>Recorded data: its kind and files (relative to the config file's folder).</summary>
internal sealed class BacktestDataSection
{
    public string? Kind { get; set; }
    public string? Symbol { get; set; }
    public List<string?>? Files { get; set; }
    public int? SnapshotDepth { get; set; }
}

internal sealed class FeedLatencySection
{
    public string? Model { get; set; }
    public double? Ms { get; set; }
}

internal sealed class LatencySection
{
    public string? Model { get; set; }
    public double? Ms { get; set; }
    public List<double>? SamplesMs { get; set; }
    public ulong? Seed { get; set; }
    public string? Path { get; set; }
    public double? Fraction { get; set; }
}

internal sealed class VenueLimitsSection
{
    public int? OrdersPer10s { get; set; }
    public int? OrdersPerDay { get; set; }
}
