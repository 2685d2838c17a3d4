using System.Diagnostics;
using Tend.Core.Mirror;
using Tend.Modules.Render;
using Tend.Modules.Render.Config;
using Tend.Stores.Memory;
using Tend.Testing;
using Xunit;

namespace Tend.Modules.Tests.Render;

/// <summary>
/// A template that burns CPU, memory or output is stopped at its limits, keeps its old file, and
/// never holds back the other resources or a stop.
/// </summary>
public sealed class RenderLimitsTests : IDisposable
{
    // 10^10 loop iterations over one list (so it stays within the memory budget): hours of CPU,
    // far beyond any limit these tests set.
    private const string CpuBound = "{{getv \"/h\"}}{{$s := seq 1 100000}}{{range $s}}{{range $s}}{{end}}{{end}}";

    private readonly TempDir _dir = new();
    private readonly MemoryKvStore _store = new();
    private readonly FakeCommandRunner _runner = new();

    public void Dispose() => _dir.Dispose();

    private RenderResourceOptions Resource(string name, string template, string[] keys) => new()
    {
        Id = name,
        Source = _dir.File($"templates/{name}.tmpl", template),
        Destination = System.IO.Path.Combine(_dir.Path, "out", name),
        Keys = keys,
        CreateDestDirs = true,
    };

    private RenderModule Module(RenderOptions options, KvMirrorSet? mirrors = null) =>
        new(options, _store, mirrors, _runner, GoTemplateCompiler.Instance) { RetryDelay = TimeSpan.FromMinutes(10) };

    [Fact]
    public async Task Watch_CpuBoundTemplate_OtherResourcesKeepRendering()
    {
        await _store.PutAsync("/h", "hog");
        await _store.PutAsync("/g", "1");

        // The hog comes first in the configuration: rendered in one pass with the other, it would hold it back for minutes.
        var hog = Resource("hog", CpuBound, ["/h"]) with { TemplateTimeout = TimeSpan.FromMinutes(10) };
        var good = Resource("good", "{{getv \"/g\"}}", ["/g"]);
        await using var mirrors = new KvMirrorSet(_store);
        var module = Module(new RenderOptions { Templates = [hog, good] }, mirrors);
        await using (module)
        {
            module.Start();
            await Eventually(() => Content(good.Destination) == "1");
            Assert.Equal((null, 0), (module.Status[0].LastRender, module.Status[0].Failures));

            await _store.PutAsync("/g", "2");
            await Eventually(() => Content(good.Destination) == "2");

            // Still busy with its first render: nothing written, nothing failed yet.
            Assert.Equal((null, 0), (module.Status[0].LastRender, module.Status[0].Failures));
            Assert.False(File.Exists(hog.Destination));
        }
    }

    [Fact]
    public async Task Watch_CpuBoundTemplate_FailsAtItsTimeLimitAndKeepsTheOldFile()
    {
        await _store.PutAsync("/h", "hog");
        var hog = Resource("hog", CpuBound, ["/h"]) with { TemplateTimeout = TimeSpan.FromMilliseconds(300) };
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(hog.Destination)!);
        await File.WriteAllTextAsync(hog.Destination, "old");
        await using var mirrors = new KvMirrorSet(_store);
        await using var module = Module(new RenderOptions { Templates = [hog] }, mirrors);

        module.Start();

        await Eventually(() => module.Status[0].Failures >= 1);
        Assert.Contains("template: hog.tmpl:", module.Status[0].LastError, StringComparison.Ordinal);
        Assert.EndsWith("exceeded the time limit of 300ms", module.Status[0].LastError, StringComparison.Ordinal);
        Assert.Equal("old", await File.ReadAllTextAsync(hog.Destination));
        Assert.Single(Directory.GetFiles(System.IO.Path.GetDirectoryName(hog.Destination)!));
    }

    [Fact]
    public async Task Dispose_DuringACpuBoundRender_StopsWithoutWaitingForTheTimeLimit()
    {
        await _store.PutAsync("/h", "hog");
        var hog = Resource("hog", CpuBound, ["/h"]) with { TemplateTimeout = TimeSpan.FromHours(1) };
        var good = Resource("good", "{{getv \"/h\"}}", ["/h"]);
        await using var mirrors = new KvMirrorSet(_store);
        var module = Module(new RenderOptions { Templates = [hog, good] }, mirrors);
        module.Start();
        await Eventually(() => Content(good.Destination) == "hog");

        var stopwatch = Stopwatch.StartNew();
        await module.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromMinutes(2));

        // Cancellation reaches the render loop itself; the limit (an hour) plays no part.
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(30), $"stop took {stopwatch.Elapsed}");
        Assert.False(File.Exists(hog.Destination));
    }

    [Fact]
    public async Task Interval_CpuBoundTemplate_OtherResourcesKeepPolling()
    {
        await _store.PutAsync("/h", "hog");
        await _store.PutAsync("/g", "1");
        var hog = Resource("hog", CpuBound, ["/h"]) with { TemplateTimeout = TimeSpan.FromMinutes(10) };
        var good = Resource("good", "{{getv \"/g\"}}", ["/g"]);
        await using var module = Module(new RenderOptions { Templates = [hog, good], Interval = TimeSpan.FromMilliseconds(100) });

        module.Start();

        await Eventually(() => Content(good.Destination) == "1");
        Assert.Equal((null, 0), (module.Status[0].LastRender, module.Status[0].Failures));
    }

    [Fact]
    public async Task RunOnce_EagerSeqOfTwoBillion_FailsOnMemoryAndTheOthersRender()
    {
        await _store.PutAsync("/g", "ok");
        var hog = Resource("hog", "{{range seq 1 2000000000}}{{.}}{{end}}", ["/g"]);
        var good = Resource("good", "{{getv \"/g\"}}", ["/g"]);
        await using var module = Module(new RenderOptions { Templates = [hog, good] });

        Assert.False(await module.RunOnceAsync());

        Assert.Contains("seq of 2000000000 numbers exceeds the memory limit of 256 MiB", module.Status[0].LastError, StringComparison.Ordinal);
        Assert.False(File.Exists(hog.Destination));
        Assert.Equal("ok", Content(good.Destination));
    }

    [Fact]
    public async Task RunOnce_OutputBeyondMaxOutputInBytes_FailsAndKeepsTheOldFile()
    {
        // 400 characters, 1200 bytes of UTF-8: within a 1000-character bound, beyond a 1000-byte one.
        await _store.PutAsync("/g", new string('€', 400));
        var r = Resource("wide", "{{getv \"/g\"}}", ["/g"]) with { MaxOutput = 1000 };
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(r.Destination)!);
        await File.WriteAllTextAsync(r.Destination, "old");
        await using var module = Module(new RenderOptions { Templates = [r] });

        Assert.False(await module.RunOnceAsync());

        Assert.Equal("template wide.tmpl: output of 1200 bytes exceeds the limit of 1000 bytes", module.Status[0].LastError);
        Assert.Equal("old", Content(r.Destination));
    }

    [Fact]
    public async Task RunOnce_DefaultLimitsFromTheRenderSection_AppliedToEveryResource()
    {
        await _store.PutAsync("/g", "x");
        var r = Resource("flood", "{{range seq 1 1000}}{{getv \"/g\"}}{{end}}", ["/g"]);
        await using var module = Module(new RenderOptions { Templates = [r], Limits = new RenderLimits { MaxOutput = 999 } });

        Assert.False(await module.RunOnceAsync());

        Assert.EndsWith("output exceeds the limit of 999 bytes", module.Status[0].LastError, StringComparison.Ordinal);
    }

    private static string? Content(string path) => File.Exists(path) ? File.ReadAllText(path) : null;

    private static Task Eventually(Func<bool> condition) => Poll.UntilAsync(condition, TimeSpan.FromSeconds(30));
}
