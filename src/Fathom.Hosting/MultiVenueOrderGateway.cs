using Fathom.Core;
using Fathom.Gateway.Abstractions;

namespace Fathom.Hosting;

/// <summary>
/// Order entry for a core on several venues: each command goes to the gateway of the venue that owns its
/// instrument, with the instrument renumbered to that venue's local id; each report comes back with the core's
/// global id. Queries route the same way. Ready when every venue's gateway is ready.
/// </summary>
/// <remarks>
/// Threading: <see cref="Send(in OrderCommand, long)"/> and <see cref="CancelAll"/> run on the core thread and only
/// copy the command (a struct) before handing it to the venue's gateway, which never blocks. Reports arrive on each
/// venue gateway's threads through its own <see cref="VenueSink"/>, which renumbers and forwards to the engine's sink
/// at once (the engine's sink never blocks, so no lock is held across it but the order-entry health gate, which
/// guards nothing else). Order-entry health is combined: down as soon as one venue's order entry is down, up again only
/// when no venue's is down, so a venue going down is never hidden by another coming up.
/// </remarks>
public sealed class MultiVenueOrderGateway : IOrderGateway
{
    private readonly IOrderGateway[] _gateways;
    private readonly int[] _venueOf;
    private readonly int[] _localOf;
    private readonly IReportSink _sink;
    private readonly Lock _healthGate = new();
    private readonly bool[] _entryDown;

    /// <param name="instruments">Per venue, the global ids of its instruments (local i is <c>instruments[v][i]</c>).</param>
    /// <param name="sink">The engine's sink: every venue's reports reach it with global instrument ids.</param>
    /// <param name="createGateway">Builds venue v's gateway reporting into the sink it is given.</param>
    public MultiVenueOrderGateway(IReadOnlyList<IReadOnlyList<int>> instruments, IReportSink sink, Func<int, IReportSink, IOrderGateway> createGateway)
    {
        ArgumentNullException.ThrowIfNull(instruments);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(createGateway);
        if (instruments.Count == 0)
            throw new ArgumentException("at least one venue is required", nameof(instruments));
        int count = instruments.Sum(v => v.Count);
        _venueOf = new int[count];
        _localOf = new int[count];
        Array.Fill(_venueOf, -1);
        for (int v = 0; v < instruments.Count; v++)
        {
            for (int local = 0; local < instruments[v].Count; local++)
            {
                int g = instruments[v][local];
                if ((uint)g >= (uint)count || _venueOf[g] >= 0)
                    throw new ArgumentException($"venue {v}'s instrument {g} is out of range 0..{count - 1} or owned by another venue", nameof(instruments));
                _venueOf[g] = v;
                _localOf[g] = local;
            }
        }
        _sink = sink;
        _entryDown = new bool[instruments.Count];
        _gateways = new IOrderGateway[instruments.Count];
        try
        {
            for (int v = 0; v < instruments.Count; v++)
                _gateways[v] = createGateway(v, new VenueSink(this, v, [.. instruments[v]]));
        }
        catch
        {
            foreach (IOrderGateway? g in _gateways)
                g?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    /// <summary>Each venue's gateway, in the order given.</summary>
    public IReadOnlyList<IOrderGateway> Venues => _gateways;

    public bool IsReady
    {
        get
        {
            foreach (IOrderGateway g in _gateways)
                if (!g.IsReady)
                    return false;
            return true;
        }
    }

    public long Reconnects
    {
        get
        {
            long n = 0;
            foreach (IOrderGateway g in _gateways)
                n += g.Reconnects;
            return n;
        }
    }

    /// <summary>Logs every venue on (concurrently); completes when all can take orders, fails when one cannot.</summary>
    public Task StartAsync(CancellationToken cancel) => Task.WhenAll(_gateways.Select(g => g.StartAsync(cancel)));

    public void Send(in OrderCommand command) => Send(command, 0);

    /// <summary>The instrument's venue sends the command in its own numbering; returns that venue's hand-off stamp (see <see cref="IOrderEntry.Send(in OrderCommand, long)"/>).</summary>
    public long Send(in OrderCommand command, long triggerStampNs)
    {
        int g = command.InstrumentId;
        if ((uint)g >= (uint)_venueOf.Length)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(command), $"command for instrument {g}: the core has instruments 0..{_venueOf.Length - 1}");
        return _gateways[_venueOf[g]].Send(Renumber(command, _localOf[g]), triggerStampNs);
    }

    /// <summary>The instrument's venue rehearses the command in its own numbering (see <see cref="IOrderEntry.Rehearse"/>).</summary>
    public void Rehearse(in OrderCommand command)
    {
        int g = command.InstrumentId;
        if ((uint)g < (uint)_venueOf.Length)
            _gateways[_venueOf[g]].Rehearse(Renumber(command, _localOf[g]));
    }

    /// <summary>Every venue hears that the input's commands are handed over (each keeps its own deferred samples).</summary>
    public void CommandsHandedOver()
    {
        foreach (IOrderGateway g in _gateways)
            g.CommandsHandedOver();
    }

    public void CancelAll(int instrumentId, ClientOrderId cancelId)
    {
        if ((uint)instrumentId >= (uint)_venueOf.Length)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(instrumentId), $"cancel-all for instrument {instrumentId}: the core has instruments 0..{_venueOf.Length - 1}");
        _gateways[_venueOf[instrumentId]].CancelAll(_localOf[instrumentId], cancelId);
    }

    public async Task<IReadOnlyList<VenueOpenOrder>> GetOpenOrdersAsync(int instrumentId, CancellationToken cancel)
    {
        CheckInstrument(instrumentId);
        var orders = await _gateways[_venueOf[instrumentId]].GetOpenOrdersAsync(_localOf[instrumentId], cancel).ConfigureAwait(false);
        return [.. orders.Select(o => o with { Status = o.Status with { InstrumentId = instrumentId } })];
    }

    public async Task<IReadOnlyList<FillReport>> GetTradesAsync(int instrumentId, long fromTradeIdExclusive, CancellationToken cancel)
    {
        CheckInstrument(instrumentId);
        var fills = await _gateways[_venueOf[instrumentId]].GetTradesAsync(_localOf[instrumentId], fromTradeIdExclusive, cancel).ConfigureAwait(false);
        return [.. fills.Select(f => f with { InstrumentId = instrumentId })];
    }

    /// <summary>
    /// Every venue's balances, one list: an asset held on two venues appears twice, and restart reconciliation's
    /// balance check adds them up (the position of a base asset traded on several venues is their sum).
    /// </summary>
    public async Task<IReadOnlyList<VenueBalance>> GetBalancesAsync(CancellationToken cancel)
    {
        var all = await Task.WhenAll(_gateways.Select(g => g.GetBalancesAsync(cancel))).ConfigureAwait(false);
        return [.. all.SelectMany(b => b)];
    }

    public async ValueTask DisposeAsync()
    {
        foreach (IOrderGateway g in _gateways)
            await g.DisposeAsync().ConfigureAwait(false);
    }

    private void CheckInstrument(int instrumentId)
    {
        if ((uint)instrumentId >= (uint)_venueOf.Length)
            throw new ArgumentOutOfRangeException(nameof(instrumentId), instrumentId, $"the core has instruments 0..{_venueOf.Length - 1}");
    }

    /// <summary>The command with its instrument replaced by <paramref name="local"/> (every other field kept, no allocation).</summary>
    internal static OrderCommand Renumber(in OrderCommand c, int local) => c.Kind switch
    {
        CommandKind.Place => OrderCommand.From(c.AsPlace() with { InstrumentId = local }, c.IssuedNs),
        CommandKind.Cancel => OrderCommand.From(c.AsCancel() with { InstrumentId = local }, c.IssuedNs),
        CommandKind.CancelReplace => OrderCommand.From(c.AsCancelReplace() with { InstrumentId = local }, c.IssuedNs),
        CommandKind.AmendQty => OrderCommand.From(c.AsAmendQty() with { InstrumentId = local }, c.IssuedNs),
        CommandKind.Query => OrderCommand.From(c.AsQuery() with { InstrumentId = local }, c.IssuedNs),
        _ => throw new ArgumentOutOfRangeException(nameof(c), c.Kind, "unknown command kind"),
    };

    /// <summary>
    /// Order entry of venue <paramref name="venue"/> went up or down: the engine hears the combined state, up only
    /// while no venue's order entry is down (a venue that never reported is taken as up, as the engine takes a
    /// single venue). Under the gate so two venues' reports cannot pass each other between deciding and reporting.
    /// </summary>
    private void OnOrderEntry(int venue, bool up, long timeNs)
    {
        lock (_healthGate)
        {
            _entryDown[venue] = !up;
            bool anyDown = Array.IndexOf(_entryDown, true) >= 0;
            _sink.OnVenueHealth(VenueHealthReport.OrderEntry(!anyDown, timeNs));
        }
    }

    /// <summary>One venue's reports, renumbered to the core's instrument ids.</summary>
    private sealed class VenueSink(MultiVenueOrderGateway owner, int venue, int[] globalIds) : IReportSink
    {
        private readonly IReportSink _sink = owner._sink;

        // A local id the venue's gateway does not have is a gateway bug: fail where it happens, loudly.
        private int Global(int local) => (uint)local < (uint)globalIds.Length
            ? globalIds[local]
            : throw new InvalidOperationException($"venue {venue}'s gateway reported instrument {local}; it has instruments 0..{globalIds.Length - 1}");

        public void OnAck(in AckReport report) => _sink.OnAck(report with { InstrumentId = Global(report.InstrumentId) });
        public void OnReject(in RejectReport report) => _sink.OnReject(report with { InstrumentId = Global(report.InstrumentId) });
        public void OnFill(in FillReport report) => _sink.OnFill(report with { InstrumentId = Global(report.InstrumentId) });
        public void OnCanceled(in CanceledReport report) => _sink.OnCanceled(report with { InstrumentId = Global(report.InstrumentId) });
        public void OnExpired(in ExpiredReport report) => _sink.OnExpired(report with { InstrumentId = Global(report.InstrumentId) });
        public void OnAmended(in AmendedReport report) => _sink.OnAmended(report with { InstrumentId = Global(report.InstrumentId) });
        public void OnStatusUnknown(in StatusUnknownReport report) => _sink.OnStatusUnknown(report with { InstrumentId = Global(report.InstrumentId) });
        public void OnOrderStatus(in OrderStatusReport report) => _sink.OnOrderStatus(report with { InstrumentId = Global(report.InstrumentId) });

        public void OnVenueHealth(in VenueHealthReport report)
        {
            switch (report.Kind)
            {
                case VenueHealthKind.OrderEntryUp:
                case VenueHealthKind.OrderEntryDown:
                    owner.OnOrderEntry(venue, report.Kind == VenueHealthKind.OrderEntryUp, report.TimeNs);
                    break;
                case VenueHealthKind.InstrumentStatus:
                    _sink.OnVenueHealth(report with { InstrumentId = Global(report.InstrumentId) });
                    break;
                default:
                    _sink.OnVenueHealth(report);
                    break;
            }
        }
    }
}
