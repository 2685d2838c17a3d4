using Tend.Core.Agent;
using Tend.Core.Config;
using Tend.Core.Kv;
using Tend.Core.Mirror;
using Tend.Modules.Checks;
using Tend.Modules.Health;
using Tend.Stores.Memory;
using Xunit;

namespace Tend.Modules.Tests.Health;

/// <summary>The Consul agent's seams of the health module, against a scripted agent: primaries' health, identity, the TTL sink, the watch input.</summary>
public sealed class ConsulAgentHealthTests : IDisposable
{
    private const string Cluster = "/cluster/prod/web";
    private static readonly HealthIdentity Node2 = new("prod", "webserver", "node2", "dr");
    private readonly string _dir = Directory.CreateTempSubdirectory("tend-consul-health-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task PrimaryHealth_PrimaryPassingInConsul_True()
    {
        var agent = new FakeAgent(Instance("node1", "hq", ConsulCheckStatus.Passing), Instance("node2", "dr", ConsulCheckStatus.Critical));
        var health = await Source(agent, """{"active_nodes": ["node1"], "standby_nodes": ["node2"]}""").GetAsync(Node2, "web");
        Assert.True(health.AnyPassing);
        Assert.Contains("node1 passing in Consul", health.Description, StringComparison.Ordinal);
        Assert.True(agent.AskedAllDatacenters);
    }

    [Fact]
    public async Task PrimaryHealth_PrimaryCriticalInConsul_FalseEvenWhenItsPublishedEntrySaysPassing()
    {
        var agent = new FakeAgent(Instance("node1", "hq", ConsulCheckStatus.Critical));
        var health = await Source(agent, """{"active_nodes": ["node1"], "standby_nodes": ["node2"]}""", publishedPassing: true).GetAsync(Node2, "web");
        Assert.False(health.AnyPassing);
        Assert.Contains("node1 critical in Consul", health.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrimaryHealth_ByDatacenter_InstancesOfTheActiveDatacenterCount()
    {
        var agent = new FakeAgent(Instance("a", "hq", ConsulCheckStatus.Warning), Instance("b", "hq", ConsulCheckStatus.Passing), Instance("c", "dr", ConsulCheckStatus.Passing));
        Assert.True((await Source(agent, """{"active_datacenters": ["hq"], "standby_datacenters": ["dr"]}""").GetAsync(Node2, "web")).AnyPassing);

        agent = new FakeAgent(Instance("a", "hq", ConsulCheckStatus.Warning), Instance("c", "dr", ConsulCheckStatus.Passing));
        Assert.False((await Source(agent, """{"active_datacenters": ["hq"], "standby_datacenters": ["dr"]}""").GetAsync(Node2, "web")).AnyPassing);
    }

    [Fact]
    public async Task PrimaryHealth_TendNodeMetadataNamesTheNode_OwnInstanceNeverCounts()
    {
        // Both instances live on one agent node ("agent"); tend_node tells them apart.
        var agent = new FakeAgent(
            Instance("agent", "dc1", ConsulCheckStatus.Passing) with { Meta = new Dictionary<string, string> { ["tend_node"] = "node2" } },
            Instance("agent", "dc1", ConsulCheckStatus.Critical) with { Meta = new Dictionary<string, string> { ["tend_node"] = "node1" } });
        var health = await Source(agent, """{"active_nodes": ["node1", "node2"], "standby_nodes": []}""").GetAsync(Node2, "web");
        Assert.False(health.AnyPassing);
    }

    [Fact]
    public async Task PrimaryHealth_NoPrimaryInConsul_PublishedEntriesAnswer()
    {
        var agent = new FakeAgent(Instance("node3", "dr", ConsulCheckStatus.Passing));
        var health = await Source(agent, """{"active_nodes": ["node1"], "standby_nodes": ["node2", "node3"]}""", publishedPassing: true).GetAsync(Node2, "web");
        Assert.True(health.AnyPassing);
        Assert.Equal("published", health.Description);
    }

    [Fact]
    public async Task PrimaryHealth_AgentUnreachable_Unknown()
    {
        var agent = new FakeAgent { Fail = true };
        await Assert.ThrowsAsync<HealthUnknownException>(() => Source(agent, """{"active_nodes": ["node1"], "standby_nodes": ["node2"]}""").GetAsync(Node2, "web"));
    }

    [Fact]
    public async Task AgentIdentity_NotConfigured_NodeNameAndDatacenterFromTheAgent()
    {
        var agent = new FakeAgent();
        var options = await AgentIdentity.ApplyAsync(new HealthOptions { Environment = "prod" }, agent, TimeSpan.FromSeconds(1));
        Assert.Equal(("consul-node7", "dc9"), (options.Hostname, options.Datacenter));

        options = await AgentIdentity.ApplyAsync(new HealthOptions { Hostname = "mine", Datacenter = "hq" }, new FakeAgent { Fail = true }, TimeSpan.Zero);
        Assert.Equal(("mine", "hq"), (options.Hostname, options.Datacenter));

        var ex = await Assert.ThrowsAsync<HealthUnknownException>(() => AgentIdentity.ApplyAsync(new HealthOptions(), new FakeAgent { Fail = true }, TimeSpan.Zero));
        Assert.Contains("[health] hostname", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sink_CatalogCheck_RegisteredWithTheResultAndReRegisteredWhenTheAgentForgot()
    {
        var agent = new FakeAgent();
        await using var sink = new ConsulAgentCheckSink(agent, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var check = new HealthCheckOptions { Service = "web", Kind = HealthCheckKind.Command, Command = "true", Catalog = true };
        await sink.SyncAsync(Node2, [check, check with { Service = "db", Catalog = false }], TimeSpan.FromSeconds(10));

        await sink.ReportAsync("web", new CheckResult(CheckState.Critical, "down", TimeSpan.Zero));
        await sink.ReportAsync("db", new CheckResult(CheckState.Passing, "up", TimeSpan.Zero));
        await WaitFor(() => agent.Updates.Contains(("tend-health-web-node2:check", ConsulCheckStatus.Critical, "down")));
        var registered = Assert.Single(agent.Registered);
        Assert.Equal(("web", "node2"), (registered.Name, registered.Meta["tend_node"]));

        agent.Forget();
        await sink.ReportAsync("web", new CheckResult(CheckState.Unknown, "cannot tell", TimeSpan.Zero));
        await WaitFor(() => agent.Registered.Count == 2 && agent.Updates.Contains(("tend-health-web-node2:check", ConsulCheckStatus.Critical, "cannot tell")));

        await sink.SyncAsync(Node2, [], TimeSpan.FromSeconds(10));
        Assert.Contains("tend-health-web-node2", agent.Deregistered);
    }

    [Fact]
    public async Task Apply_CatalogWithoutConsul_ConfigErrorNamingTheCheck()
    {
        await using var store = new MemoryKvStore();
        await using var mirrors = new KvMirrorSet(store);
        await using var module = new HealthModule(store, mirrors);
        var options = new HealthOptions { Environment = "prod", Hostname = "n1", Checks = [new HealthCheckOptions { Service = "web", Kind = HealthCheckKind.Command, Command = "true", Catalog = true, Line = 7 }] };
        var ex = await Assert.ThrowsAsync<ConfigException>(() => module.ApplyAsync(options));
        Assert.Contains("web (line 7): catalog = true needs the Consul store", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WatchedChecks_ChecksAndServiceWatchShapes_ThisNodesChecksInTheStateOnce()
    {
        const string checks = """
            [{"Node": "node2", "CheckID": "serfHealth", "Name": "Serf Health Status", "Status": "critical", "ServiceName": ""},
             {"Node": "node2", "CheckID": "service:web", "Name": "web", "Status": "critical", "ServiceName": "web"},
             {"Node": "node2", "CheckID": "service:web", "Name": "web", "Status": "critical", "ServiceName": "web"},
             {"Node": "node1", "CheckID": "service:db", "Name": "db", "Status": "critical", "ServiceName": "db"},
             {"Node": "node2", "CheckID": "cron", "Name": "cron", "Status": "critical"}]
            """;
        Assert.Equal([new WatchedCheck("service:web", "web"), new WatchedCheck("cron", "cron")], HealthCommands.WatchedChecks(Node2, checks, "critical"));

        const string service = """
            [{"Node": {"Node": "node2"}, "Service": {"Service": "web"},
              "Checks": [{"Node": "node2", "CheckID": "serfHealth", "Status": "passing"},
                         {"Node": "node2", "CheckID": "service:web", "Status": "warning", "ServiceName": "web"}]}]
            """;
        Assert.Equal([new WatchedCheck("service:web", "web")], HealthCommands.WatchedChecks(Node2, service, "warning"));
        Assert.Throws<HealthUnknownException>(() => HealthCommands.WatchedChecks(Node2, "{}", "warning"));
    }

    [Fact]
    public void WatchMemory_SameListAgain_NothingNew_LeftAndBack_NewAgain()
    {
        var memory = new WatchMemory(Path.Combine(_dir, "watch"));
        WatchedCheck a = new("a", "web"), b = new("b", "db");
        Assert.Equal([a], memory.Update("critical", [a]).New);
        Assert.Empty(memory.Update("critical", [a]).New);
        Assert.Equal([b], memory.Update("critical", [a, b]).New);
        Assert.Equal([a], memory.Update("warning", [a]).New);
        Assert.Empty(memory.Update("critical", [b]).New);
        Assert.Equal([a], memory.Update("critical", [a, b]).New);

        var (fresh, problem) = new WatchMemory(null).Update("critical", [a]);
        Assert.Equal([a], fresh);
        Assert.Contains("watch_state_dir", problem, StringComparison.Ordinal);
    }

    private static IPrimaryHealthSource Source(FakeAgent agent, string cluster, bool publishedPassing = false) =>
        new ConsulPrimaryHealthSource(agent, new Data(cluster), new Published(publishedPassing));

    private static ConsulServiceInstance Instance(string node, string dc, ConsulCheckStatus status) =>
        new(dc, node, "10.0.0.1", "web", "web", "10.0.0.1", 80, [], new Dictionary<string, string>(), [new ConsulCheckState("serfHealth", "Serf", ConsulCheckStatus.Passing, string.Empty, string.Empty), new ConsulCheckState("web", "web", status, string.Empty, "web")]);

    private static async Task WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(10);
        }
    }

    private sealed class Data(string cluster) : IHealthData
    {
        public Task<string?> GetAsync(string key, CancellationToken cancellationToken = default) => Task.FromResult(key == Cluster ? cluster : null);

        public Task<IReadOnlyList<KvPair>> ListAsync(string prefix, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<KvPair>>([]);
    }

    private sealed class Published(bool passing) : IPrimaryHealthSource
    {
        public Task<PrimaryHealth> GetAsync(HealthIdentity identity, string service, CancellationToken cancellationToken = default) => Task.FromResult(new PrimaryHealth(passing, "published"));
    }

    private sealed class FakeAgent(params ConsulServiceInstance[] instances) : IConsulAgent
    {
        private readonly Lock _gate = new();
        private readonly HashSet<string> _checks = [];

        public bool Fail { get; init; }

        public bool AskedAllDatacenters { get; private set; }

        public List<ConsulServiceRegistration> Registered { get; } = [];

        public List<(string, ConsulCheckStatus, string?)> Updates { get; } = [];

        public List<string> Deregistered { get; } = [];

        public void Forget()
        {
            lock (_gate)
            {
                _checks.Clear();
            }
        }

        public Task<ConsulAgentInfo> GetSelfAsync(CancellationToken cancellationToken = default) =>
            Fail ? throw new KvStoreUnavailableException("agent down") : Task.FromResult(new ConsulAgentInfo("consul-node7", "dc9"));

        // The health module never reads the catalog the templates read.
        public Task<ConsulQueryResult<IReadOnlyList<ConsulHealthEntry>>> QueryServiceHealthAsync(string service, string? tag, bool passingOnly, ConsulBlockingQuery query, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task<ConsulQueryResult<IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>>>> QueryServicesAsync(ConsulBlockingQuery query, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task<ConsulQueryResult<IReadOnlyList<ConsulNode>>> QueryNodesAsync(ConsulBlockingQuery query, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task<ConsulQueryResult<ConsulNodeCatalog?>> QueryNodeAsync(string node, ConsulBlockingQuery query, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task RegisterServiceAsync(ConsulServiceRegistration service, CancellationToken cancellationToken = default)
        {
            lock (_gate)
            {
                Registered.Add(service);
                _checks.Add(service.CheckId);
            }

            return Task.CompletedTask;
        }

        public Task DeregisterServiceAsync(string serviceId, CancellationToken cancellationToken = default)
        {
            lock (_gate)
            {
                Deregistered.Add(serviceId);
            }

            return Task.CompletedTask;
        }

        public Task<bool> UpdateCheckAsync(string checkId, ConsulCheckStatus status, string? output = null, CancellationToken cancellationToken = default)
        {
            lock (_gate)
            {
                if (!_checks.Contains(checkId))
                {
                    return Task.FromResult(false);
                }

                Updates.Add((checkId, status, output));
                return Task.FromResult(true);
            }
        }

        public Task<IReadOnlyList<ConsulServiceInstance>> GetServiceHealthAsync(string service, bool passingOnly = false, bool allDatacenters = false, CancellationToken cancellationToken = default)
        {
            AskedAllDatacenters = allDatacenters;
            return Fail ? throw new KvStoreUnavailableException("agent down") : Task.FromResult<IReadOnlyList<ConsulServiceInstance>>(instances);
        }

        public Task<IReadOnlyList<string>> GetDatacentersAsync(CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<string>>(["dc9"]);
    }
}
