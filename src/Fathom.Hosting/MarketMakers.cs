using Fathom.MarketData;
using Fathom.Strategies;
using Fathom.Strategy.Abstractions;

namespace Fathom.Hosting;

/// <summary>
/// One <see cref="MarketMaker"/> per configured instrument behind the engine's single strategy seam.
/// Market data and fills go only to the maker of their instrument (so each behaves exactly as it would
/// alone); starts, timers and stops go to every maker. Nothing is allocated per event.
/// </summary>
public sealed class MarketMakers : IStrategy
{
    private readonly MarketMaker[] _makers;
    private readonly int[] _instrumentIds;

    public MarketMakers(IReadOnlyList<MarketMakerOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Count == 0)
            throw new ArgumentException("at least one instrument is required", nameof(options));
        _makers = [.. options.Select(o => new MarketMaker(o))];
        _instrumentIds = [.. options.Select(o => o.InstrumentId)];
        Name = _makers.Length == 1 ? _makers[0].Name : $"{_makers[0].Name} x{_makers.Length}";
    }

    public string Name { get; }

    public void OnStart(IStrategyContext context)
    {
        foreach (var m in _makers)
            m.OnStart(context);
    }

    public void OnMarketData(IStrategyContext context, int instrumentId)
    {
        for (int i = 0; i < _makers.Length; i++)
            if (_instrumentIds[i] == instrumentId)
                _makers[i].OnMarketData(context, instrumentId);
    }

    public void OnTrade(IStrategyContext context, in Trade trade)
    {
        foreach (var m in _makers)
            m.OnTrade(context, trade);
    }

    public void OnFill(IStrategyContext context, in FillView fill)
    {
        for (int i = 0; i < _makers.Length; i++)
            if (_instrumentIds[i] == fill.InstrumentId)
                _makers[i].OnFill(context, fill);
    }

    public void OnOrderUpdate(IStrategyContext context, in OrderView order)
    {
        foreach (var m in _makers)
            m.OnOrderUpdate(context, order);
    }

    public void OnTimer(IStrategyContext context, int timerId)
    {
        foreach (var m in _makers)
            m.OnTimer(context, timerId);
    }

    public void OnStop(IStrategyContext context)
    {
        foreach (var m in _makers)
            m.OnStop(context);
    }
}
