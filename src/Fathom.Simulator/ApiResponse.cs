namespace Fathom.Simulator;

/// <summary>An answer before it is written: status, JSON body, and the headers Binance adds.</summary>
public readonly record struct ApiResponse(int Status, byte[] Body, int RetryAfterSeconds = 0, bool OrderCountHeaders = false, int? AccountId = null,
    AckFault Fault = AckFault.None);

/// <summary>What the transport does with an accepted order's answer (fault injection).</summary>
public enum AckFault : byte
{
    None,
    /// <summary>The answer is never sent (REST: the connection is aborted).</summary>
    Drop,
    /// <summary>The answer is held for <see cref="SimulatorFaults.TimeoutHang"/>, then dropped: the client times out.</summary>
    Timeout,
}
