using System.Globalization;
using Tend.Templates.Formatting;

namespace Tend.Templates.Execution;

/// <summary>Writes action results the way Go's printValue does (fmt.Fprint of the value).</summary>
internal static class Output
{
    public static void PrintValue(TextWriter w, object? v)
    {
        switch (v)
        {
            case null:
                w.Write("<no value>");
                return;
            case string str:
                w.Write(str);
                return;
            case long l:
                {
                    Span<char> buf = stackalloc char[24];
                    l.TryFormat(buf, out int n, default, CultureInfo.InvariantCulture);
                    w.Write(buf[..n]);
                    return;
                }
            case bool b:
                w.Write(b ? "true" : "false");
                return;
        }
        var p = GoPrinter.Rent();
        p.PrintArg(v, 'v');
        foreach (var chunk in p.Buffer.GetChunks())
        {
            w.Write(chunk.Span);
        }
        p.Return();
    }

    /// <summary>fmt.Sprint of one value (used inside error messages).</summary>
    public static string Sprint(object? v) => GoPrinter.Sprint([v]);
}
