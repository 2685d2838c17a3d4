using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Tend.Core.Kv;
using Tend.Stores.Consul;

namespace Tend.Stores.Bench.Consul;

/// <summary>Put → change seen by a watch, against the put's own round trip; the writer is a second client, as another host would be.</summary>
internal static class LatencyBench
{
    public static async Task RunAsync(string endpoint, int count, int prefixes, bool sharedRoot)
    {
        var root = "/bench/latency/" + Guid.NewGuid().ToString("N")[..8];
        var settings = ConsulStoreSettings.Default with { WatchRoot = sharedRoot ? root : null };
        await using var watcherStore = new ConsulKvStore(new KvStoreOptions { Kind = "consul", Endpoints = [endpoint] }, settings);
        await using var writer = new ConsulKvStore(new KvStoreOptions { Kind = "consul", Endpoints = [endpoint] });
        for (int p = 0; p < prefixes; p++)
        {
            await writer.PutAsync($"{root}/p{p}/seed", "s");
        }

        var arrivals = Channel.CreateUnbounded<(long Revision, long Ticks)>();
        using var stop = new CancellationTokenSource();
        var watches = new List<Task>();
        for (int p = 0; p < prefixes; p++)
        {
            var prefix = $"{root}/p{p}";
            var start = await watcherStore.ListAsync(prefix);
            bool measured = p == 0;
            watches.Add(Task.Run(async () =>
            {
                try
                {
                    await foreach (var batch in watcherStore.WatchAsync(prefix, start.Revision + 1, stop.Token))
                    {
                        long now = Stopwatch.GetTimestamp();
                        if (measured)
                        {
                            foreach (var c in batch.Changes)
                            {
                                arrivals.Writer.TryWrite((c.Revision, now));
                            }
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                }
            }));
        }

        for (int i = 0; i < 100; i++)
        {
            var rev = await writer.PutAsync(root + "/p0/warm", "w" + i.ToString(CultureInfo.InvariantCulture));
            while ((await arrivals.Reader.ReadAsync()).Revision != rev)
            {
            }
        }

        var put = new double[count];
        var seen = new double[count];
        for (int i = 0; i < count; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            long rev = await writer.PutAsync(root + "/p0/k", i.ToString(CultureInfo.InvariantCulture));
            long t1 = Stopwatch.GetTimestamp();
            var (seenRev, at) = await arrivals.Reader.ReadAsync();
            if (seenRev != rev)
            {
                throw new InvalidOperationException($"expected the change at index {rev}, got {seenRev}");
            }

            put[i] = Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds;
            seen[i] = Stopwatch.GetElapsedTime(t0, at).TotalMilliseconds;
        }

        await stop.CancelAsync();
        await Task.WhenAll(watches);
        Console.WriteLine($"watched prefixes: {prefixes} ({(sharedRoot ? "one blocking query on their parent" : "one blocking query each")}), changes: {count}");
        Console.WriteLine($"put round trip          p50 {Measure.Percentile(put, 50):F3} ms  p99 {Measure.Percentile(put, 99):F3} ms");
        Console.WriteLine($"put start → change seen p50 {Measure.Percentile(seen, 50):F3} ms  p99 {Measure.Percentile(seen, 99):F3} ms");
        Console.WriteLine($"seen − put (p50)        {Measure.Percentile(seen, 50) - Measure.Percentile(put, 50):F3} ms");
    }
}
