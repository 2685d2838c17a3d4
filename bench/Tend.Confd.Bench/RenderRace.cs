using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Tend.Core.Kv;

namespace Tend.Confd.Bench;

/// <summary>
/// Put → rendered file: <c>tend render</c> and <c>confd</c>, both watching the same store (<c>-backend etcdv3</c> or
/// <c>consul</c>), rendering the same one-key template to two files in one directory. Each put is timed until
/// each file holds the new value (inotify on the directory), so both tools are measured on the same changes, at
/// the same machine load. Every round starts both tools afresh.
/// </summary>
internal static class RenderRace
{
    public sealed record Settings(string Backend, string Node, string Tend, string Confd, int Count, int Rounds, string? Parent, string? TendConfig, string? CheckCommand = null);

    public static async Task RunAsync(IKvStore writer, Settings settings)
    {
        var put = new List<double>();
        var tend = new List<double>();
        var confd = new List<double>();
        Console.WriteLine($"put → file, backend {settings.Backend}, {settings.Count} changes 20 ms apart per round, {settings.Rounds} rounds{(settings.TendConfig is null ? string.Empty : ", tend with --config " + Path.GetFileName(settings.TendConfig))}{(settings.CheckCommand is null ? string.Empty : ", both with check_cmd = " + settings.CheckCommand)}");
        Console.WriteLine("round  load   put p50/p99 ms     tend p50/p99 ms     confd p50/p99 ms    tend/confd p50  p99");
        for (int round = 1; round <= settings.Rounds; round++)
        {
            var load = Measure.LoadAverage();
            var r = await RoundAsync(writer, settings).ConfigureAwait(false);
            put.AddRange(r.Put);
            tend.AddRange(r.Tend);
            confd.AddRange(r.Confd);
            Print(round.ToString(CultureInfo.InvariantCulture), load, r.Put, r.Tend, r.Confd);
        }

        Print("all", Measure.LoadAverage(), [.. put], [.. tend], [.. confd]);
    }

    private static void Print(string label, string load, double[] put, double[] tend, double[] confd)
    {
        double tp50 = Measure.Percentile(tend, 50), tp99 = Measure.Percentile(tend, 99);
        double cp50 = Measure.Percentile(confd, 50), cp99 = Measure.Percentile(confd, 99);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label,-6} {load.Split(' ')[0],-6} {Measure.Percentile(put, 50),7:F2} /{Measure.Percentile(put, 99),7:F2}   {tp50,7:F2} /{tp99,7:F2}    {cp50,7:F2} /{cp99,7:F2}    {tp50 / cp50,5:F2}     {tp99 / cp99,5:F2}"));
    }

    private sealed record Round(double[] Put, double[] Tend, double[] Confd);

    private static async Task<Round> RoundAsync(IKvStore writer, Settings settings)
    {
        var prefix = "/bench/race/" + Guid.NewGuid().ToString("N")[..8];
        var dir = settings.Parent is null
            ? Directory.CreateTempSubdirectory("tend-confd-race-").FullName
            : Directory.CreateDirectory(Path.Combine(settings.Parent, "tend-confd-race-" + Guid.NewGuid().ToString("N")[..6])).FullName;
        var outDir = Path.Combine(dir, "out");
        Directory.CreateDirectory(outDir);
        await writer.PutAsync(prefix + "/k", "0").ConfigureAwait(false);
        var files = new Dictionary<string, string>();
        foreach (var tool in new[] { "tend", "confd" })
        {
            var confdir = Path.Combine(dir, tool);
            Directory.CreateDirectory(Path.Combine(confdir, "conf.d"));
            Directory.CreateDirectory(Path.Combine(confdir, "templates"));
            File.WriteAllText(Path.Combine(confdir, "templates", "k.tmpl"), "value={{getv \"/k\"}}\n");
            files[tool] = Path.Combine(outDir, tool + ".out");
            var check = settings.CheckCommand is null ? string.Empty : $"check_cmd = \"{settings.CheckCommand}\"\n";
            File.WriteAllText(Path.Combine(confdir, "conf.d", "k.toml"), $"[template]\nsrc = \"k.tmpl\"\ndest = \"{files[tool]}\"\nkeys = [\"/k\"]\n{check}");
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

        List<string> tendArgs = ["render", "--backend", settings.Backend, "--node", settings.Node, "--confdir", Path.Combine(dir, "tend"), "--prefix", prefix, "--watch", "--log-level", "error"];
        if (settings.TendConfig is not null)
        {
            tendArgs.AddRange(["--config", settings.TendConfig]);
        }

        var processes = new List<Process>
        {
            Start(settings.Tend, tendArgs),
            Start(settings.Confd, ["-backend", settings.Backend, "-node", settings.Node, "-confdir", Path.Combine(dir, "confd"), "-prefix", prefix, "-watch", "-log-level", "error"]),
        };
        try
        {
            await WaitForAsync(seen, "value=0\n", TimeSpan.FromSeconds(60)).ConfigureAwait(false);
            for (int i = 1; i <= 20; i++)
            {
                await writer.PutAsync(prefix + "/k", "w" + i.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
                await WaitForAsync(seen, $"value=w{i}\n", TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            }

            var put = new double[settings.Count];
            var tendMs = new double[settings.Count];
            var confdMs = new double[settings.Count];
            for (int i = 0; i < settings.Count; i++)
            {
                var value = i.ToString(CultureInfo.InvariantCulture);
                long t0 = Stopwatch.GetTimestamp();
                await writer.PutAsync(prefix + "/k", value).ConfigureAwait(false);
                put[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                await WaitForAsync(seen, $"value={value}\n", TimeSpan.FromSeconds(30)).ConfigureAwait(false);
                tendMs[i] = Stopwatch.GetElapsedTime(t0, seen["tend"].At).TotalMilliseconds;
                confdMs[i] = Stopwatch.GetElapsedTime(t0, seen["confd"].At).TotalMilliseconds;

                // Spread the changes out a little, as real ones are, so neither tool sees them back to back.
                await Task.Delay(20).ConfigureAwait(false);
            }

            return new Round(put, tendMs, confdMs);
        }
        finally
        {
            foreach (var p in processes)
            {
                if (!p.HasExited)
                {
                    p.Kill(entireProcessTree: true);
                    await p.WaitForExitAsync().ConfigureAwait(false);
                }

                p.Dispose();
            }

            await writer.DeleteAsync(prefix, prefix: true).ConfigureAwait(false);
            Directory.Delete(dir, recursive: true);
        }
    }

    private static Process Start(string binary, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(binary) { UseShellExecute = false };
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

            await Task.Delay(1).ConfigureAwait(false);
        }
    }
}
