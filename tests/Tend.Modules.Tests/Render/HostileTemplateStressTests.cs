using Tend.Core.Mirror;
using Tend.Modules.Render;
using Tend.Modules.Render.Config;
using Tend.Stores.Memory;
using Tend.Testing;
using Xunit;

namespace Tend.Modules.Tests.Render;

/// <summary>Runs alone: it measures the process's managed heap, which other tests would disturb.</summary>
[CollectionDefinition(nameof(HostileTemplateStressTests), DisableParallelization = true)]
public sealed class HostileTemplateStressCollection;

/// <summary>
/// The CPU- and memory-heavy cases of the hostile sweep as a bounded stress test: several hostile
/// templates render side by side in watch mode, retried after each failure, while a good template
/// keeps up with its key. Every hostile one fails with its limit, the heap stays bounded,
/// and the module stops promptly.
/// </summary>
[Collection(nameof(HostileTemplateStressTests))]
public sealed class HostileTemplateStressTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private static readonly Dictionary<string, string> Hostile = new(StringComparer.Ordinal)
    {
        ["spin"] = "{{getv \"/k\"}}{{$s := seq 1 100000}}{{range $s}}{{range $s}}{{end}}{{end}}",
        ["seq"] = "{{getv \"/k\"}}{{range seq 1 2000000000}}{{.}}{{end}}",
        ["double"] = "{{define \"d\"}}{{template \"d\" (printf \"%s%s\" . .)}}{{end}}{{template \"d\" (getv \"/k\")}}",
        ["hoard"] = "{{define \"r\"}}{{$x := seq 1 1000000}}{{template \"r\" .}}{{end}}{{getv \"/k\"}}{{template \"r\" .}}",
        ["replace"] = "{{$b := printf \"%1000000s\" (getv \"/k\")}}{{replace $b \" \" $b -1}}",
        ["widths"] = "{{printf \"" + string.Concat(Enumerable.Repeat("%1000000d", 100)) + "\" " + string.Join(" ", Enumerable.Range(1, 100)) + "}}{{getv \"/k\"}}",
        ["flood"] = "{{$s := seq 1 1000000}}{{range $s}}{{range $s}}{{getv \"/k\"}}{{end}}{{end}}",
        ["recurse"] = "{{define \"r\"}}{{template \"r\" .}}{{end}}{{getv \"/k\"}}{{template \"r\" .}}",
    };

    private readonly TempDir _dir = new();
    private readonly MemoryKvStore _store = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Watch_HostileTemplatesSideBySide_EachFailsWithinLimitsAndTheGoodOneKeepsUp()
    {
        await _store.PutAsync("/k", "0123456789");
        await _store.PutAsync("/g", "0");
        var limits = new RenderLimits { Timeout = TimeSpan.FromSeconds(2), MaxOutput = 16L << 20, MaxMemory = 64L << 20 };
        // Only "spin" is meant to meet the time limit; the others get a long one, so that even a
        // loaded machine shows the limit each is meant to meet.
        var resources = Hostile
            .Select(h => Resource(h.Key, h.Value, "/k") with { TemplateTimeout = h.Key == "spin" ? null : TimeSpan.FromMinutes(10) })
            .Append(Resource("good", "{{getv \"/g\"}}", "/g"))
            .ToList();
        await using var mirrors = new KvMirrorSet(_store);
        var module = new RenderModule(new RenderOptions { Templates = resources, Limits = limits }, _store, mirrors, new FakeCommandRunner(), GoTemplateCompiler.Instance)
        {
            RetryDelay = TimeSpan.FromMilliseconds(500),
            MaxRetryDelay = TimeSpan.FromMilliseconds(500),
        };
        long baseline = GC.GetTotalMemory(forceFullCollection: true);
        long peak = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false));
                await Task.Delay(5);
            }
        });

        await using (module)
        {
            module.Start();
            var good = resources[^1].Destination;
            for (int i = 1; i <= 3; i++)
            {
                // Meanwhile the hostile ones are retried after each failure.
                await _store.PutAsync("/g", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                await Eventually(() => File.Exists(good) && File.ReadAllText(good) == i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            await Eventually(() => module.Status.Take(Hostile.Count).All(s => s.Failures >= 2));
            var errors = module.Status.Take(Hostile.Count).ToDictionary(s => s.Id, s => s.LastError ?? string.Empty, StringComparer.Ordinal);
            Assert.EndsWith("exceeded the time limit of 2s", errors["spin"], StringComparison.Ordinal);
            Assert.Contains("seq of 2000000000 numbers exceeds the memory limit of 64 MiB", errors["seq"], StringComparison.Ordinal);
            Assert.Contains("memory limit of 64 MiB", errors["double"], StringComparison.Ordinal);
            Assert.Contains("memory limit of 64 MiB", errors["hoard"], StringComparison.Ordinal);
            Assert.Contains("replace result of", errors["replace"], StringComparison.Ordinal);
            Assert.Contains("formatted text exceeds the memory limit of 64 MiB", errors["widths"], StringComparison.Ordinal);
            Assert.EndsWith("output exceeds the limit of 16 MiB", errors["flood"], StringComparison.Ordinal);
            Assert.EndsWith("exceeded maximum template depth (100000)", errors["recurse"], StringComparison.Ordinal);
            Assert.All(resources.Take(Hostile.Count), r => Assert.False(File.Exists(r.Destination)));
        }

        await sampling.CancelAsync();
        await sampler;

        output.WriteLine($"managed heap: {baseline >> 20} MiB before, {peak >> 20} MiB at the peak");

        // Eight hostile renders at once, each held to 64 MiB of values and 16 MiB of output (twice
        // that as UTF-16 text, and the stream's own buffer): far below the gigabytes they ask for.
        Assert.True(peak - baseline < 1L << 30, $"managed heap grew by {(peak - baseline) >> 20} MiB");
    }

    private RenderResourceOptions Resource(string name, string template, string key) => new()
    {
        Id = name,
        Source = _dir.File($"templates/{name}.tmpl", template),
        Destination = System.IO.Path.Combine(_dir.Path, "out", name),
        Keys = [key],
        CreateDestDirs = true,
    };

    private static Task Eventually(Func<bool> condition) => Poll.UntilAsync(condition, TimeSpan.FromSeconds(120));
}
