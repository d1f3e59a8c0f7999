using Fathom.Core;
using Fathom.Engine;
using Fathom.Gateway.Abstractions;
using Fathom.Hosting;
using Fathom.Journal;
using Fathom.MarketData;
using Fathom.Strategies;
using Xunit;

namespace Fathom.Integration.Tests;

/// <summary>How <see cref="OrderEntryWatch"/> reports failed clock re-syncs: each new reason once, a repeat at most once a minute.</summary>
public sealed class OrderEntryWatchTests
{
    /// <summary>A venue that only answers the watch's questions.</summary>
    private sealed class ClockVenue : IVenue
    {
        public ClockSyncFailures Failures;
        public string Name => "clock";
        public IMarketDataFeed CreateMarketData(IReadOnlyList<InstrumentSpec> specs, Lock coreLock, Action<SyncTransition>? observer) => throw new NotSupportedException();
        public IOrderGateway CreateOrderEntry(IReportSink sink, ClientOrderIdFormat format, EngineLatency? latency) => throw new NotSupportedException();
        public CoreWarmup.Result WarmUp(CoreSetup setup, int frames, StrategyCatalog? catalog) => throw new NotSupportedException();
        public Exception? OrderEntryFault => null;
        public Exception? OrderEntryReconnectError => null;
        public ClockSyncFailures OrderEntryClockSyncFailures => Failures;
    }

    [Fact]
    public void ClockSyncFailures_EachNewReasonOnce_TheSameReasonAgainOnlyAfterAMinute()
    {
        var venue = new ClockVenue();
        var said = new List<string>();
        var watch = new OrderEntryWatch(venue, halted: _ => throw new InvalidOperationException("no fault here"), warning: said.Add);
        var timeout = new TimeoutException("time failed: timed out");

        watch.ReportClockSyncFailures(0);
        Assert.Empty(said); // none failed

        venue.Failures = new ClockSyncFailures(1, timeout);
        watch.ReportClockSyncFailures(1_000);
        Assert.Equal(["order entry clock re-sync failed (1 so far): time failed: timed out (orders may be refused for their timestamp until a sync succeeds)"], said);

        watch.ReportClockSyncFailures(2_000); // nothing new failed
        venue.Failures = new ClockSyncFailures(5, timeout);
        watch.ReportClockSyncFailures(30_000); // the same reason within the minute
        Assert.Single(said);

        venue.Failures = new ClockSyncFailures(6, new InvalidOperationException("time failed: status 500"));
        watch.ReportClockSyncFailures(31_000); // a new reason at once
        Assert.Equal(2, said.Count);
        Assert.Contains("(6 so far): time failed: status 500", said[1]);

        venue.Failures = new ClockSyncFailures(7, new InvalidOperationException("time failed: status 500"));
        watch.ReportClockSyncFailures(31_000 + OrderEntryWatch.ClockRepeatMs); // the same reason, a minute on
        Assert.Equal(3, said.Count);
        Assert.Contains("(7 so far)", said[2]);
    }
}
