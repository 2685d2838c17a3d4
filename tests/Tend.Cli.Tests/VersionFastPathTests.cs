using System.Reflection;
using Tend.Cli;
using Xunit;

namespace Tend.Cli.Tests;

public sealed class VersionFastPathTests
{
    [Fact]
    public void Answer_DoubleDashVersion_TheInformationalVersionTheCommandTreePrints()
    {
        // System.CommandLine's --version prints the entry assembly's informational version: tend's in the binary.
        var expected = typeof(TendVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;

        Assert.Equal(expected, VersionFastPath.Answer(["--version"], asConfdTool: false));
        Assert.StartsWith(TendVersion.Value, expected, StringComparison.Ordinal);
    }

    [Fact]
    public void Answer_VersionCommand_SameAsTheVersionCommand()
    {
        Assert.Equal($"tend {TendVersion.Value}", VersionFastPath.Answer(["version"], asConfdTool: false));
    }

    [Theory]
    [InlineData("-version")]
    [InlineData("--version")]
    public void Answer_AsConfd_SameAsRenderVersion(string flag)
    {
        Assert.Equal($"tend {TendVersion.Value}", VersionFastPath.Answer([flag], asConfdTool: true));
    }

    [Theory]
    [InlineData("--version", "x")]
    [InlineData("render", "--version")]
    [InlineData("-version")]
    [InlineData("--Version")]
    public void Answer_AnythingElse_LeftToTheCommandLine(params string[] args)
    {
        Assert.Null(VersionFastPath.Answer(args, asConfdTool: false));
    }

    [Fact]
    public void Answer_VersionWordAsConfd_LeftToTheCommandLine()
    {
        // confd has no `version` command: under its name the word is an argument, not a request.
        Assert.Null(VersionFastPath.Answer(["version"], asConfdTool: true));
    }

    [Fact]
    public async Task Process_DoubleDashVersion_PrintsTheInformationalVersion()
    {
        var (code, stdout, stderr) = await TendProcess.RunAsync(null, "--version");

        Assert.Equal(0, code);
        Assert.Equal(string.Empty, stderr);
        Assert.Matches(@"^\d+\.\d+\.\d+\S*\n$", stdout);
        Assert.StartsWith(TendVersion.Value, stdout, StringComparison.Ordinal);
    }
}
