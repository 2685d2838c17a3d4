using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Tend.Core.Kv;
using Tend.Stores.Consul;

namespace Tend.Stores.Bench.Consul;

/// <summary>
/// Put → rendered file: <c>tend render</c> and <c>confd</c>, both with <c>-backend consul -watch</c> on the same
/// agent, rendering the same template from the same key to two files. Each put is timed until each file holds
/// the new value (seen through inotify on their directory), so both tools are measured on the same changes.
/// </summary>
internal static class RenderBench
{
    public static async Task RunAsync(string endpoint, string tend, string confd, int count, string? parent)
    {
        var node = new Uri(endpoint).Authority;
        var prefix = "/bench/render/" + Guid.NewGuid().ToString("N")[..8];
        var dir = parent is null ? Directory.CreateTempSubdirectory("tend-consul-render-").FullName : Directory.CreateDirectory(Path.Combine(parent, "tend-consul-render-" + Guid.NewGuid().ToString("N")[..6])).FullName;
        var outDir = Path.Combine(dir, "out");
        Directory.CreateDirectory(outDir);
        await using var writer = new ConsulKvStore(new KvStoreOptions { Kind = "consul", Endpoints = [endpoint] });
        await writer.PutAsync(prefix + "/k", "0");
        var files = new Dictionary<string, string>();
        foreach (var tool in new[] { "tend", "confd" })
        {
            var confdir = Path.Combine(dir, tool);
            Directory.CreateDirectory(Path.Combine(confdir, "conf.d"));
            Directory.CreateDirectory(Path.Combine(confdir, "templates"));
            File.WriteAllText(Path.Combine(confdir, "templates", "k.tmpl"), "value={{getv \"/k\"}}\n");
            files[tool] = Path.Combine(outDir, tool + ".out");
            File.WriteAllText(Path.Combine(confdir, "conf.d", "k.toml"), $"[template]\nsrc = \"k.tmpl\"\ndest = \"{files[tool]}\"\nkeys = [\"/k\"]\n");
        }

        var seen = new ConcurrentDictionary<string, (string Value, long At)>();
        using var inotify = new FileSystemWatcher(outDir) { NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size };
        void OnEvent(string? path)
        {
            long at = Stopwatch.GetTimestamp();
            if (path is null || !path.EndsWith(".out", StringComparison.Ordinal))
            {
                return;
            }

            try
            {
                seen[Path.GetFileNameWithoutExtension(path)] = (File.ReadAllText(path), at);
            }
            catch (IOException)
            {
            }
        }

        inotify.Created += (_, e) => OnEvent(e.FullPath);
        inotify.Changed += (_, e) => OnEvent(e.FullPath);
        inotify.Renamed += (_, e) => OnEvent(e.FullPath);
        inotify.EnableRaisingEvents = true;

        var processes = new List<Process>
        {
            Start(tend, ["render", "--backend", "consul", "--node", node, "--confdir", Path.Combine(dir, "tend"), "--prefix", prefix, "--watch", "--log-level", "error"]),
            Start(confd, ["-backend", "consul", "-node", node, "-confdir", Path.Combine(dir, "confd"), "-prefix", prefix, "-watch", "-log-level", "error"]),
        };
        try
        {
            await WaitForAsync(seen, "value=0\n", TimeSpan.FromSeconds(60));
            for (int i = 1; i <= 20; i++)
            {
                await writer.PutAsync(prefix + "/k", "w" + i.ToString(CultureInfo.InvariantCulture));
                await WaitForAsync(seen, $"value=w{i}\n", TimeSpan.FromSeconds(30));
            }

            var put = new double[count];
            var tendMs = new double[count];
            var confdMs = new double[count];
            for (int i = 0; i < count; i++)
            {
                var value = i.ToString(CultureInfo.InvariantCulture);
                long t0 = Stopwatch.GetTimestamp();
                await writer.PutAsync(prefix + "/k", value);
                put[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                await WaitForAsync(seen, $"value={value}\n", TimeSpan.FromSeconds(30));
                tendMs[i] = Stopwatch.GetElapsedTime(t0, seen["tend"].At).TotalMilliseconds;
                confdMs[i] = Stopwatch.GetElapsedTime(t0, seen["confd"].At).TotalMilliseconds;

                // Spread the changes out a little, as real ones are, so neither tool sees them back to back.
                await Task.Delay(20);
            }

            Console.WriteLine($"changes: {count}, one key, template rendered to a file; same agent, same changes for both");
            Console.WriteLine($"put round trip         p50 {Measure.Percentile(put, 50):F2} ms  p99 {Measure.Percentile(put, 99):F2} ms");
            Console.WriteLine($"tend render: put → file p50 {Measure.Percentile(tendMs, 50):F2} ms  p99 {Measure.Percentile(tendMs, 99):F2} ms");
            Console.WriteLine($"confd:       put → file p50 {Measure.Percentile(confdMs, 50):F2} ms  p99 {Measure.Percentile(confdMs, 99):F2} ms");
        }
        finally
        {
            foreach (var p in processes)
            {
                if (!p.HasExited)
                {
                    p.Kill(entireProcessTree: true);
                    await p.WaitForExitAsync();
                }

                p.Dispose();
            }

            Directory.Delete(dir, recursive: true);
        }
    }

    private static Process Start(string binary, string[] args)
    {
        var psi = new ProcessStartInfo(binary.EndsWith(".dll", StringComparison.Ordinal) ? "dotnet" : binary) { UseShellExecute = false, RedirectStandardError = false };
        if (binary.EndsWith(".dll", StringComparison.Ordinal))
        {
            psi.ArgumentList.Add(binary);
        }

        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        return Process.Start(psi) ?? throw new InvalidOperationException($"{binary} did not start");
    }

    private static async Task WaitForAsync(ConcurrentDictionary<string, (string Value, long At)> seen, string content, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!(seen.TryGetValue("tend", out var t) && t.Value == content && seen.TryGetValue("confd", out var c) && c.Value == content))
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"the files did not both reach {content.Trim()}: tend {(seen.TryGetValue("tend", out var a) ? a.Value.Trim() : "-")}, confd {(seen.TryGetValue("confd", out var b) ? b.Value.Trim() : "-")}");
            }

            await Task.Delay(1);
        }
    }
}
