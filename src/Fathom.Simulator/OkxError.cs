namespace Fathom.Simulator;

/// <summary>An OKX v5 error: HTTP status (REST), the code as OKX writes it (a string) and its message.</summary>
public readonly record struct OkxError(int HttpStatus, string Code, string Message);
