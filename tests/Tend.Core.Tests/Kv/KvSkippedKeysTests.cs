using Microsoft.Extensions.Logging;
using Tend.Core.Kv;
using Xunit;

namespace Tend.Core.Tests.Kv;

public sealed class KvSkippedKeysTests
{
    [Fact]
    public void Report_SameKeyTwice_CountedTwiceLoggedOnce()
    {
        var log = new ListLogger();
        var skipped = new KvSkippedKeys(log);

        skipped.Report("/a//b", "it has an empty segment ('//')");
        skipped.Report("/a//b", "it has an empty segment ('//')");
        skipped.Report("/c/../d", "it has a '..' segment");

        Assert.Equal(3, skipped.Count);
        Assert.Equal("/c/../d", skipped.LastKey);
        Assert.Equal(2, log.Lines.Count);
        Assert.Contains("\"/a//b\"", log.Lines[0], StringComparison.Ordinal);
        Assert.Contains("empty segment", log.Lines[0], StringComparison.Ordinal);
        Assert.All(log.Lines, l => Assert.StartsWith("Warning ", l, StringComparison.Ordinal));
    }

    [Fact]
    public void Report_KeyWithNewlineAndEscapes_CannotForgeALogLine()
    {
        var log = new ListLogger();
        var skipped = new KvSkippedKeys(log);

        skipped.Report("/a//b\nINFO forged line\u001b[2J", "it has an empty segment ('//')");

        Assert.DoesNotContain('\n', log.Lines[0]);
        Assert.DoesNotContain('\u001b', log.Lines[0]);
        Assert.Contains(@"/a//b\u000aINFO forged line\u001b[2J", log.Lines[0], StringComparison.Ordinal);
        Assert.Equal(@"/a//b\u000aINFO forged line\u001b[2J", skipped.LastKey);
    }

    [Fact]
    public void Report_ManyDistinctKeys_LogStaysBoundedCountDoesNot()
    {
        var log = new ListLogger();
        var skipped = new KvSkippedKeys(log);

        for (int i = 0; i < KvSkippedKeys.RememberedKeys + 500; i++)
        {
            skipped.Report($"/k//{i}", "it has an empty segment ('//')");
        }

        Assert.Equal(KvSkippedKeys.RememberedKeys + 500, skipped.Count);
        Assert.Equal(KvSkippedKeys.RememberedKeys + 1, log.Lines.Count);
        Assert.Contains("not logged", log.Lines[^1], StringComparison.Ordinal);
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add($"{logLevel} {formatter(state, exception)}");
    }
}
