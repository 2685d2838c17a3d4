using Microsoft.Extensions.Logging;
using Tend.Core.Files;
using Tend.Modules.Render;
using Tend.Modules.Render.Config;
using Tend.Stores.Memory;
using Tend.Testing;
using Xunit;

namespace Tend.Modules.Tests.Render;

/// <summary><c>durability = "ordered"</c> through the render module: kept where the file system keeps it, <c>full</c> with one warning elsewhere.</summary>
public sealed class RenderOrderedDurabilityTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly MemoryKvStore _store = new();
    private readonly CapturingLoggerFactory _log = new();
    private string? _shm;

    public void Dispose()
    {
        _dir.Dispose();
        if (_shm is not null)
        {
            Directory.Delete(_shm, recursive: true);
        }
    }

    private RenderResourceOptions Resource(string name, string outDir) => new()
    {
        Id = name,
        Source = _dir.File($"templates/{name}.tmpl", name + "={{getv \"/a\"}}"),
        Destination = Path.Combine(outDir, name),
        Keys = ["/a"],
        CreateDestDirs = true,
        Durability = FileDurability.Ordered,
    };

    private RenderModule Module(params RenderResourceOptions[] templates) =>
        new(new RenderOptions { Templates = templates }, _store, null, new FakeCommandRunner(), GoTemplateCompiler.Instance, _log);

    private List<string> Warnings() =>
        _log.Entries.Where(e => e.Level == LogLevel.Warning && e.Message.Contains("durability = \"ordered\"", StringComparison.Ordinal)).Select(e => e.Message).ToList();

    /// <summary>Renders three changes of /a, tracing each pass's flushes and renames.</summary>
    private async Task<List<(FileFlushStep Step, string Path)>> RenderThreeChanges(RenderModule module)
    {
        using var trace = FileFlushTrace.Start();
        for (int i = 1; i <= 3; i++)
        {
            await _store.PutAsync("/a", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(await module.RunOnceAsync());
        }

        return [.. trace.Steps];
    }

    /// <summary>What reached the disk for each write of <paramref name="destination"/> before its rename: its staged file's fsync, or its data only.</summary>
    private static List<FileFlushStep> BeforeEachRename(List<(FileFlushStep Step, string Path)> steps, string destination)
    {
        var stagePrefix = Path.Combine(Path.GetDirectoryName(destination)!, "." + Path.GetFileName(destination) + ".tend-");
        var result = new List<FileFlushStep>();
        FileFlushStep? last = null;
        foreach (var (step, path) in steps)
        {
            if (path.StartsWith(stagePrefix, StringComparison.Ordinal))
            {
                last = step;
            }
            else if (step == FileFlushStep.Rename && path == destination)
            {
                Assert.NotNull(last);
                result.Add(last.Value);
                last = null;
            }
        }

        return result;
    }

    [Fact]
    public async Task RunOnce_OrderedOnThisMachinesDisk_FlushedAsTheFileSystemAllowsAndWarnedOncePerTemplate()
    {
        bool holds = OrderedDurabilityOracle.Holds(_dir.Path, out var why);
        var outDir = Path.Combine(_dir.Path, "out");
        var a = Resource("a", outDir);
        var b = Resource("b", outDir);
        await using var module = Module(a, b);

        var steps = await RenderThreeChanges(module);

        Assert.Equal(("a=3", "b=3"), (File.ReadAllText(a.Destination), File.ReadAllText(b.Destination)));
        var expected = holds ? FileFlushStep.DataWrite : FileFlushStep.Sync;
        Assert.Equal([expected, expected, expected], BeforeEachRename(steps, a.Destination));
        Assert.Equal([expected, expected, expected], BeforeEachRename(steps, b.Destination));
        var warnings = Warnings();
        var status = module.Status[0];
        Assert.Equal(holds ? "ordered" : "full", status.Durability);
        Assert.Equal(holds, status.DurabilityNote is null);
        if (holds)
        {
            Assert.True(warnings.Count == 0, $"{why}; yet: {string.Join("\n", warnings)}");
        }
        else
        {
            Assert.Equal(2, warnings.Count);
            Assert.Single(warnings, w => w.StartsWith("a: ", StringComparison.Ordinal) && w.Contains(outDir, StringComparison.Ordinal) && w.Contains("\"full\" is used", StringComparison.Ordinal));
            Assert.Single(warnings, w => w.StartsWith("b: ", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task RunOnce_OrderedOnTmpfs_FsyncBeforeEachRenameAndOneWarningNamingTheFileSystem()
    {
        Assert.True(Directory.Exists("/dev/shm"), "/dev/shm (tmpfs) is missing: this test needs a tmpfs mount there");
        _shm = Path.Combine("/dev/shm", "tend-test-" + Guid.NewGuid().ToString("N"));
        var r = Resource("t", _shm);
        await using var module = Module(r);

        var steps = await RenderThreeChanges(module);

        Assert.Equal("t=3", File.ReadAllText(r.Destination));
        Assert.Equal([FileFlushStep.Sync, FileFlushStep.Sync, FileFlushStep.Sync], BeforeEachRename(steps, r.Destination));
        Assert.Equal("full", module.Status[0].Durability);
        Assert.Equal("ordered cannot be kept here (the file system is tmpfs): full is used", module.Status[0].DurabilityNote);
        var warning = Assert.Single(Warnings());
        Assert.Equal($"t: durability = \"ordered\" cannot keep its promise in {_shm} (the file system is tmpfs); \"full\" is used there (an fsync before each rename)", warning);
    }
}
