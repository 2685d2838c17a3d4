using Tend.Core.Config;
using Tend.Core.Files;
using Tend.Core.Kv;
using Tend.Core.Mirror;
using Tend.Modules.Render;
using Tend.Modules.Render.Config;
using Tend.Stores.Memory;
using Tend.Testing;
using Xunit;

namespace Tend.Modules.Tests.Render;

public sealed class RenderModuleTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly MemoryKvStore _store = new();
    private readonly FakeCommandRunner _runner = new();

    public void Dispose() => _dir.Dispose();

    private RenderResourceOptions Resource(string name, string template, string[] keys, string prefix = "/") => new()
    {
        Id = name,
        Source = _dir.File($"templates/{name}.tmpl", template),
        Destination = System.IO.Path.Combine(_dir.Path, "out", name),
        Keys = keys,
        Prefix = prefix,
        CreateDestDirs = true,
    };

    private RenderModule Module(RenderOptions options, IKvStore? store = null, KvMirrorSet? mirrors = null, StringWriter? diff = null) =>
        new(options, store ?? _store, mirrors, _runner, GoTemplateCompilerForTests, diffOutput: diff) { RetryDelay = TimeSpan.FromMilliseconds(200) };

    private static ITemplateCompiler GoTemplateCompilerForTests => GoTemplateCompiler.Instance;

    [Fact]
    public async Task RunOnce_ConfdFunctions_SeeKeysRelativeToResourcePrefix()
    {
        await _store.PutAsync("/app/hosts/web1", "10.0.0.1");
        await _store.PutAsync("/app/hosts/web2", "10.0.0.2");
        await _store.PutAsync("/app/port", "8080");
        await _store.PutAsync("/other/port", "1");
        var r = Resource("hosts", "{{range gets \"/hosts/*\"}}{{base .Key}} {{.Value}}:{{getv \"/port\"}}\n{{end}}", ["/hosts", "/port"], "/app");
        await using var module = Module(new RenderOptions { Templates = [r] });

        Assert.True(await module.RunOnceAsync());

        Assert.Equal("web1 10.0.0.1:8080\nweb2 10.0.0.2:8080\n", File.ReadAllText(r.Destination));
        Assert.Null(module.Status[0].LastError);
        Assert.Equal(_store.Revision, module.Status[0].Revision);
    }

    [Fact]
    public async Task RunOnce_GlobalPrefixDecorator_ResourcePrefixJoinedBelowIt()
    {
        await _store.PutAsync("/prod/app/port", "443");
        await _store.PutAsync("/app/port", "80");
        var r = Resource("port", "{{getv \"/port\"}}", ["/port"], "/app");
        await using var module = Module(new RenderOptions { Templates = [r] }, new PrefixedKvStore(_store, "/prod"));

        Assert.True(await module.RunOnceAsync());

        Assert.Equal("443", File.ReadAllText(r.Destination));
    }

    [Fact]
    public async Task RunOnce_CheckFails_OldFileKeptAndNoReload()
    {
        await _store.PutAsync("/v", "new");
        var r = Resource("f", "{{getv \"/v\"}}", ["/v"]) with { CheckCommand = "false-check {{.src}}", ReloadCommand = "reload-it" };
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(r.Destination)!);
        File.WriteAllText(r.Destination, "old");
        _runner.ExitCodes["false-check"] = 1;
        await using var module = Module(new RenderOptions { Templates = [r] });

        Assert.False(await module.RunOnceAsync());

        Assert.Equal("old", File.ReadAllText(r.Destination));
        Assert.Single(_runner.Commands);
        Assert.DoesNotContain("reload-it", _runner.Commands);
        Assert.Contains("check_cmd failed", module.Status[0].LastError, StringComparison.Ordinal);
        Assert.Single(Directory.GetFiles(System.IO.Path.GetDirectoryName(r.Destination)!));
    }

    [Fact]
    public async Task RunOnce_CheckCommand_SeesStagedFileBesideDestination()
    {
        await _store.PutAsync("/v", "content");
        var r = Resource("f", "{{getv \"/v\"}}", ["/v"]) with { CheckCommand = "check {{.src}}" };
        string? seen = null;
        _runner.OnRun = cmd => seen = File.ReadAllText(cmd["check ".Length..]);
        await using var module = Module(new RenderOptions { Templates = [r] });

        Assert.True(await module.RunOnceAsync());

        var staged = _runner.Commands[0]["check ".Length..];
        Assert.Equal(System.IO.Path.GetDirectoryName(r.Destination), System.IO.Path.GetDirectoryName(staged));
        Assert.NotEqual(r.Destination, staged);
        Assert.Equal("content", seen);
        Assert.False(File.Exists(staged));
    }

    [Fact]
    public async Task RunOnce_SharedReloadCommand_RunsOnceAfterAllWrites()
    {
        await _store.PutAsync("/a", "1");
        await _store.PutAsync("/b", "2");
        var a = Resource("a", "{{getv \"/a\"}}", ["/a"]) with { ReloadCommand = "systemctl reload haproxy" };
        var b = Resource("b", "{{getv \"/b\"}}", ["/b"]) with { ReloadCommand = "systemctl reload haproxy" };
        var c = Resource("c", "{{getv \"/b\"}}", ["/b"]) with { ReloadCommand = "other" };
        bool bothWritten = false;
        _runner.OnRun = cmd => bothWritten = File.Exists(a.Destination) && File.Exists(b.Destination);
        await using var module = Module(new RenderOptions { Templates = [a, b, c] });

        Assert.True(await module.RunOnceAsync());

        Assert.Equal(["systemctl reload haproxy", "other"], _runner.Commands);
        Assert.True(bothWritten);
    }

    [Fact]
    public async Task RunOnce_Unchanged_WritesAndReloadsNothing()
    {
        await _store.PutAsync("/a", "1");
        var r = Resource("a", "{{getv \"/a\"}}", ["/a"]) with { ReloadCommand = "reload" };
        await using var module = Module(new RenderOptions { Templates = [r] });
        Assert.True(await module.RunOnceAsync());
        var written = File.GetLastWriteTimeUtc(r.Destination);

        Assert.True(await module.RunOnceAsync());

        Assert.Single(_runner.Commands);
        Assert.Equal(1, module.Status[0].Writes);
        Assert.Equal(written, File.GetLastWriteTimeUtc(r.Destination));
    }

    [Fact]
    public async Task RunOnce_MissingKey_ResourceFailsOldFileKeptOthersRendered()
    {
        await _store.PutAsync("/b", "2");
        var a = Resource("a", "{{getv \"/a\"}}", ["/a"]) with { ReloadCommand = "reload-a" };
        var b = Resource("b", "{{getv \"/b\"}}", ["/b"]);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(a.Destination)!);
        File.WriteAllText(a.Destination, "kept");
        await using var module = Module(new RenderOptions { Templates = [a, b] });

        Assert.False(await module.RunOnceAsync());

        Assert.Equal("kept", File.ReadAllText(a.Destination));
        Assert.Equal("2", File.ReadAllText(b.Destination));
        Assert.Contains("/a", module.Status[0].LastError, StringComparison.Ordinal);
        Assert.Equal(1, module.Status[0].Failures);
        Assert.Empty(_runner.Commands);
    }

    [Fact]
    public async Task RunOnce_MissingKeyWithDefault_RendersDefault()
    {
        var r = Resource("a", "{{getv \"/a\" \"fallback\"}}", ["/a"]);
        await using var module = Module(new RenderOptions { Templates = [r] });

        Assert.True(await module.RunOnceAsync());

        Assert.Equal("fallback", File.ReadAllText(r.Destination));
    }

    [Fact]
    public async Task RunOnce_ReloadFails_CountedAndReported()
    {
        await _store.PutAsync("/a", "1");
        var r = Resource("a", "{{getv \"/a\"}}", ["/a"]) with { ReloadCommand = "broken-reload" };
        _runner.ExitCodes["broken-reload"] = 3;
        await using var module = Module(new RenderOptions { Templates = [r] });

        Assert.False(await module.RunOnceAsync());

        Assert.Equal("1", File.ReadAllText(r.Destination));
        Assert.Equal(1, module.Status[0].ReloadFailures);
        Assert.Contains("exit 3", module.Status[0].LastReloadError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunOnce_Noop_PrintsDiffAndWritesNothing()
    {
        await _store.PutAsync("/a", "one\nTWO\nthree\n");
        var r = Resource("a", "{{getv \"/a\"}}", ["/a"]) with { ReloadCommand = "reload" };
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(r.Destination)!);
        File.WriteAllText(r.Destination, "one\ntwo\nthree\n");
        var diff = new StringWriter();
        await using var module = Module(new RenderOptions { Templates = [r], Noop = true }, diff: diff);

        Assert.True(await module.RunOnceAsync());

        Assert.Equal("one\ntwo\nthree\n", File.ReadAllText(r.Destination));
        Assert.Equal($"--- {r.Destination}\n+++ {r.Destination} (rendered)\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n", diff.ToString());
        Assert.Empty(_runner.Commands);
    }

    [Fact]
    public async Task RunOnce_SyncOnly_WritesWithoutCheckOrReload()
    {
        await _store.PutAsync("/a", "1");
        var r = Resource("a", "{{getv \"/a\"}}", ["/a"]) with { CheckCommand = "check {{.src}}", ReloadCommand = "reload" };
        await using var module = Module(new RenderOptions { Templates = [r], SyncOnly = true });

        Assert.True(await module.RunOnceAsync());

        Assert.Equal("1", File.ReadAllText(r.Destination));
        Assert.Empty(_runner.Commands);
    }

    [Fact]
    public async Task RunOnce_FsyncOff_WritesWholeFilesAndLeavesNoStage()
    {
        await _store.PutAsync("/a", "1");
        var off = Resource("a", "{{getv \"/a\"}}", ["/a"]);
        var on = Resource("b", "b={{getv \"/a\"}}", ["/a"]) with { Durability = FileDurability.Ordered };
        await using var module = Module(new RenderOptions { Templates = [off, on], Durability = FileDurability.None });

        Assert.True(await module.RunOnceAsync());
        await _store.PutAsync("/a", "2");
        Assert.True(await module.RunOnceAsync());

        Assert.Equal("2", File.ReadAllText(off.Destination));
        Assert.Equal("b=2", File.ReadAllText(on.Destination));
        Assert.Empty(Directory.GetFiles(System.IO.Path.GetDirectoryName(off.Destination)!, ".*"));
        Assert.Equal("none", module.Status[0].Durability);
        Assert.Null(module.Status[0].DurabilityNote);
        Assert.Contains(module.Status[1].Durability, new[] { "ordered", "full" });
    }

    [Fact]
    public async Task RunOnce_KeepStageFile_FailedCheckLeavesStagedFile()
    {
        await _store.PutAsync("/a", "1");
        var r = Resource("a", "{{getv \"/a\"}}", ["/a"]) with { CheckCommand = "bad {{.src}}" };
        _runner.ExitCodes["bad"] = 1;
        await using var module = Module(new RenderOptions { Templates = [r], KeepStageFile = true });

        Assert.False(await module.RunOnceAsync());

        var staged = _runner.Commands[0]["bad ".Length..];
        Assert.Equal("1", File.ReadAllText(staged));
        Assert.False(File.Exists(r.Destination));
    }

    [Fact]
    public async Task RunOnce_ModeAndBackup_Applied()
    {
        await _store.PutAsync("/a", "new");
        var r = Resource("a", "{{getv \"/a\"}}", ["/a"]) with { Mode = (UnixFileMode)0b110_100_000, Backup = true };
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(r.Destination)!);
        File.WriteAllText(r.Destination, "old");
        await using var module = Module(new RenderOptions { Templates = [r] });

        Assert.True(await module.RunOnceAsync());

        Assert.Equal("new", File.ReadAllText(r.Destination));
        Assert.Equal("old", File.ReadAllText(r.Destination + ".bak"));
        Assert.Equal((UnixFileMode)0b110_100_000, File.GetUnixFileMode(r.Destination));
    }

    [Fact]
    public async Task RunOnce_ReconfigRecursive_DotIsKeyValueMap()
    {
        await _store.PutAsync("/test1/a", "1");
        await _store.PutAsync("/test1/b", "2");
        await _store.PutAsync("/test2", "x");
        var r = Resource("r", "{{range $k, $v := .}}{{$k}}={{$v}};{{end}}", ["/test1"]) with { Shape = RenderDataShape.Reconfig, Recursive = true };
        await using var module = Module(new RenderOptions { Templates = [r] });

        Assert.True(await module.RunOnceAsync());

        Assert.Equal("/test1/a=1;/test1/b=2;", File.ReadAllText(r.Destination));
    }

    [Fact]
    public async Task RunOnce_ReconfigSingleKeyMissing_Fails()
    {
        await _store.PutAsync("/single/child", "1");
        var r = Resource("r", "{{range $k, $v := .}}{{$v}}{{end}}", ["/single"]) with { Shape = RenderDataShape.Reconfig, Recursive = false };
        await using var module = Module(new RenderOptions { Templates = [r] });

        Assert.False(await module.RunOnceAsync());

        Assert.False(File.Exists(r.Destination));
        Assert.Contains("/single does not exist", module.Status[0].LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_Put_ReRendersDestination()
    {
        await _store.PutAsync("/svc/a", "1");
        var r = Resource("w", "{{range gets \"/svc/*\"}}{{.Value}}{{end}}", ["/svc"]) with { ReloadCommand = "reload" };
        await using var mirrors = new KvMirrorSet(_store);
        await using var module = Module(new RenderOptions { Templates = [r] }, mirrors: mirrors);
        module.Start();
        await Eventually(() => File.Exists(r.Destination) && File.ReadAllText(r.Destination) == "1");

        await _store.PutAsync("/svc/b", "2");

        await Eventually(() => File.ReadAllText(r.Destination) == "12");
        await Eventually(() => _runner.Commands.Count == 2);
    }

    [Fact]
    public async Task Watch_NothingPending_SchedulerSleepsUntilAChange()
    {
        await _store.PutAsync("/svc/a", "0");
        var a = Resource("a", "{{getv \"/svc/a\"}}", ["/svc"]);
        await using var mirrors = new KvMirrorSet(_store);
        await using var module = Module(new RenderOptions { Templates = [a] }, mirrors: mirrors);
        module.Start();
        await Eventually(() => module.Status[0].Writes == 1);
        await Task.Delay(100);

        // Idle: the loop went to sleep and stays asleep (it once woke itself at once, forever: a core per daemon).
        long before = module.SchedulerWaits;
        await Task.Delay(500);
        Assert.InRange(module.SchedulerWaits - before, 0, 1);

        // And a change still wakes it.
        await _store.PutAsync("/svc/a", "1");
        await Eventually(() => File.ReadAllText(a.Destination) == "1");
    }

    [Fact]
    public async Task Watch_BurstWithinWait_OneRenderOneReload()
    {
        await _store.PutAsync("/svc/a", "0");
        // The burst's puts follow each other at once and the quiet period is a second: under a load that
        // stretched 50 ms sleeps past a 400 ms quiet period, the burst used to become two.
        var wait = new ChangeWait(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(20));
        var a = Resource("a", "{{getv \"/svc/a\"}}", ["/svc"]) with { ReloadCommand = "reload shared", Wait = wait };
        var b = Resource("b", "{{getv \"/svc/a\"}}!", ["/svc"]) with { ReloadCommand = "reload shared" };
        await using var mirrors = new KvMirrorSet(_store);
        await using var module = Module(new RenderOptions { Templates = [a, b] }, mirrors: mirrors);
        module.Start();
        await Eventually(() => _runner.Commands.Count == 1);

        for (int i = 1; i <= 5; i++)
        {
            await _store.PutAsync("/svc/a", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        await Eventually(() => File.ReadAllText(a.Destination) == "5");
        // The pass writes both files, then reloads; a loaded machine may take a while between them.
        await Eventually(() => _runner.Commands.Count >= 2);
        // Long enough for a second render or reload the burst should not have caused.
        await Task.Delay(600);
        Assert.Equal("5!", File.ReadAllText(b.Destination));
        Assert.Equal(2, _runner.Commands.Count);
        Assert.Equal(2, module.Status[0].Writes);
    }

    [Fact]
    public async Task Watch_StoreNotLoaded_NothingRenderedUntilSynced()
    {
        await _store.PutAsync("/a", "1");
        var gated = new GatedStore(_store);
        var r = Resource("a", "{{getv \"/a\" \"EMPTY\"}}", ["/a"]);
        await using var mirrors = new KvMirrorSet(gated);
        await using var module = Module(new RenderOptions { Templates = [r] }, gated, mirrors);
        module.Start();
        await Task.Delay(300);
        Assert.False(File.Exists(r.Destination));

        gated.Open();

        await Eventually(() => File.Exists(r.Destination) && File.ReadAllText(r.Destination) == "1");
    }

    [Fact]
    public async Task Watch_CheckFailsThenPasses_RetriedWithoutAChange()
    {
        await _store.PutAsync("/a", "1");
        var r = Resource("a", "{{getv \"/a\"}}", ["/a"]) with { CheckCommand = "flaky {{.src}}", ReloadCommand = "reload" };
        _runner.ExitCodes["flaky"] = 1;
        await using var mirrors = new KvMirrorSet(_store);
        await using var module = Module(new RenderOptions { Templates = [r] }, mirrors: mirrors);
        module.Start();
        await Eventually(() => module.Status[0].Failures >= 2);
        Assert.False(File.Exists(r.Destination));

        _runner.ExitCodes["flaky"] = 0;

        await Eventually(() => File.Exists(r.Destination) && module.Status[0].LastError is null);
        await Eventually(() => _runner.Commands.Contains("reload"));
    }

    [Fact]
    public async Task Interval_PollsStoreWithoutMirrors_PicksUpChange()
    {
        await _store.PutAsync("/a", "1");
        var r = Resource("a", "{{getv \"/a\"}}", ["/a"]);
        await using var module = Module(new RenderOptions { Templates = [r], Interval = TimeSpan.FromMilliseconds(100) });
        module.Start();
        await Eventually(() => File.Exists(r.Destination) && File.ReadAllText(r.Destination) == "1");

        await _store.PutAsync("/a", "2");

        await Eventually(() => File.ReadAllText(r.Destination) == "2");
    }

    [Fact]
    public async Task Watch_GlobalWait_AppliesToResourcesWithoutTheirOwn()
    {
        await _store.PutAsync("/a", "0");
        var r = Resource("a", "{{getv \"/a\"}}", ["/a"]);
        await using var mirrors = new KvMirrorSet(_store);
        // A quiet period far longer than the look below: parallel test classes on two cores stretched a
        // 200 ms delay past a 500 ms quiet period, and the render had rightly happened by then.
        await using var module = Module(new RenderOptions { Templates = [r], Wait = new ChangeWait(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(20)) }, mirrors: mirrors);
        module.Start();
        await Eventually(() => File.Exists(r.Destination));

        await _store.PutAsync("/a", "1");
        await Task.Delay(200);
        Assert.Equal("0", File.ReadAllText(r.Destination));

        await Eventually(() => File.ReadAllText(r.Destination) == "1");
    }

    [Fact]
    public async Task Watch_ReloadDropsAPrefix_ItsMirrorStopsTheOtherIsKept()
    {
        await _store.PutAsync("/a", "1");
        await _store.PutAsync("/b", "2");
        var both = Resource("both", "{{getv \"/a\"}}{{getv \"/b\"}}", ["/a", "/b"]);
        var onlyA = Resource("only-a", "{{getv \"/a\"}}", ["/a"]);
        await using var mirrors = new KvMirrorSet(_store) { Linger = TimeSpan.FromMilliseconds(50) };
        var before = Module(new RenderOptions { Templates = [both] }, mirrors: mirrors);
        before.Start();
        await Eventually(() => File.Exists(both.Destination) && File.ReadAllText(both.Destination) == "12");
        var mirrorOfA = mirrors.Mirrors.Single(m => m.Prefix == "/a");
        var mirrorOfB = mirrors.Mirrors.Single(m => m.Prefix == "/b");

        // A reload as the daemon does it: the old module goes, then the new one starts.
        await before.DisposeAsync();
        await using var after = Module(new RenderOptions { Templates = [onlyA] }, mirrors: mirrors);
        after.Start();

        await Eventually(() => mirrorOfB.State == KvMirrorState.Stopped);
        Assert.Same(mirrorOfA, Assert.Single(mirrors.Mirrors));
        Assert.Equal(KvMirrorState.Watching, mirrorOfA.State);
        await _store.PutAsync("/a", "3");
        await Eventually(() => File.Exists(onlyA.Destination) && File.ReadAllText(onlyA.Destination) == "3");
    }

    private static Task Eventually(Func<bool> condition) => Poll.UntilAsync(condition, TimeSpan.FromSeconds(15));

    /// <summary>A store whose listing waits until <see cref="Open"/>, like a store that is still down at start.</summary>
    private sealed class GatedStore(MemoryKvStore inner) : IKvStore
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name => "gated";

        public KvStoreCapabilities Capabilities => inner.Capabilities;

        public void Open() => _open.TrySetResult();

        public Task<KvPair?> GetAsync(string key, CancellationToken cancellationToken = default) => inner.GetAsync(key, cancellationToken);

        public async Task<KvSnapshot> ListAsync(string prefix, CancellationToken cancellationToken = default)
        {
            await _open.Task.WaitAsync(cancellationToken);
            return await inner.ListAsync(prefix, cancellationToken);
        }

        public IAsyncEnumerable<KvChangeBatch> WatchAsync(string prefix, long fromRevision, CancellationToken cancellationToken = default) => inner.WatchAsync(prefix, fromRevision, cancellationToken);

        public Task<long> PutAsync(string key, string value, CancellationToken cancellationToken = default) => inner.PutAsync(key, value, cancellationToken);

        public Task<long> DeleteAsync(string key, bool prefix = false, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, prefix, cancellationToken);

        public Task<KvTransactionResult> CommitAsync(KvTransaction transaction, CancellationToken cancellationToken = default) => inner.CommitAsync(transaction, cancellationToken);

        public Task<IKvRegistration> RegisterAsync(string key, string value, TimeSpan ttl, CancellationToken cancellationToken = default) => inner.RegisterAsync(key, value, ttl, cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
