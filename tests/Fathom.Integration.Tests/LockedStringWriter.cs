using System.Text;

namespace Fathom.Integration.Tests;

/// <summary>
/// A <see cref="StringWriter"/> a running command writes from its threads while the test reads it (a failure message,
/// a wait on a line): every write and <see cref="ToString"/> take one lock. <c>TextWriter.Synchronized</c> only orders
/// the writers; reading the inner writer beside them raced a write and threw from <see cref="StringBuilder.ToString()"/>.
/// </summary>
internal sealed class LockedStringWriter : StringWriter
{
    private readonly object _gate = new();

    public override void Write(char value) { lock (_gate) base.Write(value); }
    public override void Write(char[] buffer, int index, int count) { lock (_gate) base.Write(buffer, index, count); }
    public override void Write(ReadOnlySpan<char> buffer) { lock (_gate) base.Write(buffer); }
    public override void Write(string? value) { lock (_gate) base.Write(value); }
    public override void Write(StringBuilder? value) { lock (_gate) base.Write(value); }
    public override void WriteLine(ReadOnlySpan<char> buffer) { lock (_gate) base.WriteLine(buffer); }
    public override void WriteLine(string? value) { lock (_gate) base.WriteLine(value); }
    public override void WriteLine(StringBuilder? value) { lock (_gate) base.WriteLine(value); }
    public override string ToString() { lock (_gate) return base.ToString(); }
}
