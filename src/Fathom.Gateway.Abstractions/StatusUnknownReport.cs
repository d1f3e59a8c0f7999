namespace Fathom.Gateway.Abstractions;

/// <summary>
/// The gateway does not know what happened to a command: timeout, 5xx, -1006/-1007, or the connection
/// dropped with it in flight. Not a failure: the venue may have acted on it. The order goes Unknown and
/// is resolved by query, never by resending.
/// </summary>
public readonly record struct StatusUnknownReport(
    int InstrumentId, ClientOrderId ClientOrderId, CommandKind Command, UnknownCause Cause, long TimeNs);
