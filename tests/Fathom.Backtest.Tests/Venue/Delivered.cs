namespace Fathom.Backtest.Tests.Venue;

/// <summary>One report as the core received it: what it was and when it arrived (the venue's virtual time).</summary>
public readonly record struct Delivered(object Report, long DeliveredNs);
