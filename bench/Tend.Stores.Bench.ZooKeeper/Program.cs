using System.Diagnostics;
using System.Globalization;
using System.Text;
using Tend.Stores.Bench.ZooKeeper;
using Tend.Stores.ZooKeeper;
using Tend.Testing.Servers;

// Usage: Tend.Stores.Bench.ZooKeeper [--connect host:port] [--ops N] [--runs R] [--kazoo path/to/kazoo_bench.py] [--idle S]
// Without --connect a standalone server (Debian's zookeeper) is started on a free loopback port.
// Each of the R rounds runs our client, then kazoo (odd rounds) or kazoo, then our client (even
// rounds), against the same server; the table shows the median of the rounds and their range.
var settings = BenchSettings.Parse(args);
ZooKeeperServer? server = null;
var connect = settings.Connect;
if (connect is null)
{
    server = await ZooKeeperServer.StartStandaloneAsync();
    connect = server.EndPoint;
}

try
{
    if (settings.IdleSeconds > 0)
    {
        await IdleRunner.RunAsync(connect, settings.IdleSeconds);
        return;
    }

    Console.WriteLine($"ZooKeeper at {connect}; {settings.Operations} operations per phase; {settings.Runs} alternating rounds; {Environment.ProcessorCount} cores; .NET {Environment.Version}");
    Console.WriteLine($"load average before: {LoadAverage()}");
    var tend = new List<Dictionary<string, double>>();
    var kazoo = new List<Dictionary<string, double>>();
    for (int round = 1; round <= settings.Runs; round++)
    {
        bool tendFirst = round % 2 == 1;
        for (int side = 0; side < 2; side++)
        {
            if ((side == 0) == tendFirst)
            {
                tend.Add(await TendRunner.RunAsync(connect, settings.Operations));
                Console.WriteLine($"round {round}: Tend done (load {LoadAverage()})");
            }
            else if (settings.KazooScript is not null)
            {
                kazoo.Add(await KazooRunner.RunAsync(settings.KazooScript, connect, settings.Operations));
                Console.WriteLine($"round {round}: kazoo done (load {LoadAverage()})");
            }
        }
    }

    Console.WriteLine($"load average after: {LoadAverage()}");
    Console.WriteLine();
    Console.WriteLine("| Benchmark | Tend median (min–max) | kazoo median (min–max) |");
    Console.WriteLine("|---|---:|---:|");
    foreach (var name in tend[0].Keys)
    {
        Console.WriteLine($"| {name} | {Summary(tend, name)} | {Summary(kazoo, name)} |");
    }

    Console.WriteLine();
    Console.WriteLine("Per round (Tend / kazoo):");
    foreach (var name in tend[0].Keys)
    {
        var cells = Enumerable.Range(0, tend.Count).Select(i => $"{Format(tend[i][name])} / {(i < kazoo.Count && kazoo[i].TryGetValue(name, out var k) ? Format(k) : "-")}");
        Console.WriteLine($"| {name} | {string.Join(" | ", cells)} |");
    }
}
finally
{
    if (server is not null)
    {
        await server.DisposeAsync();
    }
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

static string Summary(List<Dictionary<string, double>> runs, string name)
{
    var values = runs.Where(r => r.ContainsKey(name)).Select(r => r[name]).Order().ToList();
    if (values.Count == 0)
    {
        return "-";
    }

    double median = values.Count % 2 == 1 ? values[values.Count / 2] : (values[(values.Count / 2) - 1] + values[values.Count / 2]) / 2;
    return $"{Format(median)} ({Format(values[0])}–{Format(values[^1])})";
}

static string Format(double value) => value >= 100 ? value.ToString("N0", CultureInfo.InvariantCulture) : value.ToString("0.###", CultureInfo.InvariantCulture);

namespace Tend.Stores.Bench.ZooKeeper
{
    internal sealed record BenchSettings(string? Connect, int Operations, int Runs, string? KazooScript, int IdleSeconds)
    {
        public static BenchSettings Parse(string[] args)
        {
            string? connect = null;
            string? kazoo = null;
            int ops = 5000;
            int runs = 5;
            int idle = 0;
            for (int i = 0; i + 1 < args.Length; i += 2)
            {
                switch (args[i])
                {
                    case "--connect":
                        connect = args[i + 1];
                        break;
                    case "--ops":
                        ops = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                        break;
                    case "--runs":
                        runs = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                        break;
                    case "--idle":
                        idle = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                        break;
                    case "--kazoo":
                        kazoo = args[i + 1];
                        break;
                    default:
                        throw new ArgumentException($"Unknown option {args[i]}");
                }
            }

            return new BenchSettings(connect, ops, runs, kazoo, idle);
        }
    }

    /// <summary>The same operations as bench/zk/kazoo_bench.py, with our client.</summary>
    internal static class TendRunner
    {
        private const int WarmUp = 500;

        public static async Task<Dictionary<string, double>> RunAsync(string connect, int n)
        {
            var results = new Dictionary<string, double>();
            await using var client = new ZooKeeperClient(new ZooKeeperClientOptions { ConnectString = connect, RequestTimeout = TimeSpan.FromSeconds(60) });
            await client.ConnectAsync();
            var root = "/bench-tend-" + Guid.NewGuid().ToString("N")[..8];
            await client.CreateAsync(root, ReadOnlyMemory<byte>.Empty);
            var payload = Encoding.UTF8.GetBytes(new string('x', 100));

            // Warm-up of every operation kind (JIT, buffers), not measured; kazoo_bench.py does the same.
            await client.CreateAsync(root + "/warm", ReadOnlyMemory<byte>.Empty);
            for (int i = 0; i < WarmUp; i++)
            {
                await client.CreateAsync($"{root}/warm/{i}", payload);
                await client.GetDataAsync($"{root}/warm/{i}");
                await client.SetDataAsync($"{root}/warm/{i}", payload);
            }

            await Task.WhenAll(Enumerable.Range(0, WarmUp).Select(i => client.GetDataAsync($"{root}/warm/{i}")));

            await client.CreateAsync(root + "/seq", ReadOnlyMemory<byte>.Empty);
            await Measure(results, "sequential create", n, async () =>
            {
                for (int i = 0; i < n; i++)
                {
                    await client.CreateAsync($"{root}/seq/{i}", payload);
                }
            });
            await Measure(results, "sequential get", n, async () =>
            {
                for (int i = 0; i < n; i++)
                {
                    await client.GetDataAsync($"{root}/seq/{i}");
                }
            });
            await Measure(results, "sequential set", n, async () =>
            {
                for (int i = 0; i < n; i++)
                {
                    await client.SetDataAsync($"{root}/seq/{i}", payload);
                }
            });

            await client.CreateAsync(root + "/pip", ReadOnlyMemory<byte>.Empty);
            await Measure(results, "pipelined create", n, () => Task.WhenAll(Enumerable.Range(0, n).Select(i => client.CreateAsync($"{root}/pip/{i}", payload))));
            await Measure(results, "pipelined get", n, () => Task.WhenAll(Enumerable.Range(0, n).Select(i => client.GetDataAsync($"{root}/pip/{i}"))));
            await Measure(results, "pipelined set", n, () => Task.WhenAll(Enumerable.Range(0, n).Select(i => client.SetDataAsync($"{root}/pip/{i}", payload))));

            // set → watch event: another session writes; this one arms a one-shot data watch before
            // each write (Debian's kazoo 2.8 has no persistent watches, so both sides do the same).
            await using var writer = new ZooKeeperClient(new ZooKeeperClientOptions { ConnectString = connect });
            await writer.CreateAsync(root + "/lat", payload);
            var samples = new List<double>();
            for (int i = 0; i < Math.Min(n, 1000); i++)
            {
                var pending = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
                await client.GetDataAsync(root + "/lat", _ => pending.TrySetResult(Stopwatch.GetTimestamp()));
                long start = Stopwatch.GetTimestamp();
                await writer.SetDataAsync(root + "/lat", payload);
                long seen = await pending.Task.WaitAsync(TimeSpan.FromSeconds(10));
                samples.Add(Stopwatch.GetElapsedTime(start, seen).TotalMilliseconds);
            }

            samples.Sort();
            results["set → watch event p50 (ms)"] = samples[samples.Count / 2];
            results["set → watch event p99 (ms)"] = samples[(int)(samples.Count * 0.99)];

            // A hand-off means a callback held the reader for a whole watchdog period (a stall, a GC
            // pause, or the thread preempted on a loaded machine); it costs a thread start.
            results["reader hand-offs (count)"] = (await client.Session.GetConnectionAsync()).ReaderHandOffs;

            // Leave the server as we found it, so later rounds see the same tree size.
            await DeleteTreeAsync(client, root);
            return results;
        }

        private static async Task Measure(Dictionary<string, double> results, string name, int n, Func<Task> action)
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            await action();
            var elapsed = sw.Elapsed;
            cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            results[$"{name} (ops/s)"] = n / elapsed.TotalSeconds;
            results[$"{name} CPU (us/op)"] = cpu.TotalMicroseconds / n;
        }

        private static async Task DeleteTreeAsync(ZooKeeperClient client, string path)
        {
            var children = await client.GetChildrenAsync(path);
            if (children is not null)
            {
                await Task.WhenAll(children.Children.Select(c => DeleteTreeAsync(client, path + "/" + c)));
            }

            await client.DeleteAsync(path);
        }
    }

    /// <summary>CPU time of this process while one connected session sits idle (it should only ping).</summary>
    internal static class IdleRunner
    {
        public static async Task RunAsync(string connect, int seconds)
        {
            await using var client = new ZooKeeperClient(new ZooKeeperClientOptions { ConnectString = connect });
            await client.ConnectAsync();
            await client.ExistsAsync("/");
            await Task.Delay(TimeSpan.FromSeconds(2));
            var (before, ticks) = (CpuTicks(), Environment.TickCount64);
            await Task.Delay(TimeSpan.FromSeconds(seconds));
            long used = CpuTicks() - before;
            double wall = (Environment.TickCount64 - ticks) / 1000.0;
            Console.WriteLine($"idle session, session timeout {client.Options.SessionTimeout.TotalSeconds:0} s: {used} clock ticks (1/100 s) of CPU (utime+stime of /proc/self/stat) in {wall:0.0} s wall = {used * 10.0 / wall:0.00} ms CPU per second; load {LoadAverageOf()}");
        }

        // Fields 14 and 15 of /proc/self/stat (after the parenthesised command name).
        private static long CpuTicks()
        {
            var stat = File.ReadAllText("/proc/self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }

        private static string LoadAverageOf() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
    }

    /// <summary>Runs bench/zk/kazoo_bench.py against the same server and parses its "name=value" lines.</summary>
    internal static class KazooRunner
    {
        public static async Task<Dictionary<string, double>> RunAsync(string script, string connect, int n)
        {
            var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, UseShellExecute = false };
            psi.ArgumentList.Add(script);
            psi.ArgumentList.Add(connect);
            psi.ArgumentList.Add(n.ToString(CultureInfo.InvariantCulture));
            using var p = Process.Start(psi) ?? throw new InvalidOperationException("python3 did not start");
            var output = await p.StandardOutput.ReadToEndAsync();
            await p.WaitForExitAsync();
            if (p.ExitCode != 0)
            {
                throw new InvalidOperationException($"kazoo benchmark failed ({p.ExitCode}): {output}");
            }

            return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => l.Split('=', 2))
                .Where(parts => parts.Length == 2)
                .ToDictionary(parts => parts[0].Trim(), parts => double.Parse(parts[1].Trim(), CultureInfo.InvariantCulture));
        }
    }
}
