using System.Diagnostics;
using Tend.Core.Processes;
using Xunit;

namespace Tend.Core.Tests.Processes;

public sealed class ShellCommandRunnerTests
{
    private static readonly ShellCommandRunner Runner = ShellCommandRunner.Instance;

    [Fact]
    public async Task Run_Succeeds_CapturesBothStreams()
    {
        var r = await Runner.RunAsync(new CommandSpec("echo out; echo err >&2; exit 0", TimeSpan.FromSeconds(10)));
        Assert.True(r.Succeeded);
        Assert.Equal("out\n", r.StandardOutput);
        Assert.Equal("err\n", r.StandardError);
    }

    [Fact]
    public async Task Run_NonZeroExit_ReportedWithSummary()
    {
        var r = await Runner.RunAsync(new CommandSpec("echo 'config invalid at line 3' >&2; exit 3", TimeSpan.FromSeconds(10)));
        Assert.False(r.Succeeded);
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("exit 3", r.Summary, StringComparison.Ordinal);
        Assert.Contains("config invalid at line 3", r.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_HangingCommand_KilledAtTimeoutWithChildren()
    {
        var sw = Stopwatch.StartNew();
        var r = await Runner.RunAsync(new CommandSpec("sleep 30 & sleep 30; echo never", TimeSpan.FromMilliseconds(300)));
        Assert.True(r.TimedOut);
        Assert.False(r.Succeeded);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"took {sw.Elapsed}");
        Assert.DoesNotContain("never", r.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Environment_CleanPlusDocumentedVariables()
    {
        Environment.SetEnvironmentVariable("TEND_TEST_LEAK", "leaked");
        var spec = new CommandSpec("echo \"[$TEND_TEST_LEAK][$TEND_KEY][$PATH]\"", TimeSpan.FromSeconds(10))
        {
            Environment = new Dictionary<string, string> { ["TEND_KEY"] = "/a/b" },
        };
        var r = await Runner.RunAsync(spec);
        Assert.Equal($"[][/a/b][{ShellCommandRunner.DefaultPath}]\n", r.StandardOutput);
    }

    [Fact]
    public async Task Run_StandardInput_Delivered()
    {
        var r = await Runner.RunAsync(new CommandSpec("wc -l", TimeSpan.FromSeconds(10)) { StandardInput = "a\nb\nc\n" });
        Assert.Equal("3", r.StandardOutput.Trim());
    }

    [Fact]
    public async Task Run_HugeOutput_Bounded()
    {
        var r = await Runner.RunAsync(new CommandSpec("seq 1 100000", TimeSpan.FromSeconds(20)) { MaxOutputChars = 1000 });
        Assert.True(r.Succeeded);
        Assert.True(r.StandardOutput.Length < 1200);
        Assert.Contains("more characters not kept", r.StandardOutput, StringComparison.Ordinal);
    }
}
