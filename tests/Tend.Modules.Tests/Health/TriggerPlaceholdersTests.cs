using Tend.Core.Processes;
using Tend.Modules.Health;
using Xunit;

namespace Tend.Modules.Tests.Health;

/// <summary>The substitution is proven by running the result in the real /bin/sh with hostile values.</summary>
public sealed class TriggerPlaceholdersTests : IDisposable
{
    private const string Hostile = "prod;touch MARK1 $(touch MARK2) `touch MARK3` 'q' \"d\" \\ ${HOME}";
    private readonly string _dir = Directory.CreateTempSubdirectory("tend-placeholders-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("printf '%s\\n' @ENV")]
    [InlineData("printf '%s\\n' \"@ENV\"")]
    [InlineData("printf '%s\\n' '@ENV'")]
    [InlineData("printf '%s\\n' x@ENV")]
    [InlineData("cat <<EOF\n@ENV\nEOF")]
    [InlineData("cat <<-EOF\n\t@ENV\n\tEOF")]
    public async Task ForShell_HostileValueInEveryQuoting_PrintedLiterallyAndNothingRuns(string command)
    {
        var output = await RunAsync(TriggerPlaceholders.ForShell(command), Hostile);
        Assert.Equal(command.StartsWith("printf '%s\\n' x", StringComparison.Ordinal) ? "x" + Hostile : Hostile, output.TrimEnd('\n'));
        Assert.Empty(Directory.GetFiles(_dir, "MARK*"));
    }

    [Fact]
    public async Task ForShell_QuotedHeredoc_LeftAsWritten()
    {
        var output = await RunAsync(TriggerPlaceholders.ForShell("cat <<'EOF'\n@ENV\nEOF\necho @ROLE"), "prod");
        Assert.Equal("@ENV\nweb", output.TrimEnd('\n'));
    }

    [Fact]
    public async Task ForShell_AllPlaceholdersAndComments_Substituted()
    {
        var output = await RunAsync(TriggerPlaceholders.ForShell("# restart @HOST\necho @ENV-@ROLE on @HOST"), "prod");
        Assert.Equal("prod-web on node-1", output.TrimEnd('\n'));
    }

    [Fact]
    public void ForOtherInterpreter_PlainValues_SubstitutedAndHostileRefused()
    {
        var values = new Dictionary<string, string> { ["TEND_ENV"] = "prod", ["TEND_HOST"] = "n1", ["TEND_ROLE"] = "web" };
        Assert.Equal("print('prod n1')", TriggerPlaceholders.ForOtherInterpreter("print('@ENV @HOST')", values, out _));

        values["TEND_ENV"] = "prod'); import os; os.system('x";
        Assert.Null(TriggerPlaceholders.ForOtherInterpreter("print('@ENV')", values, out var refused));
        Assert.Contains("@ENV", refused, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("#!/bin/sh\necho", true)]
    [InlineData("#!/bin/bash -e\necho", true)]
    [InlineData("#!/usr/bin/env bash\necho", true)]
    [InlineData("#! /usr/bin/python3\nprint()", false)]
    [InlineData("#!/usr/bin/env -S python3 -u\nprint()", false)]
    public void IsShellScript_Interpreters(string script, bool shell) => Assert.Equal(shell, TriggerPlaceholders.IsShellScript(script));

    private async Task<string> RunAsync(string script, string env)
    {
        var r = await ShellCommandRunner.Instance.RunAsync(new CommandSpec(script, TimeSpan.FromSeconds(10))
        {
            WorkingDirectory = _dir,
            Environment = new Dictionary<string, string> { ["TEND_ENV"] = env, ["TEND_HOST"] = "node-1", ["TEND_ROLE"] = "web" },
        });
        Assert.True(r.Succeeded, r.Summary);
        return r.StandardOutput;
    }
}
