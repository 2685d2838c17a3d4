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
/// <remarks>
/// With <see cref="Settings.Alone"/> the two tools never run at the same time: each round is two halves, one tool
/// by itself in each, on the same sequence of changes, the order alternating from round to round. That is the
/// machine an operator has (one of the two, not both), without the other tool's CPU and disk work in the same
/// milliseconds; the side-by-side race is the harder test of the two, where each tool's work slows the other's.
/// </remarks>
internal static class RenderRace
{
    public sealed record Settings(string Backend, string Node, string Tend, string Confd, int Count, int Rounds, string? Parent, string? TendConfig, string? CheckCommand = null, bool Alone = false);

    public static async Task RunAsync(IKvStore writer, Settings settings)
    {
        var put = new List<double>();
        var tend = new List<double>();
        var confd = new List<double>();
        var cost = new List<Cost>();
        Console.WriteLine($"put → file, backend {settings.Backend}, {settings.Count} changes 20 ms apart per round, {settings.Rounds} rounds{(settings.TendConfig is null ? string.Empty : ", tend with --config " + Path.GetFileName(settings.TendConfig))}{(settings.CheckCommand is null ? string.Empty : ", both with check_cmd = " + settings.CheckCommand)}{(settings.Alone ? ", each tool alone in its half of a round (order alternating)" : string.Empty)}");
        Console.WriteLine("round  load   put p50/p99 ms     tend p50/p99 ms     confd p50/p99 ms    tend/confd p50  p99    per change: CPU ms, context switches (tend | confd)");
        for (int round = 1; round <= settings.Rounds; round++)
        {
            var load = Measure.LoadAverage();
            Round r;
            if (settings.Alone)
            {
                // Same values in both halves; the tool that goes first alternates, so neither always meets a fresher store.
                string[] order = round % 2 == 1 ? ["tend", "confd"] : ["confd", "tend"];
                var first = await RoundAsync(writer, settings, [order[0]]).ConfigureAwait(false);
                var second = await RoundAsync(writer, settings, [order[1]]).ConfigureAwait(false);
                var (t, c) = order[0] == "tend" ? (first, second) : (second, first);
                r = new Round([.. t.Put, .. c.Put], t.Tend, c.Confd, [.. t.Cost, .. c.Cost]);
            }
            else
            {
                r = await RoundAsync(writer, settings, ["tend", "confd"]).ConfigureAwait(false);
            }

            put.AddRange(r.Put);
            tend.AddRange(r.Tend);
            confd.AddRange(r.Confd);
            cost.AddRange(r.Cost);
            Print(round.ToString(CultureInfo.InvariantCulture), load, r.Put, r.Tend, r.Confd, r.Cost);
        }

        Print("all", Measure.LoadAverage(), [.. put], [.. tend], [.. confd], cost);
    }

    private static void Print(string label, string load, double[] put, double[] tend, double[] confd, IReadOnlyList<Cost> cost)
    {
        string Of(string tool)
        {
            var mine = cost.Where(c => c.Tool == tool).ToList();
            int changes = mine.Sum(c => c.Changes);
            return changes == 0 ? "-" : string.Create(CultureInfo.InvariantCulture, $"{mine.Sum(c => c.CpuMs) / changes:F2} ms, {(double)mine.Sum(c => c.Switches) / changes:F1}");
        }

        double tp50 = Measure.Percentile(tend, 50), tp99 = Measure.Percentile(tend, 99);
        double cp50 = Measure.Percentile(confd, 50), cp99 = Measure.Percentile(confd, 99);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label,-6} {load.Split(' ')[0],-6} {Measure.Percentile(put, 50),7:F2} /{Measure.Percentile(put, 99),7:F2}   {tp50,7:F2} /{tp99,7:F2}    {cp50,7:F2} /{cp99,7:F2}    {tp50 / cp50,5:F2}     {tp99 / cp99,5:F2}    {Of("tend")} | {Of("confd")}"));
    }

    private sealed record Round(double[] Put, double[] Tend, double[] Confd, Cost[] Cost);

    /// <summary>What one tool's process spent over a round's timed changes: CPU (its own, not a check command's) and context switches of all its threads.</summary>
    private sealed record Cost(string Tool, int Changes, double CpuMs, long Switches);

    private static (TimeSpan Cpu, long Switches) Spent(Process process)
    {
        process.Refresh();
        long switches = 0;
        foreach (var task in Directory.EnumerateDirectories($"/proc/{process.Id}/task"))
        {
            try
            {
                foreach (var line in File.ReadLines(Path.Combine(task, "status")))
                {
                    if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal) || line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                    {
                        switches += long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim(), CultureInfo.InvariantCulture);
                    }
                }
            }
            catch (IOException)
            {
                // A thread that ended meanwhile: its switches are gone with it.
            }
        }

        return (process.TotalProcessorTime, switches);
    }

    private static async Task<Round> RoundAsync(IKvStore writer, Settings settings, string[] tools)
    {
        var prefix = "/bench/race/" + Guid.NewGuid().ToString("N")[..8];
        var dir = settings.Parent is null
            ? Directory.CreateTempSubdirectory("tend-confd-race-").FullName
            : Directory.CreateDirectory(Path.Combine(settings.Parent, "tend-confd-race-" + Guid.NewGuid().ToString("N")[..6])).FullName;
        var outDir = Path.Combine(dir, "out");
        Directory.CreateDirectory(outDir);
        await writer.PutAsync(prefix + "/k", "0").ConfigureAwait(false);
        var files = new Dictionary<string, string>();
        foreach (var tool in tools)
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

        var processes = new Dictionary<string, Process>();
        if (tools.Contains("tend"))
        {
            processes["tend"] = Start(settings.Tend, tendArgs);
        }

        if (tools.Contains("confd"))
        {
            processes["confd"] = Start(settings.Confd, ["-backend", settings.Backend, "-node", settings.Node, "-confdir", Path.Combine(dir, "confd"), "-prefix", prefix, "-watch", "-log-level", "error"]);
        }

        try
        {
            await WaitForAsync(seen, tools, "value=0\n", TimeSpan.FromSeconds(60)).ConfigureAwait(false);
            for (int i = 1; i <= 20; i++)
            {
                await writer.PutAsync(prefix + "/k", "w" + i.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
                await WaitForAsync(seen, tools, $"value=w{i}\n", TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            }

            var put = new double[settings.Count];
            var tendMs = new double[settings.Count];
            var confdMs = new double[settings.Count];
            var before = processes.ToDictionary(p => p.Key, p => Spent(p.Value));
            for (int i = 0; i < settings.Count; i++)
            {
                var value = i.ToString(CultureInfo.InvariantCulture);
                long t0 = Stopwatch.GetTimestamp();
                await writer.PutAsync(prefix + "/k", value).ConfigureAwait(false);
                put[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                await WaitForAsync(seen, tools, $"value={value}\n", TimeSpan.FromSeconds(30)).ConfigureAwait(false);
                tendMs[i] = seen.TryGetValue("tend", out var t) ? Stopwatch.GetElapsedTime(t0, t.At).TotalMilliseconds : double.NaN;
                confdMs[i] = seen.TryGetValue("confd", out var c) ? Stopwatch.GetElapsedTime(t0, c.At).TotalMilliseconds : double.NaN;

                // Spread the changes out a little, as real ones are, so neither tool sees them back to back.
                await Task.Delay(20).ConfigureAwait(false);
            }

            var cost = processes.Select(p =>
            {
                var (cpu, switches) = Spent(p.Value);
                return new Cost(p.Key, settings.Count, (cpu - before[p.Key].Cpu).TotalMilliseconds, switches - before[p.Key].Switches);
            }).ToArray();
            return new Round(put, tools.Contains("tend") ? tendMs : [], tools.Contains("confd") ? confdMs : [], cost);
        }
        finally
        {
            foreach (var p in processes.Values)
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

    private static async Task WaitForAsync(ConcurrentDictionary<string, (string Value, long At)> seen, string[] tools, string content, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!tools.All(tool => seen.TryGetValue(tool, out var v) && v.Value == content))
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"the files did not reach {content.Trim()}: " + string.Join(", ", tools.Select(tool => $"{tool} {(seen.TryGetValue(tool, out var v) ? v.Value.Trim() : "-")}")));
            }

            await Task.Delay(1).ConfigureAwait(false);
        }
    }
}
