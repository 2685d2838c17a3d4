// Check state change → trigger started, on a real etcd server.
//
//   dotnet build -c Release bench/Tend.Health.Bench
//   dotnet bench/Tend.Health.Bench/bin/Release/net10.0/Tend.Health.Bench.dll [iterations]
//
// Each iteration: the check passes (published); it is switched to critical; the clock starts when
// the check has returned its critical result. Two stops: "dispatched" when the trigger command is
// handed to the command runner (the key read from the mirror, flap and one-at-a-time rules passed),
// and "running" when the trigger's own first command (`date +%s%N`) reads the wall clock inside the
// started /bin/sh. 10 warm-up iterations are not counted.
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Tend.Core.Kv;
using Tend.Core.Mirror;
using Tend.Core.Processes;
using Tend.Modules.Checks;
using Tend.Modules.Health;
using Tend.Stores.Etcd;
using Tend.Testing.Servers;

int iterations = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
var etcd = new EtcdServer();
await etcd.InitializeAsync();
try
{
    var options = new KvStoreOptions { Kind = "etcd", Endpoints = [etcd.ClientUrl] };
    await using var inner = new EtcdKvStore(options);
    var root = "/bench/health/" + Guid.NewGuid().ToString("N")[..8];
    await using var store = new PrefixedKvStore(inner, root);
    await store.PutAsync("/triggers/bench/web/primary/critical", "date +%s%N");
    await store.PutAsync("/cluster/bench/web", """{"active_nodes": ["node1"], "standby_nodes": ["node2"]}""");

    await using var mirrors = new KvMirrorSet(store);
    var identity = new HealthIdentity("bench", "web", "node1", null);
    var data = new MirrorHealthData(mirrors, "bench");
    var runner = new TimingRunner();
    await using var triggers = new TriggerScheduler(data, new TriggerExecutor(runner, TimeSpan.FromSeconds(10)), TimeSpan.Zero, NullLogger.Instance, TimeProvider.System);
    var evaluator = new HealthEvaluator(data, new PublishedPrimaryHealthSource(data, storePublishes: true));
    var check = new SwitchCheck();
    var options2 = new HealthCheckOptions { Service = "web", Kind = HealthCheckKind.Command, Command = "switch" };
    await using var monitor = new HealthMonitor(options2, identity, check, evaluator, triggers, store, TimeSpan.FromSeconds(10), null, triggerOnPassing: false, NullLogger.Instance, TimeProvider.System);
    foreach (var p in data.Prefixes)
    {
        await mirrors.Get(p).WhenSynced;
    }

    var dispatched = new List<double>();
    var running = new List<double>();
    for (int i = 0; i < iterations + 10; i++)
    {
        check.State = CheckState.Passing;
        await monitor.CheckOnceAsync(CancellationToken.None);
        check.State = CheckState.Critical;
        var done = runner.Arm();
        await monitor.CheckOnceAsync(CancellationToken.None);
        var (dispatchTicks, output) = await done.WaitAsync(TimeSpan.FromSeconds(30));
        if (i < 10)
        {
            continue;
        }

        dispatched.Add(Stopwatch.GetElapsedTime(check.ReturnedAt, dispatchTicks).TotalMilliseconds);
        var startedNs = long.Parse(output.Trim(), CultureInfo.InvariantCulture);
        running.Add((startedNs - check.ReturnedWallNs) / 1e6);
    }

    Report("etcd 3.4, check → trigger dispatched", dispatched);
    Report("etcd 3.4, check → trigger's /bin/sh running", running);
}
finally
{
    await etcd.DisposeAsync();
}

static void Report(string name, List<double> samples)
{
    samples.Sort();
    double P(double q) => samples[Math.Min(samples.Count - 1, (int)Math.Ceiling(q * samples.Count) - 1)];
    Console.WriteLine(FormattableString.Invariant($"{name}: n={samples.Count} p50={P(0.50):F2} ms p99={P(0.99):F2} ms max={samples[^1]:F2} ms"));
}

internal sealed class SwitchCheck : IHealthCheck
{
    public volatile CheckState State;

    public long ReturnedAt { get; private set; }

    public long ReturnedWallNs { get; private set; }

    public Task<CheckResult> RunAsync(CancellationToken cancellationToken = default)
    {
        ReturnedWallNs = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
        ReturnedAt = Stopwatch.GetTimestamp();
        return Task.FromResult(new CheckResult(State, State.Name(), TimeSpan.Zero));
    }
}

internal sealed class TimingRunner : ICommandRunner
{
    private TaskCompletionSource<(long, string)>? _done;

    public Task<(long, string)> Arm()
    {
        _done = new TaskCompletionSource<(long, string)>(TaskCreationOptions.RunContinuationsAsynchronously);
        return _done.Task;
    }

    public async Task<CommandResult> RunAsync(CommandSpec spec, CancellationToken cancellationToken = default)
    {
        long at = Stopwatch.GetTimestamp();
        var r = await ShellCommandRunner.Instance.RunAsync(spec, cancellationToken);
        _done?.TrySetResult((at, r.StandardOutput));
        return r;
    }
}
