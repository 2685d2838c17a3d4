using System.Diagnostics;
using System.Globalization;
using Tend.Core.Kv;
using Tend.Stores.Consul;

namespace Tend.Stores.Bench.Consul;

/// <summary>Lists COUNT keys of 64-byte values twice in this process: wall time, CPU, and peak RSS after each.</summary>
internal static class ListBench
{
    public static async Task RunAsync(string endpoint, int count)
    {
        var root = "/bench/list" + count.ToString(CultureInfo.InvariantCulture);
        await using (var loader = new ConsulKvStore(new KvStoreOptions { Kind = "consul", Endpoints = [endpoint] }))
        {
            if (await loader.GetAsync(root + "-done") is null)
            {
                var value = new string('v', 64);
                for (int i = 0; i < count; i += 64)
                {
                    var ops = Enumerable.Range(i, Math.Min(64, count - i)).Select(k => KvOperation.Put($"{root}/svc/{k:D6}", value)).ToArray();
                    await loader.CommitAsync(KvTransaction.Of(ops));
                }

                await loader.PutAsync(root + "-done", "1");
                Console.WriteLine($"loaded {count} keys; run again in a fresh process for the timed listing");
            }
        }

        Console.WriteLine($"peak RSS before listing: {Measure.PeakRssMb():F1} MB");
        await using var store = new ConsulKvStore(new KvStoreOptions { Kind = "consul", Endpoints = [endpoint] });
        var keep = new List<KvSnapshot>();
        for (int run = 1; run <= 2; run++)
        {
            var cpu = Measure.Cpu();
            var sw = Stopwatch.StartNew();
            var snapshot = await store.ListAsync(root + "/svc");
            sw.Stop();
            keep.Add(snapshot);
            Console.WriteLine($"listing {run}: {snapshot.Count} keys in {sw.Elapsed.TotalMilliseconds:F0} ms, CPU {(Measure.Cpu() - cpu).TotalMilliseconds:F0} ms, peak RSS {Measure.PeakRssMb():F1} MB");
        }

        GC.KeepAlive(keep);
    }
}
