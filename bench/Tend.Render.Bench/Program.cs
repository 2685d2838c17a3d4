using System.Diagnostics;
using System.Globalization;
using Tend.Core.Config;
using Tend.Core.Mirror;
using Tend.Core.Processes;
using Tend.Modules.Render;
using Tend.Stores.Memory;

// Render benchmarks, timed with a stopwatch because both measure a whole pipeline, not a method:
//   1. put → file on disk: a put into the store until the re-rendered file holds the new value
//      (mirror, watch loop, render, compare, stage + fsync, rename + directory fsync).
//   2. onetime render of a 10,000-key host list (list, render, write), and the same run again
//      when the file is already current (list, render, compare only).
// Usage: dotnet run -c Release --project bench/Tend.Render.Bench [-- puts keys]
int puts = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 300;
int keys = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10_000;
var dir = Directory.CreateTempSubdirectory("tend-render-bench-").FullName;
try
{
    await PutToDiskAsync(dir, puts);
    await OnetimeAsync(dir, keys);
}
finally
{
    Directory.Delete(dir, recursive: true);
}

static async Task PutToDiskAsync(string dir, int puts)
{
    var store = new MemoryKvStore();
    for (int i = 0; i < 50; i++)
    {
        await store.PutAsync($"/hosts/web{i:D3}", $"10.0.{i / 250}.{i % 250}");
    }

    await store.PutAsync("/probe", "0");
    var template = Path.Combine(dir, "latency.tmpl");
    File.WriteAllText(template, "{{range gets \"/hosts/*\"}}server {{base .Key}} {{.Value}}\n{{end}}probe {{getv \"/probe\"}}\n");
    var dest = Path.Combine(dir, "latency.out");
    var resource = new RenderResourceOptions { Id = "latency", Source = template, Destination = dest, Keys = ["/hosts", "/probe"] };
    await using var mirrors = new KvMirrorSet(store);
    await using var module = RenderModule.Create(new RenderOptions { Templates = [resource] }, store, mirrors, ShellCommandRunner.Instance);
    module.Start();
    await WaitForAsync(dest, "probe 0\n");

    var samples = new List<double>(puts);
    for (int i = 1; i <= puts; i++)
    {
        var expected = $"probe {i}\n";
        var sw = Stopwatch.StartNew();
        await store.PutAsync("/probe", i.ToString(CultureInfo.InvariantCulture));
        await WaitForAsync(dest, expected);
        samples.Add(sw.Elapsed.TotalMilliseconds);
    }

    samples.Sort();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"put -> file on disk ({puts} puts, 51-key template): p50 {Pct(samples, 50):F2} ms, p90 {Pct(samples, 90):F2} ms, p99 {Pct(samples, 99):F2} ms, max {samples[^1]:F2} ms"));
}

static async Task OnetimeAsync(string dir, int keys)
{
    var store = new MemoryKvStore();
    for (int i = 0; i < keys; i++)
    {
        await store.PutAsync($"/hosts/host{i:D5}", $"10.{i / 65536}.{i / 256 % 256}.{i % 256}");
    }

    var template = Path.Combine(dir, "hosts.tmpl");
    File.WriteAllText(template, "{{range gets \"/hosts/*\"}}{{.Value}}\t{{base .Key}}\n{{end}}");
    var dest = Path.Combine(dir, "hosts.out");
    var resource = new RenderResourceOptions { Id = "hosts", Source = template, Destination = dest, Keys = ["/hosts"] };
    var options = new RenderOptions { Templates = [resource] };

    var cold = new List<double>();
    var current = new List<double>();
    for (int run = 0; run < 12; run++)
    {
        File.Delete(dest);
        var sw = Stopwatch.StartNew();
        await using (var module = RenderModule.Create(options, store, null, ShellCommandRunner.Instance))
        {
            if (!await module.RunOnceAsync())
            {
                throw new InvalidOperationException("render failed");
            }
        }

        cold.Add(sw.Elapsed.TotalMilliseconds);
        sw.Restart();
        await using (var module = RenderModule.Create(options, store, null, ShellCommandRunner.Instance))
        {
            await module.RunOnceAsync();
        }

        current.Add(sw.Elapsed.TotalMilliseconds);
    }

    // The first two runs warm up the JIT.
    cold = [.. cold.Skip(2).Order()];
    current = [.. current.Skip(2).Order()];
    var size = new FileInfo(dest).Length;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"onetime, {keys} keys -> {size / 1024.0:F0} KiB file: written median {Pct(cold, 50):F1} ms (min {cold[0]:F1}), already current median {Pct(current, 50):F1} ms (min {current[0]:F1}); includes template parse"));
}

static double Pct(List<double> sorted, int p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p / 100.0 * sorted.Count) - 1)];

static async Task WaitForAsync(string path, string suffix)
{
    // inotify (FileSystemWatcher) wakes the waiter when the rename lands, so the measurement does
    // not spin a core that the render itself needs; the short timeout covers a missed event.
    using var watcher = new FileSystemWatcher(Path.GetDirectoryName(path)!) { EnableRaisingEvents = true };
    var signal = new SemaphoreSlim(0);
    watcher.Renamed += (_, _) => signal.Release();
    watcher.Created += (_, _) => signal.Release();
    watcher.Changed += (_, _) => signal.Release();
    var deadline = Stopwatch.StartNew();
    while (true)
    {
        try
        {
            if (File.Exists(path) && File.ReadAllText(path).EndsWith(suffix, StringComparison.Ordinal))
            {
                return;
            }
        }
        catch (IOException)
        {
            // Raced with the rename; look again.
        }

        if (deadline.Elapsed > TimeSpan.FromSeconds(30))
        {
            throw new TimeoutException($"{path} never ended with {suffix.Trim()}");
        }

        await signal.WaitAsync(TimeSpan.FromMilliseconds(50));
    }
}
