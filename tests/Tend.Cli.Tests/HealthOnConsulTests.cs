using System.Diagnostics;
using Tend.Core.Agent;
using Tend.Core.Kv;
using Tend.Stores.Consul;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Cli.Tests;

/// <summary>
/// Health on a real Consul agent: the shared end-to-end tests with <c>catalog = true</c> (so a secondary reads
/// its primary's health from <c>/v1/health/service</c>), the agent's TTL check following the local check, and
/// <c>tend watch</c> run by a real <c>consul watch</c>, naming this node as the agent does.
/// </summary>
public sealed class HealthOnConsulTests(ConsulServer consul) : HealthIntegrationTests, IClassFixture<ConsulServer>
{
    private readonly string _svc = "web" + Guid.NewGuid().ToString("N")[..8];

    protected override string StoreToml => $"kind = \"consul\"\nendpoints = [\"{consul.HttpUrl}\"]";

    protected override string Svc => _svc;

    protected override string HealthToml => "catalog = true";

    protected override string PrimarySeenIn => " in Consul";

    protected override IKvStore Observer() => new PrefixedKvStore(Consul(), Root);

    protected override void SkipUnlessAvailable() => consul.SkipIfUnavailable();

    [SkippableFact]
    public async Task CatalogTrue_AgentTtlCheckFollowsTheLocalCheck_RemovedOnStop()
    {
        SkipUnlessAvailable();
        var node = Node("node1");
        await using var store = Consul();
        var agent = store.Agent;
        await using var tend = node.Start("ttl", "web");

        var passing = await WaitForInstance(agent, ConsulCheckStatus.Passing, tend);
        Assert.Equal("node1", passing.Meta["tend_node"]);
        Assert.Contains(passing.Checks, c => c.CheckId == $"tend-health-{Svc}-node1:check" && c.Status == ConsulCheckStatus.Passing);

        File.Delete(node.Up);
        var critical = await WaitForInstance(agent, ConsulCheckStatus.Critical, tend);
        Assert.Contains(critical.Checks, c => c.ServiceId.Length > 0 && c.Status == ConsulCheckStatus.Critical);

        File.WriteAllText(node.Up, string.Empty);
        await WaitForInstance(agent, ConsulCheckStatus.Passing, tend);

        await tend.SignalAsync("TERM");
        Assert.Equal(0, await tend.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Empty(await agent.GetServiceHealthAsync(Svc));
    }

    [SkippableFact]
    public async Task ConsulWatch_RunsTendWatch_TriggerOfTheCheckThatTurnedCriticalOnce_NodeNameFromTheAgent()
    {
        SkipUnlessAvailable();
        var dir = Node("watcher").Dir;
        await using var store = Consul();
        await using var observer = Observer();
        var agent = store.Agent;
        var self = await agent.GetSelfAsync();
        var other = Svc + "-other";

        // No hostname or datacenter in [health]: both come from the agent, as the checks in the watch name them.
        var config = Path.Combine(dir, "tend.toml");
        File.WriteAllText(config, $"""
            [store]
            {StoreToml}
            prefix = "{Root}"

            [health]
            environment = "watch"
            watch_state_dir = "{dir}/state"
            """);
        await observer.PutAsync($"/triggers/watch/{Svc}/standalone/critical", $"echo @HOST >> {dir}/fired");
        foreach (var name in new[] { Svc, other })
        {
            await agent.RegisterServiceAsync(new ConsulServiceRegistration { Id = name, Name = name, CheckId = name + ":ttl", CheckTtl = TimeSpan.FromMinutes(10), InitialStatus = ConsulCheckStatus.Passing });
        }

        try
        {
            using var watch = StartWatch(config);
            await agent.UpdateCheckAsync(Svc + ":ttl", ConsulCheckStatus.Critical, "down");
            var fired = Path.Combine(dir, "fired");
            await WaitUntilAsync(() => File.Exists(fired), watch, "the watch never ran the trigger");
            Assert.Equal(self.NodeName + "\n", await File.ReadAllTextAsync(fired));

            // Another check turns critical: the watch hands both over again, and the first does not fire twice.
            await agent.UpdateCheckAsync(other + ":ttl", ConsulCheckStatus.Critical, "down too");
            await WaitUntilAsync(() => File.Exists(Path.Combine(dir, "state", "critical.json")) && File.ReadAllText(Path.Combine(dir, "state", "critical.json")).Contains(other, StringComparison.Ordinal), watch, "the watch never saw the second check");
            await Task.Delay(500);
            Assert.Equal(self.NodeName + "\n", await File.ReadAllTextAsync(fired));
        }
        finally
        {
            await agent.DeregisterServiceAsync(Svc);
            await agent.DeregisterServiceAsync(other);
        }
    }

    private ConsulKvStore Consul() => new(new KvStoreOptions { Kind = KvStoreKinds.Consul, Endpoints = [consul.HttpUrl] });

    private ConsulWatch StartWatch(string config)
    {
        var start = new ProcessStartInfo(consul.Binary!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "watch", "-http-addr", consul.HttpAddress, "-type", "checks", "-state", "critical", $"'{TendProcess.Executable}' watch critical --config '{config}'" })
        {
            start.ArgumentList.Add(a);
        }

        return new ConsulWatch(Process.Start(start)!);
    }

    private async Task<ConsulServiceInstance> WaitForInstance(IConsulAgent agent, ConsulCheckStatus status, TendProcess tend)
    {
        ConsulServiceInstance? found = null;
        await WaitUntil(
            () =>
            {
                found = agent.GetServiceHealthAsync(Svc).GetAwaiter().GetResult().FirstOrDefault(i => i.AggregatedStatus == status);
                return found is not null;
            },
            tend,
            $"{Svc} never became {status} in Consul");
        return found!;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, ConsulWatch watch, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline || watch.Process.HasExited)
            {
                throw new TimeoutException($"{what}; consul watch said:\n{watch.Output}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>A running <c>consul watch</c>, its output collected, killed on dispose.</summary>
    private sealed class ConsulWatch : IDisposable
    {
        private readonly System.Text.StringBuilder _output = new();

        public ConsulWatch(Process process)
        {
            Process = process;
            process.OutputDataReceived += (_, e) => Append(e.Data);
            process.ErrorDataReceived += (_, e) => Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public Process Process { get; }

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit(10_000);
            }

            Process.Dispose();
        }

        private void Append(string? line)
        {
            if (line is not null)
            {
                lock (_output)
                {
                    _output.AppendLine(line);
                }
            }
        }
    }
}
