using System.Text.Json;
using Tend.Core.Kv;
using Tend.Stores.Etcd;
using Tend.Stores.ZooKeeper;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Cli.Tests;

/// <summary>
/// powerconsul's roles and triggers end to end, on the real servers: agents run as <c>tend run</c>
/// with <c>[health]</c>, the cluster and trigger keys are written by a second client, and what the
/// agents publish is read back by it.
/// </summary>
public abstract class HealthIntegrationTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("tend-health-it-").FullName;

    protected string Root { get; } = "/hit" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>The service the nodes check (unique where the store has a catalog shared by every test).</summary>
    protected virtual string Svc => "web";

    /// <summary>How a secondary's output says where it saw its primary pass (on Consul: " in Consul", the agent's health API).</summary>
    protected virtual string PrimarySeenIn => string.Empty;

    /// <summary>Extra lines of each node's [health] table.</summary>
    protected virtual string HealthToml => string.Empty;

    /// <summary>Skips the test where the store's server is optional (Consul); the others fail loudly without it.</summary>
    protected virtual void SkipUnlessAvailable()
    {
    }

    /// <summary>The [store] table's lines (kind, endpoints) without the prefix.</summary>
    protected abstract string StoreToml { get; }

    /// <summary>A second client on the same store, below <see cref="Root"/>.</summary>
    protected abstract IKvStore Observer();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [SkippableFact]
    public async Task PrimaryGoesCritical_PrimaryCriticalTriggerRanWithSubstitutions_AndHostileValuesNeverRunAsShell()
    {
        SkipUnlessAvailable();
        // Environment and role carry ; $() and backticks; the trigger prints them, and nothing they hold may run.
        const string env = "prod;touch pwned1;$(touch pwned2)`touch pwned3`";
        const string role = "web;touch pwned4 $(touch pwned5) `touch pwned6`";
        var node = Node("node1");
        await using var store = Observer();
        await store.PutAsync($"/cluster/{env}/{Svc}", """{"active_nodes": ["node1"], "standby_nodes": ["node2"]}""");
        await store.PutAsync($"/triggers/{env}/{Svc}/primary/critical", $"cd {node.Dir} && printf '%s|%s|%s\\n' @ENV @HOST \"@ROLE\" > trigger.out");

        await using var agent = node.Start(env, role);
        await WaitForHealth(store, env, "node1", "passing", "primary", agent);
        File.Delete(node.Up);
        await WaitForFile(Path.Combine(node.Dir, "trigger.out"), agent);

        Assert.Equal($"{env}|node1|{role}\n", await File.ReadAllTextAsync(Path.Combine(node.Dir, "trigger.out")));
        Assert.Empty(Directory.GetFiles(node.Dir, "pwned*"));
        Assert.False(File.Exists("/pwned1"));
        await WaitForHealth(store, env, "node1", "critical", "primary", agent);
    }

    [SkippableFact]
    public async Task PrimaryCriticalThenPassing_SecondaryTakesOverAndStepsBack()
    {
        SkipUnlessAvailable();
        const string env = "failover";
        var primary = Node("node1");
        var secondary = Node("node2", up: false);
        await using var store = Observer();
        await store.PutAsync($"/cluster/{env}/{Svc}", """{"active_nodes": ["node1"], "standby_nodes": ["node2"]}""");

        // The secondary's triggers start and stop its "service" (the file its check tests).
        await store.PutAsync($"/triggers/{env}/{Svc}/secondary/critical", $"touch {secondary.Up}; echo started >> {secondary.Dir}/log");
        await store.PutAsync($"/triggers/{env}/{Svc}/secondary/warning", $"rm -f {secondary.Up}; echo stopped >> {secondary.Dir}/log");

        // The secondary starts once the primary passes (before, it would rightly take over at once).
        await using var a = primary.Start(env, "web");
        await WaitForHealth(store, env, "node1", "passing", "primary", a);
        await using var b = secondary.Start(env, "web");
        await WaitForHealth(store, env, "node2", "passing", "secondary", b);
        Assert.False(File.Exists(secondary.Up));

        // The primary fails: the secondary sees it published critical, is critical itself (stopped, no
        // primary passes), its trigger starts the service, and it passes as the running standby.
        File.Delete(primary.Up);
        await WaitForHealth(store, env, "node1", "critical", "primary", a);
        await WaitForFile(secondary.Up, b);
        await WaitForHealth(store, env, "node2", "passing", "secondary", b, output: "no primary passes");

        // The primary is back: the secondary is running while a primary passes (warning), stops, passes.
        File.WriteAllText(primary.Up, string.Empty);
        await WaitForHealth(store, env, "node1", "passing", "primary", a);
        await WaitUntil(() => !File.Exists(secondary.Up), b, "the secondary never stopped");
        await WaitForHealth(store, env, "node2", "passing", "secondary", b, output: "stopped while primary node1 passing" + PrimarySeenIn);
        Assert.Equal("started\nstopped\n", await File.ReadAllTextAsync(Path.Combine(secondary.Dir, "log")));
    }

    [SkippableFact]
    public async Task ScriptTrigger_RunsFromAPrivateFileThatIsRemoved()
    {
        SkipUnlessAvailable();
        const string env = "scripts";
        var node = Node("node1", up: false);
        await using var store = Observer();
        var script = $"""
            #!/bin/sh
            set -e
            cd {node.Dir}
            echo "$0 $(stat -c %a "$0") @HOST @ENV" > script.out
            """;
        await store.PutAsync($"/triggers/{env}/{Svc}/standalone/critical", script);
        await using var agent = node.Start(env, "web");
        var output = Path.Combine(node.Dir, "script.out");
        await WaitForFile(output, agent);
        var words = (await File.ReadAllTextAsync(output)).Trim().Split(' ');
        Assert.Equal(["700", "node1", env], words[1..]);
        Assert.StartsWith(Path.GetTempPath(), words[0], StringComparison.Ordinal);
        await WaitUntil(() => !File.Exists(words[0]), agent, "the script file was not removed");
    }

    [SkippableFact]
    public async Task Check_BadClusterJson_Exit3NamingTheKey()
    {
        SkipUnlessAvailable();
        const string env = "badjson";
        var node = Node("node1");
        await using var store = Observer();
        await store.PutAsync($"/cluster/{env}/{Svc}", """{"active_nodes": ["node1"], "standby_nodes": """);
        var config = node.Config(env, "web");

        var (code, stdout, _) = await TendProcess.RunAsync(null, "check", "command", "true", "-S", Svc, "--config", config);
        Assert.Equal(3, code);
        Assert.StartsWith($"UNKNOWN: /cluster/{env}/{Svc} is not valid JSON", stdout, StringComparison.Ordinal);

        await store.PutAsync($"/cluster/{env}/{Svc}", """{"active_nodes": ["node7"], "standby_nodes": ["node8"]}""");
        (code, stdout, _) = await TendProcess.RunAsync(null, "check", "command", "true", "-S", Svc, "--config", config);
        Assert.Equal(3, code);
        Assert.Contains($"/cluster/{env}/{Svc}: node \"node1\" is neither in active_nodes nor in standby_nodes", stdout, StringComparison.Ordinal);

        // A good definition: the check's own code comes through, for the role.
        await store.PutAsync($"/cluster/{env}/{Svc}", """{"active_datacenters": ["dr"], "standby_datacenters": ["hq"]}""");
        (code, stdout, _) = await TendProcess.RunAsync(null, "check", "command", "exit 2", "-S", Svc, "--config", config);
        Assert.True(code == 2, stdout);
        Assert.Contains("secondary: not running and no primary passes", stdout, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task TriggerAndWatch_OneShot_RunThisNodesTrigger()
    {
        SkipUnlessAvailable();
        const string env = "oneshot";
        var node = Node("node1");
        await using var store = Observer();
        await store.PutAsync($"/triggers/{env}/{Svc}/standalone/warning", $"echo @HOST warned >> {node.Dir}/warned");
        var config = node.Config(env, "web");

        var (code, _, err) = await TendProcess.RunAsync(null, "trigger", "warning", "-S", Svc, "--config", config);
        Assert.True(code == 0, err);

        var checks = $$"""
            [{"Node": "node1", "CheckID": "service:{{Svc}}", "Name": "web check", "Status": "warning", "ServiceName": "{{Svc}}"},
             {"Node": "node2", "CheckID": "service:{{Svc}}", "Name": "web check", "Status": "warning", "ServiceName": "{{Svc}}"},
             {"Node": "node1", "CheckID": "service:db", "Name": "db check", "Status": "passing", "ServiceName": "db"}]
            """;
        (code, _, err) = await TendProcess.RunAsync(checks, "watch", "warning", "--config", config);
        Assert.True(code == 0, err);
        Assert.Equal("node1 warned\nnode1 warned\n", await File.ReadAllTextAsync(Path.Combine(node.Dir, "warned")));

        // A Consul watch hands over the whole list again when any check changes: what already fired does not fire twice.
        (code, _, err) = await TendProcess.RunAsync(checks, "watch", "warning", "--config", config);
        Assert.True(code == 0, err);
        Assert.Equal("node1 warned\nnode1 warned\n", await File.ReadAllTextAsync(Path.Combine(node.Dir, "warned")));

        // Once the check has left the state, coming back fires again.
        (code, _, err) = await TendProcess.RunAsync("[]", "watch", "warning", "--config", config);
        Assert.True(code == 0, err);
        (code, _, err) = await TendProcess.RunAsync(checks, "watch", "warning", "--config", config);
        Assert.True(code == 0, err);
        Assert.Equal("node1 warned\nnode1 warned\nnode1 warned\n", await File.ReadAllTextAsync(Path.Combine(node.Dir, "warned")));

        (code, _, err) = await TendProcess.RunAsync(null, "trigger", "critical", "-S", Svc, "--config", config);
        Assert.Equal(0, code);
        Assert.Contains($"no trigger at /triggers/{env}/{Svc}/standalone/critical", err, StringComparison.Ordinal);
    }

    private protected TestNode Node(string name, bool up = true)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_dir, name)).FullName;
        var node = new TestNode(this, name, dir);
        if (up)
        {
            File.WriteAllText(node.Up, string.Empty);
        }

        return node;
    }

    private async Task WaitForHealth(IKvStore store, string env, string node, string status, string role, TendProcess agent, string? output = null)
    {
        string? last = null;
        await WaitUntil(
            () =>
            {
                var pair = store.GetAsync($"/health/{env}/{Svc}/{node}").GetAwaiter().GetResult();
                last = pair?.Value;
                if (pair is null)
                {
                    return false;
                }

                using var doc = JsonDocument.Parse(pair.Value);
                var r = doc.RootElement;
                return r.GetProperty("status").GetString() == status && r.GetProperty("role").GetString() == role
                    && (output is null || r.GetProperty("output").GetString()!.Contains(output, StringComparison.Ordinal));
            },
            agent,
            $"health of {node} never became {status} ({role}{(output is null ? string.Empty : ", " + output)}); last: {last}");
    }

    private protected static Task WaitForFile(string path, TendProcess agent) => WaitUntil(() => File.Exists(path) && new FileInfo(path).Length >= 0, agent, $"{path} never appeared");

    private protected static async Task WaitUntil(Func<bool> condition, TendProcess agent, string what)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{what}\nstderr:\n{agent.StdErr}");
            }

            await Task.Delay(50);
        }
    }

    private protected sealed class TestNode(HealthIntegrationTests test, string name, string dir)
    {
        public string Dir => dir;

        /// <summary>The node's "service": up while this file exists.</summary>
        public string Up => Path.Combine(dir, "up");

        public string Config(string env, string role)
        {
            var path = Path.Combine(dir, "tend.toml");
            File.WriteAllText(path, $"""
                [store]
                {test.StoreToml}
                prefix = "{test.Root}"

                [health]
                environment = '{env}'
                role = '{role}'
                hostname = "{name}"
                datacenter = "hq"
                flap_interval = "0s"
                ttl = "4s"
                watch_state_dir = "{dir}/watch"
                {test.HealthToml}

                [[health.check]]
                service = "{test.Svc}"
                type = "command"
                cmd = "test -f {Up} || exit 2"
                interval = "200ms"
                timeout = "5s"
                """);
            return path;
        }

        public TendProcess Start(string env, string role) => TendProcess.Start("run", "--config", Config(env, role));
    }
}

public sealed class HealthOnEtcdTests(EtcdServer etcd) : HealthIntegrationTests, IClassFixture<EtcdServer>
{
    protected override string StoreToml => $"kind = \"etcd\"\nendpoints = [\"{etcd.ClientUrl}\"]";

    protected override IKvStore Observer() => new PrefixedKvStore(new EtcdKvStore(new KvStoreOptions { Kind = "etcd", Endpoints = [etcd.ClientUrl] }), Root);
}

public sealed class HealthOnZooKeeperTests(ZooKeeperServerFixture zk) : HealthIntegrationTests, IClassFixture<ZooKeeperServerFixture>
{
    protected override string StoreToml => $"kind = \"zookeeper\"\nendpoints = [\"{zk.Server.EndPoint}\"]";

    protected override IKvStore Observer() => new PrefixedKvStore(new ZooKeeperKvStore(new KvStoreOptions { Kind = "zookeeper", Endpoints = [zk.Server.EndPoint] }), Root);
}
