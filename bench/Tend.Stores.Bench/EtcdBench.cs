using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Tend.Core.Kv;
using Tend.Stores.Etcd;

namespace Tend.Stores.Bench;

/// <summary>End-to-end measurements of the etcd store against a real server.</summary>
internal static class EtcdBench
{
    /// <summary>Put → watch event latency, next to the put's own round trip, over <paramref name="count"/> sequential changes.</summary>
    public static async Task LatencyAsync(string endpoint, int count, EtcdTransport transport)
    {
        await using var store = new EtcdKvStore(new KvStoreOptions { Kind = "etcd", Endpoints = [endpoint] }, EtcdStoreSettings.Default with { Transport = transport });
        var root = "/bench/latency/" + Guid.NewGuid().ToString("N")[..8];
        var start = await store.ListAsync(root);
        var arrivals = Channel.CreateUnbounded<(long Revision, long Ticks)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var stop = new CancellationTokenSource();
        var watcher = Task.Run(async () =>
        {
            try
            {
                await foreach (var batch in store.WatchAsync(root, start.Revision + 1, stop.Token))
                {
                    long now = Stopwatch.GetTimestamp();
                    foreach (var c in batch.Changes)
                    {
                        arrivals.Writer.TryWrite((c.Revision, now));
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        });

        // Warm up connections and the JIT.
        for (int i = 0; i < 100; i++)
        {
            await store.PutAsync(root + "/warm", "w");
            await arrivals.Reader.ReadAsync();
        }

        var put = new double[count];
        var evt = new double[count];
        for (int i = 0; i < count; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            long rev = await store.PutAsync(root + "/k", i.ToString(CultureInfo.InvariantCulture));
            long t1 = Stopwatch.GetTimestamp();
            (long seenRev, long at) = await arrivals.Reader.ReadAsync();
            if (seenRev != rev)
            {
                throw new InvalidOperationException($"expected the event of revision {rev}, got {seenRev}");
            }

            put[i] = Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds;
            evt[i] = Stopwatch.GetElapsedTime(t0, at).TotalMilliseconds;
        }

        await stop.CancelAsync();
        await watcher;
        Console.WriteLine($"transport: {store.TransportKind}, changes: {count}");
        Console.WriteLine($"put round trip      p50 {P(put, 50):F3} ms  p99 {P(put, 99):F3} ms");
        Console.WriteLine($"put → watch event   p50 {P(evt, 50):F3} ms  p99 {P(evt, 99):F3} ms");
        Console.WriteLine($"event − put (p50)   {P(evt, 50) - P(put, 50):F3} ms");
    }

    /// <summary>Writes <paramref name="count"/> keys (if not there yet), then times one paged listing of them.</summary>
    public static async Task ListAsync(string endpoint, int count, int pageSize, EtcdTransport transport)
    {
        var root = "/bench/list" + count.ToString(CultureInfo.InvariantCulture);
        {
            await using var loader = new EtcdKvStore(new KvStoreOptions { Kind = "etcd", Endpoints = [endpoint] });
            var existing = (await loader.GetAsync($"{root}/done"))?.Value;
            if (existing is null)
            {
                var value = new string('v', 64);
                var batches = Enumerable.Range(0, count).Chunk(100)
                    .Select(chunk => KvTransaction.Of([.. chunk.Select(i => KvOperation.Put($"{root}/svc/{i:D7}", value))]));
                await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (txn, ct) => await loader.CommitAsync(txn, ct));
                await loader.PutAsync($"{root}/done", "yes");
            }
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long baseline = GC.GetTotalMemory(true);
        long allocatedBefore = GC.GetTotalAllocatedBytes(true);
        await using var store = new EtcdKvStore(new KvStoreOptions { Kind = "etcd", Endpoints = [endpoint] }, EtcdStoreSettings.Default with { PageSize = pageSize, Transport = transport });
        var cpu0 = CpuTime();
        var sw = Stopwatch.StartNew();
        var snapshot = await store.ListAsync(root + "/svc");
        sw.Stop();
        var cold = sw.Elapsed;
        var coldCpu = CpuTime() - cpu0;
        long coldPeak;
        using (var me = Process.GetCurrentProcess())
        {
            coldPeak = me.PeakWorkingSet64;
        }

        // Again, now that the code is jitted and the connection open: the steady-state cost.
        snapshot = null;
        GC.Collect();
        cpu0 = CpuTime();
        sw.Restart();
        snapshot = await store.ListAsync(root + "/svc");
        sw.Stop();
        var warmCpu = CpuTime() - cpu0;
        long retained = GC.GetTotalMemory(true) - baseline;
        long allocated = GC.GetTotalAllocatedBytes(true) - allocatedBefore;
        if (snapshot.Count != count)
        {
            throw new InvalidOperationException($"listed {snapshot.Count} keys, expected {count}");
        }

        using var self = Process.GetCurrentProcess();
        self.Refresh();
        long peak = self.PeakWorkingSet64;

        Console.WriteLine($"transport:          {store.TransportKind}");
        Console.WriteLine($"keys listed:        {snapshot.Count} (page size {pageSize})");
        Console.WriteLine($"list time, first:   {cold.TotalMilliseconds:F0} ms (cold process: JIT, connection); client CPU {coldCpu.TotalMilliseconds:F0} ms");
        Console.WriteLine($"list time, second:  {sw.Elapsed.TotalMilliseconds:F0} ms; client CPU {warmCpu.TotalMilliseconds:F0} ms");
        Console.WriteLine($"snapshot retained:  {retained / 1048576.0:F1} MB (managed heap after listing)");
        Console.WriteLine($"allocated in total: {allocated / 1048576.0:F1} MB (both listings)");
        Console.WriteLine($"process peak RSS:   {coldPeak / 1048576.0:F1} MB after the first listing, {peak / 1048576.0:F1} MB after the second");
        GC.KeepAlive(snapshot);
        if (transport == EtcdTransport.Gateway)
        {
            // The same pages fetched with a bare HttpClient and not parsed: what the server and transport cost alone.
            var raw = await RawPagesAsync(endpoint, root + "/svc/", root + "/svc0", pageSize);
            Console.WriteLine($"same pages, fetched raw without parsing: {raw.TotalMilliseconds:F0} ms");
        }
    }

    private static async Task<TimeSpan> RawPagesAsync(string endpoint, string start, string end, int pageSize)
    {
        using var http = new HttpClient();
        var url = new Uri(new Uri(endpoint), "/v3/kv/range");
        var from = Encoding.UTF8.GetBytes(start);
        var rangeEnd = Convert.ToBase64String(Encoding.UTF8.GetBytes(end));
        long revision = 0;
        var sw = Stopwatch.StartNew();
        while (true)
        {
            var body = $"{{\"key\":\"{Convert.ToBase64String(from)}\",\"range_end\":\"{rangeEnd}\",\"limit\":\"{pageSize}\"" +
                (revision > 0 ? $",\"revision\":\"{revision}\",\"serializable\":true}}" : "}");
            using var content = new StringContent(body);
            using var answer = await http.PostAsync(url, content);
            var bytes = await answer.Content.ReadAsByteArrayAsync();

            // Only the last key and the flags are dug out, with plain string search.
            var text = Encoding.UTF8.GetString(bytes);
            if (revision == 0)
            {
                int r = text.IndexOf("\"revision\":\"", StringComparison.Ordinal) + 12;
                revision = long.Parse(text.AsSpan(r, text.IndexOf('"', r) - r), CultureInfo.InvariantCulture);
            }

            if (!text.Contains("\"more\":true", StringComparison.Ordinal))
            {
                break;
            }

            int k = text.LastIndexOf("{\"key\":\"", StringComparison.Ordinal) + 8;
            var last = Convert.FromBase64String(text[k..text.IndexOf('"', k)]);
            from = [.. last, 0];
        }

        return sw.Elapsed;
    }

    private static TimeSpan CpuTime()
    {
        using var me = Process.GetCurrentProcess();
        return me.TotalProcessorTime;
    }

    private static double P(double[] values, int percentile)
    {
        var sorted = values.Order().ToArray();
        int index = (int)Math.Ceiling(percentile / 100.0 * sorted.Length) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Length - 1)];
    }
}
