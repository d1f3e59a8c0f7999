using System.Globalization;
using System.Text;

namespace Fathom.Backtest.Report;

/// <summary>
/// RFC 4180 CSV: CRLF line ends; a field with a comma, a quote, CR or LF is quoted and its quotes doubled.
/// Numbers are written in the invariant culture.
/// </summary>
internal static class CsvText
{
    public static void AppendRow(StringBuilder sb, params ReadOnlySpan<string?> fields)
    {
        for (int i = 0; i < fields.Length; i++)
        {
            if (i > 0)
                sb.Append(',');
            AppendField(sb, fields[i] ?? "");
        }
        sb.Append("\r\n");
    }

    public static void AppendField(StringBuilder sb, string field)
    {
        if (field.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            sb.Append(field);
            return;
        }
        sb.Append('"').Append(field.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }

    public static string Num(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Num(decimal? value) => value is { } v ? Num(v) : "";

    public static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Num(double? value) => value is { } v ? v.ToString("R", CultureInfo.InvariantCulture) : "";

    /// <summary>Writes UTF-8 without a byte-order mark, so equal text gives equal bytes on every platform.</summary>
    public static void WriteFile(string path, string text) => File.WriteAllText(path, text, new UTF8Encoding(false));
}
