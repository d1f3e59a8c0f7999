using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using ZLogger;

namespace Fathom.Hosting.Run;

/// <summary>
/// The host's lifecycle log: <c>Microsoft.Extensions.Logging</c> with ZLogger's providers (UTF-8, no
/// per-message allocation, written on ZLogger's background thread). Levels come from the configuration's
/// <c>logging:logLevel</c> section (default Information); sinks from <see cref="RunLogging"/>. Nothing on
/// the core's per-event path logs: transitions are buffered by the engine host and logged from the status loop.
/// </summary>
internal static class HostLogging
{
    /// <summary>The category of every host lifecycle message.</summary>
    public const string Category = "Fathom.Host";

    public static ILoggerFactory Create(RunLogging sinks, IConfiguration configuration, Action<ILoggingBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(sinks);
        ArgumentNullException.ThrowIfNull(configuration);
        foreach (string? file in new[] { sinks.File, sinks.JsonFile })
            if (Path.GetDirectoryName(file) is { Length: > 0 } dir)
                Directory.CreateDirectory(dir);
        return LoggerFactory.Create(builder =>
        {
            builder.SetMinimumLevel(LogLevel.Information);
            builder.AddConfiguration(configuration.GetSection("logging"));
            if (sinks.Console)
                builder.AddZLoggerConsole(o =>
                {
                    // stdout carries the status lines: the log goes to stderr.
                    o.LogToStandardErrorThreshold = LogLevel.Trace;
                    Plain(o);
                });
            if (sinks.File is { } path)
                builder.AddZLoggerFile(path, Plain);
            if (sinks.JsonFile is { } json)
                builder.AddZLoggerFile(json, o => o.UseJsonFormatter());
            configure?.Invoke(builder);
        });
    }

    /// <summary>One line per message: UTC time, level, category, message.</summary>
    private static void Plain(ZLoggerOptions options) =>
        options.UsePlainTextFormatter(f => f.SetPrefixFormatter($"{0:yyyy-MM-ddTHH:mm:ss.fffZ} {1:short} {2}: ",
            (in MessageTemplate template, in LogInfo info) => template.Format(info.Timestamp.Utc, info.LogLevel, info.Category)));
}
