namespace Fathom.Simulator;

/// <summary>Ends an OKX request with <see cref="Error"/> as the whole answer (not a per-order <c>sCode</c>).</summary>
internal sealed class OkxException(OkxError error) : Exception(error.Message)
{
    public OkxError Error { get; } = error;
}
