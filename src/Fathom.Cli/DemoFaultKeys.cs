namespace Fathom.Cli;

/// <summary>
/// The demo's fault keys: each sends one command to the simulator child's fault console (<c>fathom sim
/// --fault-console</c>), so a user can watch the engine meet a sequence gap, a dropped feed or order-entry
/// connection, slow acknowledgements or a rate-limit burst, and recover, on the dashboard.
/// </summary>
internal static class DemoFaultKeys
{
    public static readonly IReadOnlyList<(char Key, string Command, string Label)> Keys =
    [
        ('1', "drop-depth 1", "depth gap"),
        ('2', "disconnect", "feed drop"),
        ('3', "disconnect-api", "order-entry drop"),
        ('4', "ack-delay 300", "order answers 300 ms late"),
        ('5', "429 3", "three 429s"),
        ('0', "clear", "faults off"),
    ];

    /// <summary>The fault-console command for <paramref name="key"/>, or null when it is not a fault key.</summary>
    public static string? Command(char key)
    {
        foreach (var (k, command, _) in Keys)
            if (k == key)
                return command;
        return null;
    }

    /// <summary>The key legend for the dashboard (Spectre markup).</summary>
    public static string Legend() =>
        "[grey]faults:[/] " + string.Join("  ", Keys.Select(k => $"[bold]{k.Key}[/] {k.Label}"));
}
