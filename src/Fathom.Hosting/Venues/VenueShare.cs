namespace Fathom.Hosting;

/// <summary>
/// One venue's part of a core on several venues (<see cref="MultiVenue"/>): the venue and the global ids (indices into
/// the setup's specs) of the instruments it trades; the venue sees them as its instruments 0..n-1 in this order.
/// </summary>
public sealed record VenueShare(IVenue Venue, IReadOnlyList<int> Instruments);
