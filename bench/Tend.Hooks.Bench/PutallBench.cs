using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Tend.Core.Kv;
using Tend.Modules.Hooks;
using Tend.Modules.Hooks.Inventory;
using Tend.Stores.Etcd;
using Tend.Testing.Servers;

/// <summary>
/// /putall of N hosts: (1) planning in-process — validating the names, the difference against the
/// current tree, and the etcd txn planner over the operations — timed per step as the median of 21
/// runs, with the CPU time and allocations; (2) end to end through a `tend run` process on a real etcd
/// with its default --max-txn-ops (128): the first replace, a no-op, one state changed, all states changed.
/// </summary>
internal static class PutallBench
{
    public static async Task RunAsync(int hosts)
    {
        Plan(hosts);
        var etcd = new EtcdServer();
        await etcd.InitializeAsync();
        try
        {
            await EndToEndAsync(etcd.ClientUrl, hosts);
        }
        finally
        {
            await etcd.DisposeAsync();
        }
    }

    private static void Plan(int count)
    {
        var inventory = new HostInventory(new HostInventoryOptions());
        var body = Body(count, i => "hbout");
        var names = body.ToList();
        var keys = inventory.ToKeys(names);
        var empty = KvSnapshot.Empty("/site", 1);
        var full = KvSnapshot.Create("/site", 2, keys.Select(k => new KvPair(k.Key, k.Value, 2)));
        var oneChanged = inventory.ToKeys(Body(count, i => i == 7 ? "active" : "hbout").ToList());
        var allChanged = inventory.ToKeys(Body(count, i => "active").ToList());
        var puts = inventory.PlanReplace(empty, keys);

        Measure($"validate {count} names and states (ToKeys)", () => inventory.ToKeys(names).Count);
        Measure($"plan against an empty tree ({count} puts)", () => inventory.PlanReplace(empty, keys).Count);
        Measure($"plan against the same {count} hosts (no-op)", () => inventory.PlanReplace(full, keys).Count);
        Measure($"plan against {count} hosts, one state changed", () => inventory.PlanReplace(full, oneChanged).Count);
        Measure($"plan against {count} hosts, every state changed", () => inventory.PlanReplace(full, allChanged).Count);
        Measure($"etcd txn planner over {count} puts", () => EtcdTxnPlanner.Plan(puts).Count);
        Measure($"etcd txn planner over {2 * count} puts and deletes", () => EtcdTxnPlanner.Plan([.. puts, .. puts.Where((_, i) => i % 2 == 0).Select(p => KvOperation.Delete(p.Key))]).Count);
    }

    private static void Measure(string what, Func<int> action)
    {
        for (int i = 0; i < 3; i++)
        {
            action();
        }

        var times = new List<double>();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        const int Runs = 21;
        for (int i = 0; i < Runs; i++)
        {
            var sw = Stopwatch.StartNew();
            action();
            times.Add(sw.Elapsed.TotalMilliseconds);
        }

        var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / Runs;
        var mb = (GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)Runs / (1024 * 1024);
        times.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what}: median {times[Runs / 2]:F2} ms (min {times[0]:F2}, max {times[^1]:F2}), CPU {cpuMs:F2} ms, {mb:F2} MB allocated per run"));
    }

    private static async Task EndToEndAsync(string endpoint, int count)
    {
        var dir = Directory.CreateTempSubdirectory("tend-putall-bench-").FullName;
        const string Token = "putall-bench-token-0123456789";
        try
        {
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
                token = "{Token}"
                """);
            await using var tend = TendRunProcess.Start(config);
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(5) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            await TendRunProcess.WaitServingAsync(http);

            // Warm the process up on another root size first (JIT, connections), then the timed cases.
            await PutAsync(http, Body(200, _ => "warm", "papi"), "warm-up (200 hosts)", print: false);
            await PutAsync(http, Body(count, _ => "hbout"), $"first replace: {count} new hosts (and 200 deleted)");
            await PutAsync(http, Body(count, _ => "hbout"), $"the same {count} hosts again (no-op)");
            await PutAsync(http, Body(count, i => i == 7 ? "active" : "hbout"), $"{count} hosts, one state changed");
            await PutAsync(http, Body(count, _ => "active"), $"{count} hosts, every state changed");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task PutAsync(HttpClient http, Dictionary<string, string> body, string what, bool print = true)
    {
        var json = JsonSerializer.Serialize(body);
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        var sw = Stopwatch.StartNew();
        using var response = await http.PutAsync("/putall", content);
        var text = await response.Content.ReadAsStringAsync();
        var ms = sw.Elapsed.TotalMilliseconds;
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{what}: {(int)response.StatusCode} {text}");
        }

        if (print)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"PUT /putall, {what} ({json.Length / 1024.0:F0} KiB): {ms:F0} ms, answer {text}"));
        }
    }

    private static Dictionary<string, string> Body(int count, Func<int, string> state, string type = "web") =>
        Enumerable.Range(1, count).ToDictionary(i => $"site-{type}-{i}", state);
}
