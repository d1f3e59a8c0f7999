using Fathom.Journal;

namespace Fathom.Hosting;

/// <summary>
/// Several venues' live feeds run as one (<see cref="MultiVenue"/>): each applies its inputs to its own feed core under
/// the shared core lock, and <see cref="Core"/> (a <see cref="MultiVenueFeedCore"/>) is what the composition sees.
/// </summary>
/// <remarks>
/// <see cref="RunAsync"/> runs every venue's feed until cancelled. One venue's feed ending by itself (a fault, or a run
/// that returned) stops the others and fails the run with that venue's name and error, so the host halts trading
/// (a strategy must not go on quoting on a venue whose market nobody watches any more).
/// </remarks>
public sealed class MultiVenueMarketDataFeed(MultiVenueFeedCore core, IReadOnlyList<IMarketDataFeed> feeds, IReadOnlyList<string> names) : IMarketDataFeed
{
    public IFeedCore Core => core;

    /// <summary>Each venue's feed, in the order of the venues.</summary>
    public IReadOnlyList<IMarketDataFeed> Feeds => feeds;

    public long Disconnects => feeds.Sum(f => f.Disconnects);

    /// <summary>The latest of the venues' last disconnects (each starts with its ISO time), named by venue.</summary>
    public string? LastDisconnect
    {
        get
        {
            string? latest = null;
            int venue = -1;
            for (int v = 0; v < feeds.Count; v++)
                if (feeds[v].LastDisconnect is { } d && (latest is null || string.CompareOrdinal(d, latest) > 0))
                    (latest, venue) = (d, v);
            return latest is null ? null : $"{names[venue]} {latest}";
        }
    }

    public async Task RunAsync(CancellationToken cancel)
    {
        using var all = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        Task[] runs = [.. feeds.Select(f => f.RunAsync(all.Token))];
        Task first = await Task.WhenAny(runs).ConfigureAwait(false);
        int v = Array.IndexOf(runs, first);
        await all.CancelAsync().ConfigureAwait(false);
        foreach (Task run in runs)
        {
            // The others end on the cancel; their own outcome is not the news.
            try { await run.ConfigureAwait(false); }
            catch (Exception ex) when (run != first && ex is not OutOfMemoryException) { }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested) { }
            catch (Exception ex) when (run == first && ex is not OutOfMemoryException)
            {
                throw new InvalidOperationException($"venue {names[v]}'s market-data feed stopped: {ex.GetType().Name}: {ex.Message}", ex);
            }
        }
        if (!cancel.IsCancellationRequested)
            throw new InvalidOperationException($"venue {names[v]}'s market-data feed stopped: its run ended without being asked to");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (IMarketDataFeed feed in feeds)
            await feed.DisposeAsync().ConfigureAwait(false);
    }
}
