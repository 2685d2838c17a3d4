using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tend.Logging;
using Xunit;

namespace Tend.Cli.Tests;

public sealed class LogTextTests
{
    [Fact]
    public void Escape_PlainText_SameString()
    {
        const string text = "PUT /hosts/web1 = 10.0.0.1 (revision 7) — ünïcode ok";
        Assert.Same(text, LogText.Escape(text));
    }

    [Fact]
    public void Escape_ControlCharactersAndLineSeparators_VisibleEscapes()
    {
        Assert.Equal(@"a\nb\rc\td\e[31me\x00f\x7fg\x85h\u2028i\u2029j", LogText.Escape("a\nb\rc\td\u001b[31me\0f\u007fg\u0085h\u2028i\u2029j"));
    }

    [Fact]
    public void Write_MessageAndExceptionWithNewlines_OneLineAndStackFramesIndented()
    {
        var formatter = new TendConsoleFormatter(new FixedOptionsMonitor<TendConsoleFormatterOptions>(new TendConsoleFormatterOptions { StackTraces = true }));
        var writer = new StringWriter();
        Exception error;
        try
        {
            throw new InvalidOperationException("bad value 'x\n2030-01-01T00:00:00.000Z info  Forged: y'");
        }
        catch (InvalidOperationException ex)
        {
            error = ex;
        }

        var entry = new Microsoft.Extensions.Logging.Abstractions.LogEntry<string>(LogLevel.Warning, "Tend.Test", new EventId(1), "value 'v\nforged'", error, (s, _) => s);
        formatter.Write(in entry, null, writer);

        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(@"warn  Test: value 'v\nforged': bad value 'x\n2030-01-01T00:00:00.000Z info  Forged: y'", lines[0], StringComparison.Ordinal);
        Assert.All(lines.Skip(1), l => Assert.StartsWith("  ", l, StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("System.InvalidOperationException: bad value 'x\\n2030", StringComparison.Ordinal));
    }
}
