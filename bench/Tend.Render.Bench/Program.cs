using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Tend.Core.Files;
using Tend.Core.Kv;
using Tend.Core.Mirror;
using Tend.Core.Processes;
using Tend.Modules.Render;
using Tend.Modules.Render.Config;
using Tend.Stores.Consul;
using Tend.Stores.Etcd;
using Tend.Stores.Memory;
using Tend.Testing.Servers;

// Render benchmarks, timed with a stopwatch because each measures a whole pipeline, not a method.
//   latency [--puts N] [--store memory|etcd|consul] [--burst]: put into the store until the re-rendered file holds
//       the new value (mirror, watch loop, render, compare, stage + fsync, rename), puts issued
//       back to back (the next as soon as the previous one is on disk), with the put → mirror
//       part split out, and the bytes the process allocated per change (the put's own included).
//       consul needs a consul binary (TEND_CONSUL_BIN or PATH). --burst: puts issued without waiting for the file (renders coalesce).
//   phases [--iterations N]: the pieces of one write of a 2 KB file measured alone, to show where
//       the latency goes (fsync vs fdatasync, rename, directory fsync, compare, the old stat(1) spawn).
//   onetime [--keys N]: an in-process onetime render of a 10,000-key host list (list, render,
//       write), and again when the file is already current (list, render, compare only).
// With no subcommand: latency then onetime (the old `[puts keys]` positional form still works).
// Usage: dotnet run -c Release --project bench/Tend.Render.Bench -- [subcommand] [options]
var command = args.Length > 0 && !char.IsDigit(args[0][0]) ? args[0] : "default";
int Option(string name, int fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

string StoreOption() { int i = Array.IndexOf(args, "--store"); return i >= 0 && i + 1 < args.Length ? args[i + 1] : "memory"; }

var dir = Directory.CreateTempSubdirectory("tend-render-bench-").FullName;
try
{
    switch (command)
    {
        case "latency":
            await LatencyAsync(dir, Option("--puts", 1000), StoreOption(), burst: args.Contains("--burst"));
            break;
        case "phases":
            Phases(dir, Option("--iterations", 500));
            break;
        case "onetime":
            await OnetimeAsync(dir, Option("--keys", 10_000));
            break;
        case "load":
            await LoadAsync(dir, Option("--keys", 10_000));
            break;
        case "memory":
            await MemoryAsync(dir, Option("--keys", 100_000));
            break;
        case "default":
            await LatencyAsync(dir, args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1000, "memory", burst: false);
            await OnetimeAsync(dir, args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10_000);
            break;
        default:
            Console.Error.WriteLine("usage: Tend.Render.Bench [latency [--puts N] [--store memory|etcd|consul] | phases [--iterations N] | onetime [--keys N]]");
            return 2;
    }
}
finally
{
    Directory.Delete(dir, recursive: true);
}

return 0;

static async Task LatencyAsync(string dir, int puts, string storeKind, bool burst)
{
    EtcdServer? etcd = null;
    ConsulServer? consul = null;
    IKvStore store;
    var root = "/bench/render/" + Guid.NewGuid().ToString("N")[..8];
    if (storeKind == "etcd")
    {
        etcd = new EtcdServer();
        await etcd.InitializeAsync();
        store = new PrefixedKvStore(new EtcdKvStore(new KvStoreOptions { Kind = "etcd", Endpoints = [etcd.ClientUrl] }), root);
    }
    else if (storeKind == "consul")
    {
        consul = new ConsulServer();
        if (!consul.Available)
        {
            throw new InvalidOperationException(ConsulServer.SkipReason);
        }

        await consul.InitializeAsync();
        store = new PrefixedKvStore(new ConsulKvStore(new KvStoreOptions { Kind = KvStoreKinds.Consul, Endpoints = [consul.HttpUrl] }), root);
    }
    else
    {
        store = new MemoryKvStore();
    }

    try
    {
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

        if (burst)
        {
            await BurstAsync(store, dest, puts, storeKind);
            return;
        }

        // Stamped by a second subscriber of the mirror the module reads: the moment the change
        // reaches the module (store → watch → mirror), before the render starts.
        long mirrorAt = 0;
        using var stamp = mirrors.Get("/probe").Subscribe(_ => Volatile.Write(ref mirrorAt, Stopwatch.GetTimestamp()));
        var total = new List<double>(puts);
        var toMirror = new List<double>(puts);
        var afterMirror = new List<double>(puts);
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        int collectionsBefore = GC.CollectionCount(0), gen1Before = GC.CollectionCount(1);
        var pauseBefore = GC.GetTotalPauseDuration();
        for (int i = 1; i <= puts; i++)
        {
            var expected = $"probe {i}\n";
            long start = Stopwatch.GetTimestamp();
            await store.PutAsync("/probe", i.ToString(CultureInfo.InvariantCulture));
            await WaitForAsync(dest, expected);
            long end = Stopwatch.GetTimestamp();
            long m = Volatile.Read(ref mirrorAt);
            total.Add(Stopwatch.GetElapsedTime(start, end).TotalMilliseconds);
            toMirror.Add(Stopwatch.GetElapsedTime(start, m).TotalMilliseconds);
            afterMirror.Add(Stopwatch.GetElapsedTime(m, end).TotalMilliseconds);
        }

        Console.WriteLine($"put -> file on disk, {storeKind} store, {puts} puts back to back, 51-key template");
        Report("  total (put -> file seen)", total);
        Report("  put -> mirror (store, watch)", toMirror);
        Report("  mirror -> file seen (render, write, wake of the waiter)", afterMirror);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  allocated per change (the put and the wait included): {allocated / puts / 1024.0:F1} KiB; collections: {GC.CollectionCount(0) - collectionsBefore} ({GC.CollectionCount(1) - gen1Before} of them gen1 or gen2), paused {(GC.GetTotalPauseDuration() - pauseBefore).TotalMilliseconds:F1} ms in all"));
    }
    finally
    {
        await store.DisposeAsync();
        if (etcd is not null)
        {
            await etcd.DisposeAsync();
        }

        if (consul is not null)
        {
            await consul.DisposeAsync();
        }
    }
}

static async Task BurstAsync(IKvStore store, string dest, int puts, string storeKind)
{
    // Puts issued one after another without waiting for the file: renders coalesce, so a put is
    // "on disk" when the file first shows its value or a later one.
    var putAt = new long[puts + 1];
    var seenAt = new long[puts + 1];
    int seen = 0;
    using var watcher = new FileSystemWatcher(Path.GetDirectoryName(dest)!) { EnableRaisingEvents = true };
    var signal = new SemaphoreSlim(0);
    watcher.Renamed += (_, _) => signal.Release();
    var reader = Task.Run(async () =>
    {
        while (seen < puts)
        {
            await signal.WaitAsync(TimeSpan.FromMilliseconds(50));
            string text;
            try
            {
                text = File.ReadAllText(dest);
            }
            catch (IOException)
            {
                continue;
            }

            long now = Stopwatch.GetTimestamp();
            int at = text.LastIndexOf("probe ", StringComparison.Ordinal);
            int v = int.Parse(text.AsSpan(at + 6).Trim(), CultureInfo.InvariantCulture);
            for (int i = seen + 1; i <= v; i++)
            {
                seenAt[i] = now;
            }

            seen = Math.Max(seen, v);
        }
    });
    for (int i = 1; i <= puts; i++)
    {
        putAt[i] = Stopwatch.GetTimestamp();
        await store.PutAsync("/probe", i.ToString(CultureInfo.InvariantCulture));
    }

    await reader.WaitAsync(TimeSpan.FromSeconds(60));
    var samples = Enumerable.Range(1, puts).Select(i => Stopwatch.GetElapsedTime(putAt[i], seenAt[i]).TotalMilliseconds).ToList();
    var span = Stopwatch.GetElapsedTime(putAt[1], seenAt[puts]).TotalMilliseconds;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"put -> file on disk, {storeKind} store, {puts} puts in a burst (no waiting), 51-key template; all on disk {span:F0} ms after the first put"));
    Report("  put -> its value (or a later one) on disk", samples);
}

static void Phases(string dir, int iterations)
{
    var content = new byte[2048];
    for (int i = 0; i < content.Length; i++)
    {
        content[i] = (byte)('a' + (i % 26));
    }

    var dest = Path.Combine(dir, "phase.out");
    AtomicFile.Write(dest, content);
    var results = new Dictionary<string, List<double>>(StringComparer.Ordinal);
    void Add(string name, double ms)
    {
        if (!results.TryGetValue(name, out var list))
        {
            results[name] = list = [];
        }

        list.Add(ms);
    }

    var flusher = new DirectoryFlusher();
    for (int i = 0; i < iterations; i++)
    {
        // Alternated in one loop so load changes hit every variant alike.
        content[0] = (byte)('a' + (i % 26));
        var sw = Stopwatch.StartNew();
        AtomicFile.IsUpToDate(dest, content);
        Add("compare with the destination (statx + read)", sw.Elapsed.TotalMilliseconds);

        sw.Restart();
        var staged = AtomicFile.Stage(dest, content);
        Add("stage: create, write, chmod, fsync", sw.Elapsed.TotalMilliseconds);
        sw.Restart();
        File.Move(staged.Path, dest, overwrite: true);
        Add("rename", sw.Elapsed.TotalMilliseconds);
        staged.Keep();
        staged.Dispose();
        sw.Restart();
        Raw.FsyncDirectory(dir);
        Add("directory fsync", sw.Elapsed.TotalMilliseconds);

        Add("bare write + fsync (new 2 KB file)", Raw.WriteAndSync(Path.Combine(dir, "raw-fsync"), content, dataOnly: false));
        Add("bare write + fdatasync (new 2 KB file)", Raw.WriteAndSync(Path.Combine(dir, "raw-fdatasync"), content, dataOnly: true));

        sw.Restart();
        using (var staged2 = AtomicFile.Stage(dest, content))
        {
            staged2.Commit();
        }

        Add("AtomicFile: stage + commit, directory fsync inline", sw.Elapsed.TotalMilliseconds);
        sw.Restart();
        using (var staged3 = AtomicFile.Stage(dest, content))
        {
            staged3.Commit(flusher: flusher);
        }

        Add("AtomicFile: stage + commit, directory fsync deferred", sw.Elapsed.TotalMilliseconds);
        flusher.FlushAsync().GetAwaiter().GetResult();

        if (i % 10 == 0)
        {
            // The owner lookup before this branch: one stat(1) process per render of an existing file.
            sw.Restart();
            using var p = Process.Start(new ProcessStartInfo("stat", ["-L", "-c", "%u %g", dest]) { RedirectStandardOutput = true, UseShellExecute = false })!;
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            Add("(before) owner lookup by spawning stat(1)", sw.Elapsed.TotalMilliseconds);
            sw.Restart();
            AtomicFile.Owner(dest);
            Add("owner lookup by statx", sw.Elapsed.TotalMilliseconds);
        }
    }

    Console.WriteLine($"phases of writing a 2 KB file, {iterations} iterations (ms)");
    foreach (var (name, list) in results)
    {
        Report("  " + name, list);
    }
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

static async Task LoadAsync(string dir, int keys)
{
    // The file store's first load of a KEYS-entry YAML file (read, parse, flatten, snapshot), the
    // first time in the process (cold: JIT, type loading) and then warm.
    var path = Path.Combine(dir, "data.yaml");
    using (var w = new StreamWriter(path))
    {
        w.WriteLine("hosts:");
        for (int i = 0; i < keys; i++)
        {
            w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  host{i:D6}: 10.{i / 65536}.{i / 256 % 256}.{i % 256}"));
        }
    }

    var times = new List<double>();
    for (int run = 0; run < 11; run++)
    {
        var sw = Stopwatch.StartNew();
        await using var store = new Tend.Stores.Files.FileKvStore(new KvStoreOptions { Kind = "file", Files = [path] });
        var all = await store.ListAsync("/");
        times.Add(sw.Elapsed.TotalMilliseconds);
        if (all.Count != keys)
        {
            throw new InvalidOperationException($"{all.Count} keys");
        }
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"file store load, {keys}-entry YAML: first {times[0]:F1} ms (cold), then median {Pct([.. times.Skip(1).Order()], 50):F1} ms"));
}

static async Task MemoryAsync(string dir, int keys)
{
    // What a watching module over KEYS file-store keys keeps alive (after a full GC) against the
    // process's RSS: tells retained data from garbage the GC has not returned to the OS.
    var path = Path.Combine(dir, "data.yaml");
    using (var w = new StreamWriter(path))
    {
        w.WriteLine("hosts:");
        for (int i = 0; i < keys; i++)
        {
            w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  host{i:D6}: 10.{i / 65536}.{i / 256 % 256}.{i % 256}"));
        }
    }

    var template = Path.Combine(dir, "hosts.tmpl");
    File.WriteAllText(template, "{{range gets \"/hosts/*\"}}define host {\n    host_name  {{base .Key}}\n    address    {{.Value}}\n    use        generic-host\n}\n{{end}}");
    Directory.CreateDirectory(Path.Combine(dir, "out"));
    var dest = Path.Combine(dir, "out", "hosts.cfg");
    long before = GC.GetTotalMemory(forceFullCollection: true);
    await using var store = new Tend.Stores.Files.FileKvStore(new KvStoreOptions { Kind = "file", Files = [path] });
    await using var mirrors = new KvMirrorSet(store);
    var resource = new RenderResourceOptions { Id = "hosts", Source = template, Destination = dest, Keys = ["/hosts"] };
    await using var module = RenderModule.Create(new RenderOptions { Templates = [resource] }, store, mirrors, ShellCommandRunner.Instance);
    module.Start();
    var deadline = Stopwatch.StartNew();
    while (module.Status[0].Writes == 0 && deadline.Elapsed < TimeSpan.FromSeconds(60))
    {
        await Task.Delay(100);
    }

    await Task.Delay(2000);
    long live = GC.GetTotalMemory(forceFullCollection: true) - before;
    var info = GC.GetGCMemoryInfo();
    var rss = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS", StringComparison.Ordinal));
    var hwm = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM", StringComparison.Ordinal));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"memory, {keys} watched keys, {new FileInfo(dest).Length / 1e6:F1} MB file: live managed {live / 1e6:F1} MB after full GC, GC heap {info.HeapSizeBytes / 1e6:F1} MB, committed {info.TotalCommittedBytes / 1e6:F1} MB, peak-load GC heap; {rss.Replace("\t", " ", StringComparison.Ordinal)}, {hwm.Replace("\t", " ", StringComparison.Ordinal)}"));
}

static void Report(string name, List<double> samples)
{
    var s = samples.Order().ToList();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{name}: p50 {Pct(s, 50):F2}, p90 {Pct(s, 90):F2}, p99 {Pct(s, 99):F2}, max {s[^1]:F2} ms ({s.Count} samples)"));
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

/// <summary>Bare system calls, to compare the pieces of a durable write without Tend's code around them.</summary>
internal static partial class Raw
{
    [DllImport("libc", SetLastError = true, EntryPoint = "fsync")]
    private static extern int Fsync(int fd);

    [DllImport("libc", SetLastError = true, EntryPoint = "fdatasync")]
    private static extern int Fdatasync(int fd);

    [DllImport("libc", SetLastError = true, EntryPoint = "open")]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true, EntryPoint = "close")]
    private static extern int Close(int fd);

    public static void FsyncDirectory(string dir)
    {
        int fd = Open(dir, 0x10000);
        Fsync(fd);
        Close(fd);
    }

    /// <summary>Creates a new file (the old one deleted first, like a staged file), writes, syncs; returns ms.</summary>
    public static double WriteAndSync(string path, byte[] content, bool dataOnly)
    {
        File.Delete(path);
        var sw = Stopwatch.StartNew();
        using var fs = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0);
        fs.Write(content);
        int fd = (int)fs.SafeFileHandle.DangerousGetHandle();
        if ((dataOnly ? Fdatasync(fd) : Fsync(fd)) != 0)
        {
            throw new IOException("sync failed: errno " + Marshal.GetLastPInvokeError());
        }

        return sw.Elapsed.TotalMilliseconds;
    }
}
