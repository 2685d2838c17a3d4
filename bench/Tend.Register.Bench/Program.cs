// Failing check → entry removal seen by another client, on real ZooKeeper and etcd servers.
//
//   dotnet run -c Release --project bench/Tend.Register.Bench [-- iterations]
//
// Each iteration: the service is healthy and registered; the check is switched to failing; the
// clock starts when the check has returned its failing result; it stops when an independent
// client's watch delivers the delete of the entry.
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Tend.Core.Kv;
using Tend.Modules.Register;
using Tend.Modules.Checks;
using Tend.Stores.Etcd;
using Tend.Stores.ZooKeeper;
using Tend.Testing;
using Tend.Testing.Servers;

int iterations = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;

await using (var zk = await ZooKeeperServer.StartStandaloneAsync())
{
    var options = new KvStoreOptions { Kind = "zookeeper", Endpoints = [zk.EndPoint] };
    await Measure("ZooKeeper 3.8", () => new ZooKeeperKvStore(options), iterations);
}

var etcd = new EtcdServer();
await etcd.InitializeAsync();
try
{
    var options = new KvStoreOptions { Kind = "etcd", Endpoints = [etcd.ClientUrl] };
    await Measure("etcd 3.4", () => new EtcdKvStore(options), iterations);
}
finally
{
    await etcd.DisposeAsync();
}

static async Task Measure(string name, Func<IKvStore> open, int iterations)
{
    await using var agentStore = open();
    await using var observer = open();
    var root = "/bench/register/" + Guid.NewGuid().ToString("N")[..8];
    var service = new RegisterServiceOptions { Name = "web", Command = "true", Port = 80, Path = root, Hostname = "h1" };
    var check = new SwitchCheck();
    await using var registrar = new ServiceRegistrar(service, "h1", agentStore, check, TimeSpan.FromSeconds(10), NullLogger.Instance);
    var key = registrar.Key;

    var start = await observer.ListAsync(root);
    await using var watch = new WatchReader(observer, root, start.Revision + 1, TimeSpan.FromSeconds(30));
    var samples = new List<double>(iterations);
    for (int i = 0; i < iterations + 10; i++)
    {
        check.Healthy = true;
        await registrar.CheckOnceAsync();
        var put = await NextFor(watch, key);
        if (put.Kind != KvChangeKind.Put)
        {
            throw new InvalidOperationException($"expected the registration, got {put}");
        }

        check.Healthy = false;
        var sw = new Stopwatch();
        check.OnCompleted = sw.Start;
        await registrar.CheckOnceAsync();
        var del = await NextFor(watch, key);
        sw.Stop();
        if (del.Kind != KvChangeKind.Delete)
        {
            throw new InvalidOperationException($"expected the removal, got {del}");
        }

        if (i >= 10)
        {
            samples.Add(sw.Elapsed.TotalMilliseconds);
        }
    }

    samples.Sort();
    double P(double q) => samples[Math.Min(samples.Count - 1, (int)Math.Ceiling(q * samples.Count) - 1)];
    Console.WriteLine(FormattableString.Invariant($"{name}: failing check → removal seen by another client over {samples.Count} iterations: p50 {P(0.50):F2} ms, p99 {P(0.99):F2} ms, max {samples[^1]:F2} ms"));
}

/// <summary>The next change of <paramref name="key"/> (ZooKeeper also reports the parent nodes it creates).</summary>
static async Task<KvChange> NextFor(WatchReader watch, string key)
{
    while (true)
    {
        var c = (await watch.TakeChangesAsync(1))[0];
        if (c.Key == key)
        {
            return c;
        }
    }
}

/// <summary>A check whose answer the harness sets; it notes the instant it completes.</summary>
internal sealed class SwitchCheck : IHealthCheck
{
    public volatile bool Healthy = true;

    public Action? OnCompleted { get; set; }

    public Task<CheckResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var result = new CheckResult(Healthy, Healthy ? "pass" : "fail", TimeSpan.Zero);
        OnCompleted?.Invoke();
        OnCompleted = null;
        return Task.FromResult(result);
    }
}
