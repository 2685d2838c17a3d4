using Tend.Core.Processes;
using Tend.Modules.Checks;
using Xunit;

namespace Tend.Modules.Tests.Health;

/// <summary>The systemd path, at the command seam: PID 1 here is not systemd.</summary>
public sealed class ServiceCheckSeamTests
{
    [Theory]
    [InlineData(0, "active", CheckState.Passing)]
    [InlineData(3, "inactive", CheckState.Critical)]
    [InlineData(3, "failed", CheckState.Critical)]
    [InlineData(127, "sh: systemctl: not found", CheckState.Unknown)]
    public async Task Systemd_IsActiveAnswer_State(int exit, string output, CheckState expected)
    {
        var runner = new ScriptedRunner(new CommandResult(exit, output + "\n", string.Empty, false, TimeSpan.Zero));
        var result = await new ServiceHealthCheck(runner, "apache2", TimeSpan.FromSeconds(5), systemd: true).RunAsync();
        Assert.Equal(expected, result.State);
        Assert.Equal("systemctl is-active -- apache2", runner.Commands.Single());
        Assert.Contains("apache2", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Service_HostileName_OneArgument()
    {
        var runner = new ScriptedRunner(new CommandResult(3, string.Empty, string.Empty, false, TimeSpan.Zero));
        await new ServiceHealthCheck(runner, "x; reboot", TimeSpan.FromSeconds(5), systemd: false).RunAsync();
        Assert.Equal("service 'x; reboot' status", runner.Commands.Single());
    }

    internal sealed class ScriptedRunner(CommandResult answer) : ICommandRunner
    {
        public List<string> Commands { get; } = [];

        public Task<CommandResult> RunAsync(CommandSpec spec, CancellationToken cancellationToken = default)
        {
            Commands.Add(spec.CommandLine);
            return Task.FromResult(answer);
        }
    }
}
