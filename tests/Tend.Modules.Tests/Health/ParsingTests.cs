using Tend.Core.Processes;
using Tend.Modules.Checks;
using Xunit;

namespace Tend.Modules.Tests.Health;

public sealed class ParsingTests
{
    [Theory]
    [InlineData("10", 10, false)]
    [InlineData("10", 11, true)]
    [InlineData("10", -1, true)]
    [InlineData("1:1", 1, false)]
    [InlineData("1:1", 2, true)]
    [InlineData("1:", 0, true)]
    [InlineData("1:", 500, false)]
    [InlineData("~:3", -50, false)]
    [InlineData("@2:4", 3, true)]
    [InlineData("@2:4", 5, false)]
    public void NagiosRange_Alerts(string range, double value, bool alerts) => Assert.Equal(alerts, NagiosRange.Parse(range).Alerts(value));

    [Theory]
    [InlineData("x")]
    [InlineData("5:1")]
    [InlineData("")]
    public void NagiosRange_Invalid_Throws(string range) => Assert.Throws<FormatException>(() => NagiosRange.Parse(range));

    [Fact]
    public void ProcessQuery_CommonForms_Read()
    {
        var q = ProcessQuery.TryParse(["-w", "1:2", "-c1:", "-C", "nginx", "--argument-array=worker", "-u", "www-data"], out var why);
        Assert.NotNull(q);
        Assert.Null(why);
        Assert.Equal(("1:2", "1:", "nginx", "worker", "www-data"), (q.Warning!.Text, q.Critical!.Text, q.Command, q.Arguments, q.User));
        Assert.Null(ProcessQuery.TryParse(["-m", "VSZ"], out why));
        Assert.Contains("-m", why, StringComparison.Ordinal);
    }

    [Fact]
    public void ShellWords_Split_QuotesWithoutExpansion()
    {
        Assert.Equal(["-c", "1:1", "-a", "my app $(x);`y`", "-C", "a b"], ShellWords.Split("""-c 1:1  -a 'my app $(x);`y`' -C a\ b"""));
        Assert.Throws<FormatException>(() => ShellWords.Split("-a 'open"));
    }
}
