using Tend.Core.Kv;
using Tend.Core.Mirror;
using Tend.Stores.Consul;

namespace Tend.Stores.Bench.Consul;

/// <summary>CPU of this process while PREFIXES mirrors watch and nothing changes.</summary>
internal static class IdleBench
{
    public static async Task RunAsync(string endpoint, int prefixes, int seconds, bool sharedRoot)
    {
        var root = "/bench/idle/" + Guid.NewGuid().ToString("N")[..8];
        var settings = ConsulStoreSettings.Default with { WatchRoot = sharedRoot ? root : null };
        await using var store = new ConsulKvStore(new KvStoreOptions { Kind = "consul", Endpoints = [endpoint] }, settings);
        for (int p = 0; p < prefixes; p++)
        {
            await store.PutAsync($"{root}/p{p}/k", "v");
        }

        var mirrors = new List<KvMirror>();
        for (int p = 0; p < prefixes; p++)
        {
            var mirror = new KvMirror(store, $"{root}/p{p}");
            mirror.Start();
            mirrors.Add(mirror);
        }

        await Task.WhenAll(mirrors.Select(m => m.WhenSynced));
        await Task.Delay(TimeSpan.FromSeconds(5));
        var cpu = Measure.Cpu();
        var wall = System.Diagnostics.Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        var used = Measure.Cpu() - cpu;
        Console.WriteLine($"{prefixes} watched prefixes ({(sharedRoot ? "one blocking query on their parent" : "one blocking query each")}), {store.Hub.TrackerCount} blocking queries");
        Console.WriteLine($"idle CPU over {wall.Elapsed.TotalSeconds:F0} s: {used.TotalMilliseconds:F0} ms = {used.TotalMilliseconds / wall.Elapsed.TotalMilliseconds * 100:F3} % of one core");
        foreach (var m in mirrors)
        {
            await m.DisposeAsync();
        }
    }
}
