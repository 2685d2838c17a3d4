// Hooks benchmarks on a real etcd (started by the harness) and a real Nagios Core 4:
//   1. put of a new host → Nagios reloaded with it: the clock starts before the put and stops when
//      the SIGHUP has been sent, after the mirror, the render of flex-hosts.cfg / flex-groups.cfg,
//      staging, `nagios4 -v` on the staged main config, and the rename. Nagios' own restart after
//      the HUP is not counted (the harness waits for it before the next sample, to see the host
//      arrive in status.dat and so that its restart does not compete with the next sample).
//   2. GET /getall with 10,000 hosts, from a `tend run` process, through HttpClient (keep-alive).
//
//   dotnet run -c Release --project bench/Tend.Hooks.Bench [-- samples preloadedHosts getallHosts getallRequests]
//
// With `putall [hosts]` instead: PutallBench.cs (planning a /putall of 10,000 hosts in-process, and
// /putall end to end on an etcd with its default --max-txn-ops).
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Tend.Core.Config;
using Tend.Core.Kv;
using Tend.Core.Mirror;
using Tend.Core.Processes;
using Tend.Modules.Hooks;
using Tend.Modules.Hooks.Inventory;
using Tend.Modules.Hooks.Nagios;
using Tend.Stores.Etcd;
using Tend.Testing.Servers;

if (args.Length > 0 && args[0] == "putall")
{
    await PutallBench.RunAsync(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10_000);
    return;
}

int samples = Arg(0, 50);
int preloaded = Arg(1, 300);
int getallHosts = Arg(2, 10_000);
int getallRequests = Arg(3, 500);

var etcd = new EtcdServer();
await etcd.InitializeAsync();
try
{
    await PutToReloadAsync(etcd.ClientUrl, samples, preloaded);
    await GetallAsync(etcd.ClientUrl, getallHosts, getallRequests);
}
finally
{
    await etcd.DisposeAsync();
}

int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : fallback;

static async Task PutToReloadAsync(string endpoint, int samples, int preloaded)
{
    await using var nagios = NagiosInstance.Create();
    await nagios.StartAsync();
    var options = new KvStoreOptions { Kind = "etcd", Endpoints = [endpoint] };
    await using var store = new EtcdKvStore(options);
    var root = "/bench-" + Guid.NewGuid().ToString("N")[..8];
    await PutHostsAsync(store, root, preloaded, "pre");

    var runner = new TimingRunner();
    await using var mirrors = new KvMirrorSet(store);
    await using var hooks = new HooksModule(mirrors, runner);
    var reloaded = new SemaphoreSlim(0);
    var hooksOptions = new HooksOptions
    {
        Inventory = new HostInventoryOptions { Root = root },
        Nagios = new NagiosOptions
        {
            HostsFile = Path.Combine(nagios.ConfD, "flex-hosts.cfg"),
            GroupsFile = Path.Combine(nagios.ConfD, "flex-groups.cfg"),
            MainConfig = nagios.MainConfig,
            CheckCommand = $"{nagios.Binary} -v {{{{.config}}}}",
            PidFile = nagios.PidFile,
            Wait = ChangeWait.None,
        },
    };
    await hooks.ApplyAsync(hooksOptions);
    long lastReloads = 0;
    hooks.Nagios!.PassCompleted = s =>
    {
        if (s.Reloads > Interlocked.Read(ref lastReloads))
        {
            Interlocked.Exchange(ref lastReloads, s.Reloads);
            reloaded.Release();
        }
    };
    var rootName = root[1..];
    await WaitAsync(() => nagios.StatusHosts().Count == preloaded + 1, "the preloaded hosts in Nagios");
    while (reloaded.CurrentCount > 0)
    {
        await reloaded.WaitAsync();
    }

    var total = new List<double>();
    var check = new List<double>();
    for (int i = 0; i < samples + 5; i++)
    {
        runner.Clear();
        var name = $"{rootName}-new-{i}";
        var sw = Stopwatch.StartNew();
        await store.PutAsync($"{root}/new/{i}", "created");
        if (!await reloaded.WaitAsync(TimeSpan.FromSeconds(30)))
        {
            throw new TimeoutException($"no reload for {name}: {hooks.Status.Nagios}");
        }

        var elapsed = sw.Elapsed.TotalMilliseconds;
        await WaitAsync(() => nagios.StatusHosts().Contains(name), $"{name} in Nagios' status");

        // Let Nagios finish settling after its restart (workers, caches) before the next sample.
        await Task.Delay(250);
        if (i >= 5)
        {
            total.Add(elapsed);
            check.Add(runner.CheckMs);
        }
    }

    total.Sort();
    check.Sort();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"put new host -> SIGHUP sent ({samples} puts, {preloaded}+ hosts, etcd, nagios4 -v on the staged config): p50 {Pct(total, 50):F1} ms, p90 {Pct(total, 90):F1} ms, p99 {Pct(total, 99):F1} ms, max {total[^1]:F1} ms; of which nagios4 -v p50 {Pct(check, 50):F1} ms, p90 {Pct(check, 90):F1} ms"));
}

static async Task GetallAsync(string endpoint, int hosts, int requests)
{
    var dir = Directory.CreateTempSubdirectory("tend-getall-bench-").FullName;
    var root = "/getall-" + Guid.NewGuid().ToString("N")[..8];
    try
    {
        var options = new KvStoreOptions { Kind = "etcd", Endpoints = [endpoint] };
        await using (var store = new EtcdKvStore(options))
        {
            await PutHostsAsync(store, root, hosts, "web");
        }

        int port = FreePort.Next();
        var config = Path.Combine(dir, "tend.toml");
        await File.WriteAllTextAsync(config, $"""
            [store]
            kind = "etcd"
            endpoints = ["{endpoint}"]

            [log]
            level = "warn"

            [http]
            listen = "127.0.0.1:{port}"

            [hooks.nagios]
            root = "{root}"
            """);
        await using var tend = TendRunProcess.Start(config);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        await TendRunProcess.WaitServingAsync(http);

        // The first request creates the mirror of the root; wait until it has loaded.
        string body = string.Empty;
        await WaitAsync(() => Ok(http, "/getall") && (body = http.GetStringAsync("/getall").Result).Length > 0 && Ok(http, "/healthz") && body.Split(',').Length == hosts, "the inventory in /getall");
        var times = new List<double>(requests);
        long bytes = 0;
        for (int i = 0; i < requests + 20; i++)
        {
            var sw = Stopwatch.StartNew();
            using var response = await http.GetAsync("/getall", HttpCompletionOption.ResponseContentRead);
            var content = await response.Content.ReadAsByteArrayAsync();
            var ms = sw.Elapsed.TotalMilliseconds;
            response.EnsureSuccessStatusCode();
            bytes = content.Length;
            if (i >= 20)
            {
                times.Add(ms);
            }
        }

        times.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"GET /getall, {hosts} hosts ({bytes / 1024.0:F0} KiB JSON), {requests} requests in a row: p50 {Pct(times, 50):F2} ms, p90 {Pct(times, 90):F2} ms, p99 {Pct(times, 99):F2} ms, max {times[^1]:F2} ms"));

        // The first /getall after a change: one host's state flips, the clock starts once
        // /status shows the mirror at that revision, so only the request itself is timed.
        await using var writer = new EtcdKvStore(new KvStoreOptions { Kind = "etcd", Endpoints = [endpoint] });
        var fresh = new List<double>();
        for (int i = 0; i < requests / 5 + 10; i++)
        {
            var rev = await writer.PutAsync($"{root}/web/0", i % 2 == 0 ? "hbout" : "created");
            await WaitAsync(() => MirrorRevision(http, root) >= rev, "the mirror to see the change");
            var sw = Stopwatch.StartNew();
            var content = await http.GetByteArrayAsync("/getall");
            var ms = sw.Elapsed.TotalMilliseconds;
            if (i >= 10)
            {
                fresh.Add(ms);
            }
        }

        fresh.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"GET /getall, {hosts} hosts, first request after a change ({fresh.Count} changes): p50 {Pct(fresh, 50):F2} ms, p90 {Pct(fresh, 90):F2} ms, p99 {Pct(fresh, 99):F2} ms, max {fresh[^1]:F2} ms"));
    }
    finally
    {
        Directory.Delete(dir, recursive: true);
    }
}

static long MirrorRevision(HttpClient http, string root)
{
    using var doc = System.Text.Json.JsonDocument.Parse(http.GetStringAsync("/status").Result);
    return doc.RootElement.GetProperty("mirrors").EnumerateArray()
        .Where(m => m.GetProperty("prefix").GetString() == root)
        .Select(m => m.GetProperty("revision").GetInt64())
        .DefaultIfEmpty(0)
        .First();
}

static bool Ok(HttpClient http, string path)
{
    try
    {
        using var r = http.GetAsync(path).Result;
        return r.IsSuccessStatusCode;
    }
    catch (AggregateException)
    {
        return false;
    }
}

/// <summary>Writes <paramref name="count"/> hosts in transactions of 100 (etcd 3.4 allows 128 operations per transaction).</summary>
static async Task PutHostsAsync(IKvStore store, string root, int count, string type)
{
    var types = type == "pre" ? new[] { "web", "papi", "extapi" } : [type, "papi", "extapi"];
    var keys = Enumerable.Range(0, count).Select(i => $"{root}/{types[i % 3]}/{i / 3}").ToList();
    foreach (var chunk in keys.Chunk(100))
    {
        await store.CommitAsync(new KvTransaction([], [.. chunk.Select(k => KvOperation.Put(k, "created"))]));
    }
}

static async Task WaitAsync(Func<bool> condition, string what)
{
    var deadline = Stopwatch.StartNew();
    while (!condition())
    {
        if (deadline.Elapsed > TimeSpan.FromSeconds(120))
        {
            throw new TimeoutException(what);
        }

        await Task.Delay(20);
    }
}

static double Pct(List<double> sorted, int p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p / 100.0 * sorted.Count) - 1)];

/// <summary>The real command runner, timing the Nagios check.</summary>
internal sealed class TimingRunner : ICommandRunner
{
    private double _checkMs;

    public double CheckMs => Volatile.Read(ref _checkMs);

    public void Clear() => Volatile.Write(ref _checkMs, 0);

    public async Task<CommandResult> RunAsync(CommandSpec spec, CancellationToken cancellationToken = default)
    {
        var result = await ShellCommandRunner.Instance.RunAsync(spec, cancellationToken);
        if (spec.CommandLine.Contains(" -v ", StringComparison.Ordinal))
        {
            Volatile.Write(ref _checkMs, result.Duration.TotalMilliseconds);
        }

        return result;
    }
}
