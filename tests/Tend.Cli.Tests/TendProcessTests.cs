using Xunit;

namespace Tend.Cli.Tests;

public sealed class TendProcessTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] vars) =>
        name => vars.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void ResolveCommand_TendBinSet_RunsThatBinaryDirectly()
    {
        var bin = Path.Combine(Path.GetTempPath(), $"tend-bin-{Guid.NewGuid():N}");
        File.WriteAllText(bin, "#!/bin/sh\n");
        File.SetUnixFileMode(bin, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            var (file, prefix) = TendProcess.ResolveCommand(Env(("TEND_BIN", bin), ("CI", "true")), "/tests");
            Assert.Equal(bin, file);
            Assert.Empty(prefix);
        }
        finally
        {
            File.Delete(bin);
        }
    }

    [Fact]
    public void ResolveCommand_TendBinNotExecutable_Throws()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"tend-missing-{Guid.NewGuid():N}");
        var e = Assert.Throws<InvalidOperationException>(() => TendProcess.ResolveCommand(Env(("TEND_BIN", missing)), "/tests"));
        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResolveCommand_InCiWithoutTendBin_ThrowsInsteadOfFallingBackToTheJit()
    {
        var e = Assert.Throws<InvalidOperationException>(() => TendProcess.ResolveCommand(Env(("CI", "true")), "/tests"));
        Assert.Contains("TEND_BIN is not set", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResolveCommand_DeveloperWithoutTendBin_RunsTheJitBuildBesideTheTests()
    {
        var (file, prefix) = TendProcess.ResolveCommand(Env(), "/tests");
        Assert.Equal("dotnet", file);
        Assert.Equal(["/tests/tend.dll"], prefix);
    }
}
