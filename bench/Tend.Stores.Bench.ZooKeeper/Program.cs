using System.Diagnostics;
using System.Globalization;
using System.Text;
using Tend.Stores.Bench.ZooKeeper;
using Tend.Stores.ZooKeeper;
using Tend.Testing.Servers;

// Usage: Tend.Stores.Bench.ZooKeeper [--connect host:port] [--ops N] [--kazoo path/to/kazoo_bench.py]
// Without --connect a standalone server (Debian's zookeeper) is started on a free loopback port.
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
    Console.WriteLine($"ZooKeeper at {connect}; {settings.Operations} operations per run; {Environment.ProcessorCount} cores; .NET {Environment.Version}");
    var results = await TendRunner.RunAsync(connect, settings.Operations);
    var kazoo = settings.KazooScript is null ? [] : await KazooRunner.RunAsync(settings.KazooScript, connect, settings.Operations);
    Console.WriteLine();
    Console.WriteLine("| Benchmark | Tend ZooKeeperClient | kazoo |");
    Console.WriteLine("|---|---:|---:|");
    foreach (var (name, value) in results)
    {
        var other = kazoo.TryGetValue(name, out var k) ? k : "-";
        Console.WriteLine($"| {name} | {value} | {other} |");
    }
}
finally
{
    if (server is not null)
    {
        await server.DisposeAsync();
    }
}

namespace Tend.Stores.Bench.ZooKeeper
{
    internal sealed record BenchSettings(string? Connect, int Operations, string? KazooScript)
    {
        public static BenchSettings Parse(string[] args)
        {
            string? connect = null;
            string? kazoo = null;
            int ops = 5000;
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
                    case "--kazoo":
                        kazoo = args[i + 1];
                        break;
                    default:
                        throw new ArgumentException($"Unknown option {args[i]}");
                }
            }

            return new BenchSettings(connect, ops, kazoo);
        }
    }

    /// <summary>The same operations as bench/zk/kazoo_bench.py, with our client.</summary>
    internal static class TendRunner
    {
        public static async Task<List<(string Name, string Value)>> RunAsync(string connect, int n)
        {
            var results = new List<(string, string)>();
            await using var client = new ZooKeeperClient(new ZooKeeperClientOptions { ConnectString = connect, RequestTimeout = TimeSpan.FromSeconds(60) });
            await client.ConnectAsync();
            var root = "/bench-tend-" + Guid.NewGuid().ToString("N")[..8];
            await client.CreateAsync(root, ReadOnlyMemory<byte>.Empty);
            var payload = Encoding.UTF8.GetBytes(new string('x', 100));

            // Warm-up (JIT, connection buffers), not measured.
            await client.CreateAsync(root + "/warm", payload);
            for (int i = 0; i < 500; i++)
            {
                await client.GetDataAsync(root + "/warm");
            }

            await client.CreateAsync(root + "/seq", ReadOnlyMemory<byte>.Empty);
            results.Add(("sequential create (ops/s)", Rate(n, await Time(async () =>
            {
                for (int i = 0; i < n; i++)
                {
                    await client.CreateAsync($"{root}/seq/{i}", payload);
                }
            }))));
            results.Add(("sequential get (ops/s)", Rate(n, await Time(async () =>
            {
                for (int i = 0; i < n; i++)
                {
                    await client.GetDataAsync($"{root}/seq/{i}");
                }
            }))));
            results.Add(("sequential set (ops/s)", Rate(n, await Time(async () =>
            {
                for (int i = 0; i < n; i++)
                {
                    await client.SetDataAsync($"{root}/seq/{i}", payload);
                }
            }))));

            await client.CreateAsync(root + "/pip", ReadOnlyMemory<byte>.Empty);
            results.Add(("pipelined create (ops/s)", Rate(n, await Time(() => Task.WhenAll(Enumerable.Range(0, n).Select(i => client.CreateAsync($"{root}/pip/{i}", payload)))))));
            results.Add(("pipelined get (ops/s)", Rate(n, await Time(() => Task.WhenAll(Enumerable.Range(0, n).Select(i => client.GetDataAsync($"{root}/pip/{i}")))))));
            results.Add(("pipelined set (ops/s)", Rate(n, await Time(() => Task.WhenAll(Enumerable.Range(0, n).Select(i => client.SetDataAsync($"{root}/pip/{i}", payload)))))));

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
            results.Add(("set → watch event p50 (ms)", samples[samples.Count / 2].ToString("F3", CultureInfo.InvariantCulture)));
            results.Add(("set → watch event p99 (ms)", samples[(int)(samples.Count * 0.99)].ToString("F3", CultureInfo.InvariantCulture)));
            return results;
        }

        private static async Task<TimeSpan> Time(Func<Task> action)
        {
            var sw = Stopwatch.StartNew();
            await action();
            return sw.Elapsed;
        }

        private static string Rate(int n, TimeSpan elapsed) => (n / elapsed.TotalSeconds).ToString("N0", CultureInfo.InvariantCulture);
    }

    /// <summary>Runs bench/zk/kazoo_bench.py against the same server and parses its "name=value" lines.</summary>
    internal static class KazooRunner
    {
        public static async Task<Dictionary<string, string>> RunAsync(string script, string connect, int n)
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
                .ToDictionary(parts => parts[0].Trim(), parts => parts[1].Trim());
        }
    }
}
