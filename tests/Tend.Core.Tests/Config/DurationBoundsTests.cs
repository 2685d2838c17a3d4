using Tend.Core.Config;
using Xunit;

namespace Tend.Core.Tests.Config;

/// <summary>
/// Every duration is bounded at load: a value that would overflow a timer, a cancellation deadline
/// or date arithmetic is a configuration error naming file, line, column and key — never a crash
/// at start-up, a daemon that dies on SIGHUP, or a render loop that silently ends.
/// </summary>
public sealed class DurationBoundsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tend-durations-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("24h", 86_400_000)]
    [InlineData("86400", 86_400_000)]
    [InlineData("23h59m59.999s", 86_399_999)]
    [InlineData("1500µs", 1.5)]
    public void TryParse_UpToTheMaximum_Accepted(string text, double ms)
    {
        Assert.True(Durations.TryParse(text, out var d, out var error), error);
        Assert.Equal(ms, d.TotalMilliseconds, 3);
    }

    [Theory]
    [InlineData("99999999999h")]
    [InlineData("24h1ms")]
    [InlineData("86401")]
    [InlineData("1e300")]
    [InlineData("9999999999999999999999999999999999999999s")]
    public void TryParse_BeyondTheMaximum_RefusedWithoutThrowing(string text)
    {
        Assert.False(Durations.TryParse(text, out _, out var error));
        Assert.Equal($"must be at most 24h, not \"{text}\"", error);
    }

    [Fact]
    public void TryParse_NotADuration_SaysWhatIsExpected()
    {
        Assert.False(Durations.TryParse("soon", out _, out var error));
        Assert.Equal("must be a duration such as \"10s\", \"500ms\", \"1m30s\" or a number of seconds, not \"soon\"", error);
    }

    [Theory]
    [InlineData("[store]\nkind = \"etcd\"\nendpoints = [\"http://x:2379\"]\nrequest_timeout = \"99999999999h\"\n", 4, 19, "[store] request_timeout must be at most 24h, not \"99999999999h\"")]
    [InlineData("[store]\nkind = \"etcd\"\nendpoints = [\"http://x:2379\"]\nsession_timeout = 9223372036854775807\n", 4, 19, "[store] session_timeout must be at most 24h, not 9223372036854775807")]
    [InlineData("[store]\nkind = \"etcd\"\nendpoints = [\"http://x:2379\"]\nsession_timeout = 1e300\n", 4, 19, "[store] session_timeout must be at most 24h")]
    public void Parse_DurationOrLimitOutOfRange_ErrorNamesFileLineColumnAndKey(string toml, int line, int column, string reason)
    {
        var path = Path.Combine(_dir, "tend.toml");

        var ex = Assert.Throws<ConfigException>(() => TendConfigLoader.Parse(path, toml));

        Assert.Equal((path, line, column), (ex.File, ex.Line, ex.Column));
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_WaitWithoutMax_MaxCappedAtTheBound()
    {
        Assert.True(ChangeWait.TryParse("10h", out var wait, out _));

        Assert.Equal(new ChangeWait(TimeSpan.FromHours(10), TimeSpan.FromHours(24)), wait);
    }
}
