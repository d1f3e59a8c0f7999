namespace Fathom.Gateway.Abstractions;

/// <summary>
/// The venue refused a command. <see cref="ClientOrderId"/> names the order the command was about
/// (for a cancel or amend, the order being cancelled, not the cancel's id); <see cref="Command"/> says
/// which command failed. <see cref="VenueMessage"/> is built on the gateway's cold path.
/// </summary>
public readonly record struct RejectReport(
    int InstrumentId, ClientOrderId ClientOrderId, CommandKind Command, RejectReason Reason,
    int VenueCode, string? VenueMessage, long TimeNs);
