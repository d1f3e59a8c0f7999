using Fathom.Gateway.Abstractions;

namespace Fathom.Backtest.Venue;

/// <summary>A command on its way to the matching engine, arriving at <see cref="Time"/> (ties run by <see cref="Seq"/>);
/// <see cref="IsCancelAll"/> marks a cancel-all (its id in <see cref="OrderCommand.ClientOrderId"/>).</summary>
internal readonly record struct ScheduledCommand(long Time, long Seq, OrderCommand Command, bool IsCancelAll);
