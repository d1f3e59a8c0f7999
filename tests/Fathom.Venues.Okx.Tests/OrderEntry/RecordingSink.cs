using Fathom.Gateway.Abstractions;

namespace Fathom.Venues.Okx.Tests.OrderEntry;

/// <summary>Every report the gateway delivered, in order, with waits on a condition (never a fixed delay).</summary>
internal sealed class RecordingSink : IReportSink
{
    private readonly List<object> _reports = [];
    private readonly SemaphoreSlim _changed = new(0);

    public List<object> Reports
    {
        get { lock (_reports) return [.. _reports]; }
    }

    public List<T> Of<T>() => Reports.OfType<T>().ToList();

    /// <summary>When set, a report it matches throws instead of being recorded: a sink (the core) that breaks.</summary>
    public Func<object, bool>? Breaks { get; set; }

    private void Add(object report)
    {
        if (Breaks is { } breaks && breaks(report))
            throw new InvalidOperationException($"the sink broke on {report.GetType().Name}");
        lock (_reports)
            _reports.Add(report);
        _changed.Release();
    }

    public void OnAck(in AckReport report) => Add(report);
    public void OnReject(in RejectReport report) => Add(report);
    public void OnFill(in FillReport report) => Add(report);
    public void OnCanceled(in CanceledReport report) => Add(report);
    public void OnExpired(in ExpiredReport report) => Add(report);
    public void OnAmended(in AmendedReport report) => Add(report);
    public void OnStatusUnknown(in StatusUnknownReport report) => Add(report);
    public void OnOrderStatus(in OrderStatusReport report) => Add(report);
    public void OnVenueHealth(in VenueHealthReport report) => Add(report);

    /// <summary>Waits until a report of type <typeparamref name="T"/> matching <paramref name="match"/> arrived; fails after 10 s.</summary>
    public async Task<T> WaitForAsync<T>(Func<T, bool>? match = null, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            foreach (var r in Of<T>())
                if (match is null || match(r))
                    return r;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
                throw new TimeoutException($"no {typeof(T).Name} matching; reports: {string.Join("; ", Reports)}");
            await _changed.WaitAsync(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
        }
    }
}
