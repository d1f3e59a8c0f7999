namespace Fathom.Gateway.Abstractions;

/// <summary>
/// The venue refused a command. <see cref="ClientOrderId"/> names the order the command was about
/// (for a cancel or amend, the order being cancelled, not the cancel's id); <see cref="Command"/> says
/// which command failed. <see cref="VenueMessage"/> is built on the gateway's cold path.
/// <see cref="RetryAfterNs"/> is how long the venue asked us to send nothing (HTTP 429/418
/// <c>Retry-After</c>, Binance WS API <c>error.data.retryAfter</c>), counted from when the answer
/// arrived; 0 when the venue gave none. The core holds every command for it.
/// </summary>
public readonly record struct RejectReport(
    int InstrumentId, ClientOrderId ClientOrderId, CommandKind Command, RejectReason Reason,
    int VenueCode, string? VenueMessage, long TimeNs, long RetryAfterNs = 0);
