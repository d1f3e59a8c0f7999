using Fathom.Gateway.Abstractions;

namespace Fathom.Backtest.Venue;

/// <summary>A command on its way to the matching engine; <see cref="IsCancelAll"/> marks a cancel-all (its id in
/// <see cref="OrderCommand.ClientOrderId"/>).</summary>
internal readonly record struct ScheduledCommand(OrderCommand Command, bool IsCancelAll);
