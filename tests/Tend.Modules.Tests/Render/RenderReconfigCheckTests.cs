using Tend.Core.Files;
using Tend.Modules.Render;
using Tend.Modules.Render.Config;
using Tend.Stores.Memory;
using Tend.Testing;
using Xunit;

namespace Tend.Modules.Tests.Render;

/// <summary>reconfig's checkcmd names the target, so it must see the new content there (issue #17 item 6).</summary>
public sealed class RenderReconfigCheckTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly MemoryKvStore _store = new();
    private readonly FakeCommandRunner _runner = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task RunOnce_ReconfigCheckFails_CheckSawNewTargetThenPreviousRestoredExactlyNoReload()
    {
        await _store.PutAsync("/test1/a", "new");
        var r = Resource();
        r = r with { CheckCommand = $"varnishd -C -f {r.Destination}", ReloadCommand = "service varnish reload" };
        File.WriteAllText(r.Destination, "old content\n");
        File.SetUnixFileMode(r.Destination, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        if (Environment.IsPrivilegedProcess)
        {
            NativeChown(r.Destination, 1, 1);
        }

        var before = AtomicFile.Owner(r.Destination);
        string? seen = null;
        _runner.OnRun = c => seen ??= File.ReadAllText(r.Destination);
        _runner.ExitCodes["varnishd"] = 1;
        await using var module = Module(r);

        Assert.False(await module.RunOnceAsync());

        Assert.Equal("/test1/a=new\n", seen);
        Assert.Equal("old content\n", File.ReadAllText(r.Destination));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(r.Destination));
        Assert.Equal(before, AtomicFile.Owner(r.Destination));
        Assert.Equal([$"varnishd -C -f {r.Destination}"], _runner.Commands);
        Assert.Equal(["target.conf"], Directory.GetFileSystemEntries(Path.GetDirectoryName(r.Destination)!).Select(Path.GetFileName));
        Assert.Contains("checkcmd failed", module.Status[0].LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunOnce_ReconfigCheckFailsWithoutPreviousTarget_TargetRemovedAgain()
    {
        await _store.PutAsync("/test1/a", "new");
        var r = Resource() with { CheckCommand = "check {{.src}}" };
        bool existedDuringCheck = false;
        _runner.OnRun = _ => existedDuringCheck = File.Exists(r.Destination);
        _runner.ExitCodes["check"] = 1;
        await using var module = Module(r);

        Assert.False(await module.RunOnceAsync());

        Assert.True(existedDuringCheck);
        Assert.False(File.Exists(r.Destination));
        Assert.Empty(Directory.GetFileSystemEntries(Path.GetDirectoryName(r.Destination)!));
        Assert.Equal([$"check {r.Destination}"], _runner.Commands);
    }

    [Fact]
    public async Task RunOnce_ReconfigCheckPasses_NewFileKeptPreviousAsBackupThenReload()
    {
        await _store.PutAsync("/test1/a", "new");
        var r = Resource() with { CheckCommand = "check {{.src}}", ReloadCommand = "reload", Backup = true };
        File.WriteAllText(r.Destination, "old\n");
        await using var module = Module(r);

        Assert.True(await module.RunOnceAsync(), module.Status[0].LastError);

        Assert.Equal("/test1/a=new\n", File.ReadAllText(r.Destination));
        Assert.Equal("old\n", File.ReadAllText(r.Destination + ".bak"));
        Assert.Equal([$"check {r.Destination}", "reload"], _runner.Commands);
        Assert.Equal(["target.conf", "target.conf.bak"], Directory.GetFileSystemEntries(Path.GetDirectoryName(r.Destination)!).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task RunOnce_ConfdResourceCheckFails_StagedFileCheckedTargetNeverTouched()
    {
        await _store.PutAsync("/test1/a", "new");
        var r = Resource() with { Shape = RenderDataShape.Confd, CheckCommand = "check {{.src}}" };
        File.WriteAllText(r.Destination, "old\n");
        string? seen = null;
        _runner.OnRun = _ => seen = File.ReadAllText(r.Destination);
        _runner.ExitCodes["check"] = 1;
        await using var module = Module(r with { Source = _dir.File("templates/confd.tmpl", "{{getv \"/test1/a\"}}") });

        Assert.False(await module.RunOnceAsync());

        Assert.Equal("old\n", seen);
        Assert.DoesNotContain(r.Destination + " ", Assert.Single(_runner.Commands) + " ", StringComparison.Ordinal);
    }

    private RenderResourceOptions Resource() => new()
    {
        Id = "test1",
        Source = _dir.File("templates/test1.tmpl", "{{range $k, $v := .}}{{$k}}={{$v}}\n{{end}}"),
        Destination = Path.Combine(Directory.CreateDirectory(Path.Combine(_dir.Path, "out")).FullName, "target.conf"),
        Keys = ["/test1"],
        Shape = RenderDataShape.Reconfig,
        Recursive = true,
    };

    private RenderModule Module(RenderResourceOptions r) =>
        new(new RenderOptions { Templates = [r] }, _store, null, _runner, GoTemplateCompiler.Instance);

    private static void NativeChown(string path, int uid, int gid)
    {
        using var p = System.Diagnostics.Process.Start("chown", $"{uid}:{gid} {path}");
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }
}
