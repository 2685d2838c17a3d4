using System.Diagnostics;
using System.Globalization;
using Tend.Core.Config;
using Tend.Core.Kv;
using Tend.Core.Mirror;
using Tend.Core.Processes;
using Tend.Modules.Render;
using Tend.Modules.Render.Config;
using Tend.Testing;
using Xunit;

namespace Tend.Modules.Tests.Render;

/// <summary>
/// Every render mode and resource option, through a real store. A store's class derives from this
/// and supplies the store, a way to write to it as another client would, and an outage. Each test
/// works below its own <see cref="Root"/>; check and reload commands are real <c>sh -c</c> scripts
/// that leave marker files behind.
/// </summary>
public abstract partial class RenderStoreTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly TempDir _dir = new();
    private IKvStore? _store;

    /// <summary>The prefix this test owns.</summary>
    protected string Root { get; } = "/render-it/t" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>The store the module reads.</summary>
    protected IKvStore Store => _store ?? throw new InvalidOperationException("The store is not created yet.");

    /// <summary>A scratch directory of this test's own.</summary>
    protected string Dir => _dir.Path;

    /// <summary>Creates the store the module reads.</summary>
    protected abstract Task<IKvStore> CreateStoreAsync();

    /// <summary>Puts (or, for a <c>null</c> value, deletes) <paramref name="key"/> as another client would, retrying while the store is down.</summary>
    protected abstract Task WriteAsync(string key, string? value);

    /// <summary>Writes several keys at one store revision (a transaction, one rewrite of the data file), as another client would.</summary>
    protected abstract Task WriteTogetherAsync(IReadOnlyList<(string Key, string Value)> pairs);

    /// <summary>Takes the store away: a kill, a vanished data file.</summary>
    protected abstract Task StopStoreAsync();

    /// <summary>Brings the store back; returns when it serves again.</summary>
    protected abstract Task StartStoreAsync();

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public virtual async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    public void Dispose()
    {
        _dir.Dispose();
        GC.SuppressFinalize(this);
    }

    [SkippableFact]
    public async Task Watch_PutAndDelete_FileFollowsTheStoreAndReloadsEachTime()
    {
        var reloads = Marker("reloads");
        await WriteAsync(Root + "/hosts/web1", "10.0.0.1");
        var r = Resource("hosts", "{{range gets \"/hosts/*\"}}{{base .Key}}={{.Value}}\n{{end}}", ["/hosts"]) with { ReloadCommand = $"echo reload >> {reloads}" };
        await using var mirrors = new KvMirrorSet(Store);
        await using var module = Module(new RenderOptions { Templates = [r] }, mirrors);
        module.Start();
        await Eventually(() => Read(r.Destination) == "web1=10.0.0.1\n" && Lines(reloads).Length == 1);

        await WriteAsync(Root + "/hosts/web2", "10.0.0.2");
        await Eventually(() => Read(r.Destination) == "web1=10.0.0.1\nweb2=10.0.0.2\n" && Lines(reloads).Length == 2);

        await WriteAsync(Root + "/hosts/web1", null);
        await Eventually(() => Read(r.Destination) == "web2=10.0.0.2\n" && Lines(reloads).Length == 3);

        Assert.Null(module.Status[0].LastError);
        Assert.Equal(3, module.Status[0].Writes);
        Assert.True(module.Status[0].Revision > 0);
    }

    [SkippableFact]
    public async Task Interval_NoWatch_ChangeFoundByPolling()
    {
        await WriteAsync(Root + "/v", "1");
        var r = Resource("v", "{{getv \"/v\"}}", ["/v"]);
        await using var module = Module(new RenderOptions { Templates = [r], Interval = TimeSpan.FromMilliseconds(200) }, mirrors: null);
        module.Start();
        await Eventually(() => Read(r.Destination) == "1");

        await WriteAsync(Root + "/v", "2");

        await Eventually(() => Read(r.Destination) == "2");
        Assert.Null(module.Status[0].LastError);
    }

    [SkippableFact]
    public async Task Onetime_OneResourceMissingKey_FalseTheOthersWritten()
    {
        await WriteAsync(Root + "/good", "yes");
        var good = Resource("good", "{{getv \"/good\"}}", ["/good"]);
        var defaulted = Resource("defaulted", "{{getv \"/absent\" \"fallback\"}}", ["/absent"]);
        var bad = Resource("bad", "{{getv \"/absent\"}}", ["/absent"]);

        await using (var allGood = Module(new RenderOptions { Templates = [good, defaulted] }, mirrors: null))
        {
            Assert.True(await allGood.RunOnceAsync());
        }

        File.Delete(good.Destination);
        await using var module = Module(new RenderOptions { Templates = [bad, good, defaulted] }, mirrors: null);

        Assert.False(await module.RunOnceAsync());

        Assert.False(File.Exists(bad.Destination));
        Assert.Contains("/absent", module.Status[0].LastError, StringComparison.Ordinal);
        Assert.Equal("yes", Read(good.Destination));
        Assert.Equal("fallback", Read(defaulted.Destination));
        Assert.Null(module.Status[1].LastError);
    }

    [SkippableFact]
    public async Task Noop_OnetimeAndWatch_PrintsDiffWritesAndRunsNothing()
    {
        var commands = Marker("commands");
        await WriteAsync(Root + "/v", "new");
        var r = Resource("v", "a\nv={{getv \"/v\"}}\nz\n", ["/v"]) with { CheckCommand = $"echo check >> {commands}", ReloadCommand = $"echo reload >> {commands}" };
        Directory.CreateDirectory(Path.GetDirectoryName(r.Destination)!);
        File.WriteAllText(r.Destination, "a\nv=old\nz\n");
        var onetimeDiff = new StringWriter();
        await using (var onetime = Module(new RenderOptions { Templates = [r], Noop = true }, mirrors: null, diff: onetimeDiff))
        {
            Assert.True(await onetime.RunOnceAsync());
        }

        Assert.Equal($"--- {r.Destination}\n+++ {r.Destination} (rendered)\n@@ -1,3 +1,3 @@\n a\n-v=old\n+v=new\n z\n", onetimeDiff.ToString());

        var watchDiff = new SyncWriter();
        await using var mirrors = new KvMirrorSet(Store);
        await using var module = Module(new RenderOptions { Templates = [r], Noop = true }, mirrors, watchDiff);
        module.Start();
        await Eventually(() => watchDiff.Text.Contains("+v=new\n", StringComparison.Ordinal));
        await WriteAsync(Root + "/v", "newer");
        await Eventually(() => watchDiff.Text.Contains("+v=newer\n", StringComparison.Ordinal));

        Assert.Equal("a\nv=old\nz\n", Read(r.Destination));
        Assert.False(File.Exists(commands));
        Assert.Equal([r.Destination], Directory.GetFiles(Path.GetDirectoryName(r.Destination)!));
        Assert.Equal(0, module.Status[0].Writes);
    }

    [SkippableFact]
    public async Task SyncOnly_Watch_WritesFilesAndRunsNoCommand()
    {
        var commands = Marker("commands");
        await WriteAsync(Root + "/v", "1");
        // A check that would refuse every file: sync-only must not even run it.
        var r = Resource("v", "{{getv \"/v\"}}", ["/v"]) with { CheckCommand = $"echo check >> {commands}; exit 1", ReloadCommand = $"echo reload >> {commands}" };
        await using var mirrors = new KvMirrorSet(Store);
        await using var module = Module(new RenderOptions { Templates = [r], SyncOnly = true }, mirrors);
        module.Start();
        await Eventually(() => Read(r.Destination) == "1");

        await WriteAsync(Root + "/v", "2");

        // The status follows the rename, a moment after the file is visible: wait for it rather than race it.
        await Eventually(() => Read(r.Destination) == "2" && module.Status[0].Writes == 2);
        Assert.False(File.Exists(commands));
    }

    [SkippableFact]
    public async Task KeepStageFile_CheckFails_StagedFileKeptOnlyWhenAsked()
    {
        await WriteAsync(Root + "/v", "new");
        var r = Resource("v", "{{getv \"/v\"}}", ["/v"]) with { CheckCommand = "test -z {{.src}}" };
        var dir = Path.GetDirectoryName(r.Destination)!;
        Directory.CreateDirectory(dir);
        File.WriteAllText(r.Destination, "old");

        await using (var plain = Module(new RenderOptions { Templates = [r] }, mirrors: null))
        {
            Assert.False(await plain.RunOnceAsync());
            Assert.Contains("check_cmd failed", plain.Status[0].LastError, StringComparison.Ordinal);
        }

        Assert.Equal([r.Destination], Directory.GetFiles(dir));

        await using var keeping = Module(new RenderOptions { Templates = [r], KeepStageFile = true }, mirrors: null);
        Assert.False(await keeping.RunOnceAsync());

        Assert.Equal("old", Read(r.Destination));
        var staged = Assert.Single(Directory.GetFiles(dir), f => f != r.Destination);
        Assert.Equal("new", Read(staged));
    }

    [SkippableFact]
    public async Task Check_StagedBesideDestination_ThenRenamedOverIt()
    {
        var seen = Marker("seen");
        var src = Marker("src");
        await WriteAsync(Root + "/v", "new");
        var r = Resource("v", "{{getv \"/v\"}}", ["/v"]) with { CheckCommand = $"cp {{{{.src}}}} {seen} && echo {{{{.src}}}} > {src}" };
        var dir = Path.GetDirectoryName(r.Destination)!;
        Directory.CreateDirectory(dir);
        File.WriteAllText(r.Destination, "old");
        File.SetUnixFileMode(r.Destination, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using var before = new FileStream(r.Destination, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        await using var module = Module(new RenderOptions { Templates = [r] }, mirrors: null);

        Assert.True(await module.RunOnceAsync());

        Assert.Equal("new", Read(seen));
        Assert.Equal(dir, Path.GetDirectoryName(Read(src)!.Trim()));
        Assert.Equal("new", Read(r.Destination));
        // Renamed over, not rewritten in place: a reader of the old file still sees it whole.
        Assert.Equal("old", new StreamReader(before).ReadToEnd());
        Assert.Equal([r.Destination], Directory.GetFiles(dir));
        // No mode configured: the replaced file's is kept.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(r.Destination));
    }

    [SkippableFact]
    public async Task CheckAndReloadTimeouts_CommandsKilledAndReported()
    {
        await WriteAsync(Root + "/v", "1");
        var slowCheck = Resource("check", "{{getv \"/v\"}}", ["/v"]) with { CheckCommand = "sleep 60", CheckTimeout = TimeSpan.FromSeconds(1) };
        var slowReload = Resource("reload", "{{getv \"/v\"}}", ["/v"]) with { ReloadCommand = "sleep 60", ReloadTimeout = TimeSpan.FromSeconds(1) };
        await using var module = Module(new RenderOptions { Templates = [slowCheck, slowReload] }, mirrors: null);

        Assert.False(await module.RunOnceAsync());

        Assert.False(File.Exists(slowCheck.Destination));
        Assert.Contains("timed out", module.Status[0].LastError, StringComparison.Ordinal);
        Assert.Equal("1", Read(slowReload.Destination));
        Assert.Equal(1, module.Status[1].ReloadFailures);
        Assert.Contains("timed out", module.Status[1].LastReloadError, StringComparison.Ordinal);
        Assert.Equal([slowReload.Destination], Directory.GetFiles(Path.GetDirectoryName(slowReload.Destination)!));
    }

    [SkippableFact]
    public async Task ModeOwnerGroupBackupCreateDirs_FromConfigApplied()
    {
        // Root can give the file away, so it does, to prove the chown; anyone else keeps their own.
        bool root = Id("-u") == "0";
        var (owner, group) = root && IdOf("nobody") is not null ? ("nobody", Id("-gn", "nobody")) : (Id("-un"), Id("-gn"));
        var template = _dir.File("cfg/v.tmpl", "{{getv \"/v\"}}");
        var config = RenderConfigReader.OptionsOf(TendConfigLoader.Parse(_dir.File("cfg/tend.toml"), $"""
            [[render.template]]
            src = "{template}"
            dest = "out/deep/er/v.conf"
            keys = ["/v"]
            prefix = "{Root}"
            mode = "0640"
            owner = "{owner}"
            group = "{group}"
            backup = true
            create_dest_dirs = true
            """, [new RenderConfigReader()]));
        var r = config.Templates[0];
        await WriteAsync(Root + "/v", "1");
        await using var module = Module(config, mirrors: null);

        Assert.True(await module.RunOnceAsync(), module.Status[0].LastError);
        Assert.Equal("1", Read(r.Destination));
        Assert.Equal((UnixFileMode)0b110_100_000, File.GetUnixFileMode(r.Destination));
        Assert.Equal($"{IdOf(owner)} {GroupId(group)}", Stat(r.Destination));
        Assert.False(File.Exists(r.Destination + ".bak"));

        await WriteAsync(Root + "/v", "2");
        Assert.True(await module.RunOnceAsync());
        Assert.Equal("2", Read(r.Destination));
        Assert.Equal("1", Read(r.Destination + ".bak"));

        // Same content, wrong mode: the file is put right all the same.
        File.SetUnixFileMode(r.Destination, (UnixFileMode)0b110_110_110);
        Assert.True(await module.RunOnceAsync());
        Assert.Equal((UnixFileMode)0b110_100_000, File.GetUnixFileMode(r.Destination));
        Assert.Equal(3, module.Status[0].Writes);
    }

    [SkippableFact]
    public async Task Prefix_GlobalAndResourcePrefix_JoinedInWatchAndOnetime()
    {
        await WriteAsync(Root + "/prod/app/port", "443");
        await WriteAsync(Root + "/app/port", "80");
        await WriteAsync(Root + "/prod/port", "1");
        // Not disposed: it would dispose the store it wraps, which the base class owns.
        var prefixed = new PrefixedKvStore(Store, Root + "/prod");
        var r = Resource("port", "{{getv \"/port\"}}", ["/port"], "/app");
        await using (var onetime = Module(new RenderOptions { Templates = [r] }, mirrors: null, store: prefixed))
        {
            Assert.True(await onetime.RunOnceAsync());
            Assert.Equal("443", Read(r.Destination));
        }

        await using var mirrors = new KvMirrorSet(prefixed);
        await using var module = Module(new RenderOptions { Templates = [r] }, mirrors, store: prefixed);
        module.Start();
        await WriteAsync(Root + "/prod/app/port", "8443");

        await Eventually(() => Read(r.Destination) == "8443");
    }

    [SkippableFact]
    public async Task Wait_BurstOnSharedReload_OneRenderAndOneReloadAfterBothFiles()
    {
        var reloads = Marker("reloads");
        await WriteAsync(Root + "/svc/n", "0");
        // One resource with its own wait, one with the global one; both long enough that a burst of
        // back-to-back writes is never split, even on a loaded machine.
        var a = Resource("a", "{{getv \"/svc/n\"}}", ["/svc"]) with { Wait = new ChangeWait(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(60)) };
        var b = Resource("b", "{{getv \"/svc/n\"}}!", ["/svc"]);
        var reload = $"printf '%s|%s\\n' \"$(cat {a.Destination})\" \"$(cat {b.Destination})\" >> {reloads}";
        a = a with { ReloadCommand = reload };
        b = b with { ReloadCommand = reload };
        var global = new ChangeWait(TimeSpan.FromMilliseconds(1500), TimeSpan.FromSeconds(60));
        await using var mirrors = new KvMirrorSet(Store);
        await using var module = Module(new RenderOptions { Templates = [a, b], Wait = global }, mirrors);
        module.Start();
        await Eventually(() => Lines(reloads).Length == 1);
        Assert.Equal(["0|0!"], Lines(reloads));

        for (int i = 1; i <= 10; i++)
        {
            await WriteAsync(Root + "/svc/n", i.ToString(CultureInfo.InvariantCulture));
        }

        // Had the burst been rendered in parts, the second reload would have seen an earlier value.
        await Eventually(() => Lines(reloads).Length == 2);
        Assert.Equal(["0|0!", "10|10!"], Lines(reloads));
        Assert.Equal(2, module.Status[0].Writes);
        Assert.Equal(2, module.Status[1].Writes);
    }

    [SkippableFact]
    public async Task MissingKey_Deleted_OldFileKeptErrorReportedOthersGoOn()
    {
        var reloads = Marker("reloads");
        await WriteAsync(Root + "/a", "1");
        await WriteAsync(Root + "/b", "1");
        var a = Resource("a", "{{getv \"/a\"}}", ["/a"]) with { ReloadCommand = $"echo a >> {reloads}" };
        var b = Resource("b", "{{getv \"/b\"}}", ["/b"]);
        await using var mirrors = new KvMirrorSet(Store);
        await using var module = Module(new RenderOptions { Templates = [a, b] }, mirrors);
        module.Start();
        await Eventually(() => Read(a.Destination) == "1" && Read(b.Destination) == "1");

        await WriteAsync(Root + "/a", null);
        await WriteAsync(Root + "/b", "2");

        await Eventually(() => module.Status[0].LastError is not null && Read(b.Destination) == "2");
        Assert.Contains("/a", module.Status[0].LastError, StringComparison.Ordinal);
        Assert.Equal("1", Read(a.Destination));
        Assert.Equal(["a"], Lines(reloads));

        await WriteAsync(Root + "/a", "3");

        await Eventually(() => Read(a.Destination) == "3" && module.Status[0].LastError is null);
        await Eventually(() => Lines(reloads).Length == 2);
    }

    [SkippableFact]
    public async Task Reload_FailsEveryTime_CountedAndRenderingGoesOn()
    {
        var reloads = Marker("reloads");
        await WriteAsync(Root + "/v", "1");
        var r = Resource("v", "{{getv \"/v\"}}", ["/v"]) with { ReloadCommand = $"echo reload >> {reloads}; echo refused >&2; exit 3" };
        var refused = Resource("refused", "{{getv \"/v\"}}", ["/v"]) with { CheckCommand = "false" };
        await using var mirrors = new KvMirrorSet(Store);
        await using var module = Module(new RenderOptions { Templates = [refused, r] }, mirrors);
        module.Start();
        await Eventually(() => module.Status[1].ReloadFailures == 1);
        Assert.Contains("exit 3", module.Status[1].LastReloadError, StringComparison.Ordinal);

        await WriteAsync(Root + "/v", "2");

        await Eventually(() => Read(r.Destination) == "2" && module.Status[1].ReloadFailures == 2);
        Assert.Equal(2, Lines(reloads).Length);
        Assert.False(File.Exists(refused.Destination));
        Assert.Contains("check_cmd failed", module.Status[0].LastError, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task StoreRestart_NoEmptyRenderAndConvergesAfter()
    {
        var checks = Marker("checks");
        await WriteAsync(Root + "/hosts/h1", "1");
        // The check records every file the module meant to install.
        var r = Resource("hosts", "{{range gets \"/hosts/*\"}}{{base .Key}}={{.Value}}\n{{end}}", ["/hosts"]) with { CheckCommand = $"cat {{{{.src}}}} >> {checks}; echo '#' >> {checks}" };
        await using var mirrors = new KvMirrorSet(Store);
        await using var module = Module(new RenderOptions { Templates = [r] }, mirrors);
        module.Start();
        await Eventually(() => Read(r.Destination) == "h1=1\n");

        await StopStoreAsync();
        // Long enough for the module's watch to notice the store is gone.
        await Task.Delay(1000);
        await StartStoreAsync();
        await WriteAsync(Root + "/hosts/h2", "2");

        await Eventually(() => Read(r.Destination) == "h1=1\nh2=2\n" && module.Status[0].LastError is null);
        // An empty render would show as an empty entry between the separators.
        var installed = File.ReadAllText(checks).Split("#\n");
        Assert.Equal(["h1=1\n", "h1=1\nh2=2\n", string.Empty], installed);
    }

    [SkippableFact]
    public async Task Reconfig_TreeAndSingleKey_DotIsTheMapAndAMissingKeyKeepsTheFile()
    {
        await WriteAsync(Root + "/tree/a", "1");
        await WriteAsync(Root + "/tree/b/c", "2");
        await WriteAsync(Root + "/single", "s");
        var tree = Resource("tree", "{{range $k, $v := .}}{{$k}}={{$v}};{{end}}", [Root + "/tree"], "/") with { Shape = RenderDataShape.Reconfig, Recursive = true };
        var single = Resource("single", "{{range $k, $v := .}}{{$k}}={{$v}}{{end}}", [Root + "/single"], "/") with { Shape = RenderDataShape.Reconfig, Recursive = false };
        await using var mirrors = new KvMirrorSet(Store);
        await using var module = Module(new RenderOptions { Templates = [tree, single] }, mirrors);
        module.Start();
        await Eventually(() => Read(tree.Destination) == $"{Root}/tree/a=1;{Root}/tree/b/c=2;" && Read(single.Destination) == $"{Root}/single=s");

        await WriteAsync(Root + "/single", null);
        await WriteAsync(Root + "/tree/a", null);

        await Eventually(() => Read(tree.Destination) == $"{Root}/tree/b/c=2;" && module.Status[1].LastError is not null);
        Assert.Contains("does not exist", module.Status[1].LastError, StringComparison.Ordinal);
        Assert.Equal($"{Root}/single=s", Read(single.Destination));
    }

    [SkippableFact]
    public async Task StoreKilledDuringBurst_FinalFileEqualsFinalData()
    {
        await WriteAsync(Root + "/hosts/h00", "0");
        var r = Resource("hosts", "{{range gets \"/hosts/*\"}}{{base .Key}}={{.Value}}\n{{end}}", ["/hosts"]);
        await using var mirrors = new KvMirrorSet(Store);
        await using var module = Module(new RenderOptions { Templates = [r] }, mirrors);
        module.Start();
        await Eventually(() => Read(r.Destination) == "h00=0\n");

        // 120 writes over 20 keys; the store goes away a quarter of the way in and comes back a
        // second later while the writer keeps retrying.
        var written = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal) { ["h00"] = ["0"] };
        Task? restart = null;
        for (int i = 1; i <= 120; i++)
        {
            if (i == 30)
            {
                await StopStoreAsync();
                restart = Task.Run(async () =>
                {
                    await Task.Delay(1000);
                    await StartStoreAsync();
                });
            }

            var name = $"h{i % 20:00}";
            var value = i.ToString(CultureInfo.InvariantCulture);
            (written.TryGetValue(name, out var values) ? values : written[name] = []).Add(value);
            await WriteAsync($"{Root}/hosts/{name}", value);
        }

        await restart!;

        // The file must come to hold what the store holds. That is not always each key's last value written:
        // a write the client gave up on while the store was coming back (a Consul agent holds requests while
        // it has no leader) may still be applied afterwards, over a later one. Whatever the store ends with,
        // every value in it is one the test wrote, and the file follows it.
        string want = string.Empty;
        await Eventually(
            async () =>
            {
                KvSnapshot data;
                try
                {
                    data = await Store.ListAsync(Root + "/hosts");
                }
                catch (KvStoreException)
                {
                    // The module's client may still be reconnecting after the outage; the deadline covers it.
                    return false;
                }

                string Name(KvPair p) => p.Key[(Root.Length + "/hosts/".Length)..];
                foreach (var p in data)
                {
                    Assert.Contains(p.Value, written[Name(p)]);
                }

                want = string.Concat(data.Select(p => $"{Name(p)}={p.Value}\n"));
                return data.Count == 20 && Read(r.Destination) == want && module.Status[0].LastError is null;
            },
            () => $"the file to hold what the store holds\nstore:\n{want}file:\n{Read(r.Destination)}last error: {module.Status[0].LastError}\nstore log:\n{StoreLog()}");
    }

    [SkippableFact]
    public async Task StoreDownAtStart_NoEmptyRenderInWatchOrIntervalThenConverges()
    {
        await WriteAsync(Root + "/v", "1");
        // With a default, an empty store would render "EMPTY": only a render from no data at all can show it.
        var watched = Resource("watched", "{{getv \"/v\" \"EMPTY\"}}", ["/v"]);
        var polled = Resource("polled", "{{getv \"/v\" \"EMPTY\"}}", ["/v"]);
        Directory.CreateDirectory(Path.GetDirectoryName(watched.Destination)!);
        File.WriteAllText(watched.Destination, "old");
        File.WriteAllText(polled.Destination, "old");
        await StopStoreAsync();
        await using var mirrors = new KvMirrorSet(Store);
        await using var watch = Module(new RenderOptions { Templates = [watched] }, mirrors);
        await using var interval = Module(new RenderOptions { Templates = [polled], Interval = TimeSpan.FromMilliseconds(200) }, mirrors: null);
        watch.Start();
        interval.Start();

        // Time for a wrong render to happen; what is asserted holds at any moment.
        await Task.Delay(1500);
        // The file store keeps serving what it last read, so "1" is right too; anything else is not.
        Assert.Contains(Read(watched.Destination), new[] { "old", "1" });
        Assert.Contains(Read(polled.Destination), new[] { "old", "1" });

        await StartStoreAsync();

        await Eventually(() => Read(watched.Destination) == "1" && Read(polled.Destination) == "1");
    }

    private protected RenderResourceOptions Resource(string name, string template, string[] keys, string? prefix = null) => new()
    {
        Id = name,
        Source = _dir.File($"templates/{name}.tmpl", template),
        Destination = Path.Combine(_dir.Path, "out", name),
        Keys = keys,
        Prefix = prefix ?? Root,
        CreateDestDirs = true,
    };

    private protected RenderModule Module(RenderOptions options, KvMirrorSet? mirrors, TextWriter? diff = null, IKvStore? store = null) =>
        new(options, store ?? Store, mirrors, ShellCommandRunner.Instance, GoTemplateCompiler.Instance, diffOutput: diff) { RetryDelay = TimeSpan.FromMilliseconds(200) };

    private string Marker(string name) => Path.Combine(_dir.Path, name + ".log");

    private static string[] Lines(string path) => File.Exists(path) ? File.ReadAllLines(path) : [];

    private protected static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string? IdOf(string user)
    {
        try
        {
            return Id("-u", user);
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static string Id(string flag, string? user = null) => Run("id", user is null ? [flag] : [flag, user]);

    private static string GroupId(string group) => Run("getent", ["group", group]).Split(':')[2];

    private static string Stat(string path) => Run("stat", ["-c", "%u %g", path]);

    private static string Run(string file, string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0 ? output.Trim() : throw new InvalidOperationException($"{file} {string.Join(' ', args)}: exit {p.ExitCode}");
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails after a deadline generous enough for a loaded machine.</summary>
    protected static Task Eventually(Func<bool> condition) => Poll.UntilAsync(condition, Deadline);

    /// <summary>As <see cref="Eventually(Func{bool})"/>, failing with what <paramref name="state"/> says of the moment.</summary>
    protected static Task Eventually(Func<Task<bool>> condition, Func<string> state) => Poll.UntilAsync(condition, Deadline, state);

    /// <summary>What the store client the module reads has logged, for a failure message; empty where it keeps none.</summary>
    protected virtual string StoreLog() => string.Empty;

    /// <summary>A diff sink the test reads while the module writes to it from its loop.</summary>
    private sealed class SyncWriter : StringWriter
    {
        private readonly Lock _gate = new();

        public string Text
        {
            get
            {
                lock (_gate)
                {
                    return ToString();
                }
            }
        }

        public override void Write(char value)
        {
            lock (_gate)
            {
                base.Write(value);
            }
        }

        public override void Write(string? value)
        {
            lock (_gate)
            {
                base.Write(value);
            }
        }

        public override Task WriteAsync(string? value)
        {
            Write(value);
            return Task.CompletedTask;
        }
    }
}
