using System.Text.Json;
using Tend.Core.Kv;
using Tend.Core.Mirror;
using Tend.Core.Processes;
using Tend.Modules.Hooks;
using Tend.Modules.Hooks.Exec;
using Tend.Modules.Tests.Render;
using Tend.Stores.Memory;
using Tend.Testing;
using Xunit;
using static Tend.Modules.Tests.Hooks.HookTestSupport;

namespace Tend.Modules.Tests.Hooks;

/// <summary>Exec hooks on the memory store, running real shell commands.</summary>
public sealed class ExecHookTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Change_PutChangeDelete_OneRunEachWithTheVariables()
    {
        var output = _dir.File("changes.log");
        await using var store = new MemoryKvStore();
        await store.PutAsync("/app/existing", "e");
        await using var mirrors = new KvMirrorSet(store);
        await using var hooks = new HooksModule(mirrors, ShellCommandRunner.Instance);
        await hooks.ApplyAsync(Exec(new ExecHookOptions
        {
            Id = "log",
            Prefix = "/app",
            Command = $"printf '%s|%s|%s|%s|%s|%s\\n' \"$TEND_HOOK\" \"$TEND_ACTION\" \"$TEND_KEY\" \"$TEND_VALUE\" \"$TEND_PREV_VALUE\" \"$TEND_PREFIX\" >> {output}",
        }));
        await mirrors.Get("/app").WhenSynced;

        await store.PutAsync("/app/a", "1");
        await Eventually(() => Lines(output).Count == 1, "the put is reported");
        await store.PutAsync("/app/a", "2");
        await Eventually(() => Lines(output).Count == 2, "the change is reported");
        await store.DeleteAsync("/app/a");
        await Eventually(() => Lines(output).Count == 3, "the delete is reported");
        await store.PutAsync("/other/x", "not watched");
        await store.PutAsync("/app/existing", "e");
        await store.PutAsync("/app/b", "last");
        await Eventually(() => Lines(output).Count == 4 && hooks.Status.Exec[0].Runs == 4, "the next change is reported");

        Assert.Equal(["log|put|/app/a|1||/app", "log|put|/app/a|2|1|/app", "log|delete|/app/a||2|/app", "log|put|/app/b|last||/app"], Lines(output));
        var status = Assert.Single(hooks.Status.Exec);
        Assert.Equal((4L, 4L, 0L, 0), (status.Runs, status.Changes, status.Failures, status.Pending));
    }

    [Fact]
    public async Task Batch_Transaction_OneRunWithTheChangesAsJsonOnStdin()
    {
        var output = _dir.File("batch.json");
        var count = _dir.File("count");
        await using var store = new MemoryKvStore();
        await store.PutAsync("/cfg/old", "o");
        await store.PutAsync("/cfg/keep", "k");
        await using var mirrors = new KvMirrorSet(store);
        await using var hooks = new HooksModule(mirrors, ShellCommandRunner.Instance);
        await hooks.ApplyAsync(Exec(new ExecHookOptions
        {
            Id = "deploy",
            Prefix = "/cfg",
            Command = $"cat > {output}.tmp && echo \"$TEND_COUNT $TEND_HOOK\" > {count} && mv {output}.tmp {output}",
            Mode = ExecHookMode.Batch,
        }));
        await mirrors.Get("/cfg").WhenSynced;

        var result = await store.CommitAsync(new KvTransaction([],
        [
            KvOperation.Put("/cfg/a", "1"), KvOperation.Put("/cfg/b", "два \"quoted\""), KvOperation.Delete("/cfg/old"), KvOperation.Put("/cfg/keep", "k"),
        ]));
        await Eventually(() => File.Exists(output) && hooks.Status.Exec[0].Runs == 1, "the batch runs");

        using var json = JsonDocument.Parse(File.ReadAllText(output));
        var changes = json.RootElement.EnumerateArray()
            .Select(c => (c.GetProperty("key").GetString(), c.GetProperty("action").GetString(), c.GetProperty("value").GetString(), c.GetProperty("prev_value").GetString(), c.GetProperty("revision").GetInt64()))
            .ToList();
        Assert.Equal(
            [("/cfg/a", "put", "1", null, result.Revision), ("/cfg/b", "put", "два \"quoted\"", null, result.Revision), ("/cfg/old", "delete", null, "o", result.Revision)],
            changes);
        Assert.Equal("3 deploy", File.ReadAllText(count).Trim());
        Assert.Equal(1, hooks.Status.Exec[0].Runs);
    }

    [Fact]
    public async Task Change_BurstWhileCommandRuns_MergedPerKeyAndTheLastValueAlwaysReported()
    {
        var output = _dir.File("slow.log");
        var gate = _dir.File("gate");
        var started = _dir.File("started");
        await using var store = new MemoryKvStore();
        await using var mirrors = new KvMirrorSet(store);
        await using var hooks = new HooksModule(mirrors, ShellCommandRunner.Instance);
        await hooks.ApplyAsync(Exec(new ExecHookOptions
        {
            Id = "slow",
            Prefix = "/q",
            Command = $"touch {started}; while [ ! -f {gate} ]; do sleep 0.02; done; echo \"$TEND_KEY $TEND_PREV_VALUE>$TEND_VALUE\" >> {output}",
        }));
        await mirrors.Get("/q").WhenSynced;

        // The first run is held at the gate while the rest of the burst arrives.
        await store.PutAsync("/q/k", "1");
        await Eventually(() => File.Exists(started), "the first run has started");
        for (int i = 2; i <= 30; i++)
        {
            await store.PutAsync("/q/k", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        await store.PutAsync("/q/other", "x");
        await store.PutAsync("/q/gone", "briefly");
        var delivered = SeenAfterTheHook(mirrors.Get("/q"), store.Revision + 1);
        await store.DeleteAsync("/q/gone");
        await delivered;
        Assert.Equal(3, hooks.Status.Exec[0].Pending);
        File.WriteAllText(gate, string.Empty);
        await Eventually(() => Lines(output).Count == 3 && hooks.Status.Exec[0].Runs == 3, "the backlog drains");

        // One run per key for the backlog, the previous value being what the hook last heard, the
        // value the last one; a key that came and went before the hook ran is no change to it.
        Assert.Equal(["/q/k >1", "/q/k 1>30", "/q/other >x"], Lines(output));
        Assert.Equal(3, hooks.Status.Exec[0].Runs);
    }

    [Fact]
    public async Task Timeout_CommandHangs_KilledCountedAndTheNextChangeStillRuns()
    {
        var output = _dir.File("t.log");
        await using var store = new MemoryKvStore();
        await using var mirrors = new KvMirrorSet(store);
        await using var hooks = new HooksModule(mirrors, ShellCommandRunner.Instance);
        await hooks.ApplyAsync(Exec(new ExecHookOptions
        {
            Id = "hang",
            Prefix = "/t",
            Command = $"if [ \"$TEND_VALUE\" = hang ]; then sleep 600; fi; echo \"$TEND_VALUE\" >> {output}",
            Timeout = TimeSpan.FromMilliseconds(300),
        }));
        await mirrors.Get("/t").WhenSynced;

        await store.PutAsync("/t/a", "hang");
        await Eventually(() => hooks.Status.Exec[0].Timeouts == 1, "the timeout kills the command");
        Assert.Contains("timed out", hooks.Status.Exec[0].LastError, StringComparison.Ordinal);
        await store.PutAsync("/t/a", "fine");
        await Eventually(() => Lines(output).Contains("fine") && hooks.Status.Exec[0].Runs == 2, "the next change runs");

        var status = hooks.Status.Exec[0];
        Assert.Equal((2L, 1L, 1L), (status.Runs, status.Failures, status.Timeouts));
        Assert.Null(status.LastError);
        Assert.DoesNotContain("hang", Lines(output));
    }

    [Fact]
    public async Task Failure_CommandExitsNonZero_LoggedCountedNeverFatal()
    {
        await using var store = new MemoryKvStore();
        await using var mirrors = new KvMirrorSet(store);
        await using var hooks = new HooksModule(mirrors, ShellCommandRunner.Instance);
        await hooks.ApplyAsync(Exec(new ExecHookOptions { Id = "fails", Prefix = "/f", Command = "echo broken >&2; exit 3" }));
        await mirrors.Get("/f").WhenSynced;

        await store.PutAsync("/f/a", "1");
        await Eventually(() => hooks.Status.Exec[0].Failures == 1, "the failure is counted");
        await store.PutAsync("/f/b", "2");
        await Eventually(() => hooks.Status.Exec[0].Failures == 2, "the hook keeps running");

        Assert.Equal("put /f/b: exit 3 after", hooks.Status.Exec[0].LastError![..22]);
        Assert.Contains("broken", hooks.Status.Exec[0].LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_ReloadWithSameHook_KeepsItAndItsCounters()
    {
        var output = _dir.File("r.log");
        await using var store = new MemoryKvStore();
        await using var mirrors = new KvMirrorSet(store);
        await using var hooks = new HooksModule(mirrors, ShellCommandRunner.Instance);
        var hook = new ExecHookOptions { Id = "keep", Prefix = "/r", Command = $"echo \"$TEND_VALUE\" >> {output}" };
        await hooks.ApplyAsync(Exec(hook));
        await mirrors.Get("/r").WhenSynced;
        await store.PutAsync("/r/a", "1");
        await Eventually(() => Lines(output).Count == 1, "the first run");

        await hooks.ApplyAsync(Exec(hook, new ExecHookOptions { Id = "new", Prefix = "/r", Command = "true" }));
        await store.PutAsync("/r/a", "2");
        await Eventually(() => Lines(output).Count == 2 && hooks.Status.Exec[0].Runs == 2 && hooks.Status.Exec[1].Runs == 1, "both hooks run");

        Assert.Equal(2, hooks.Status.Exec[0].Runs);
        Assert.Single(mirrors.Mirrors);
    }

    /// <summary>
    /// Completes once the mirror delivered <paramref name="revision"/> to its subscribers: a handler
    /// subscribed after the hook's runs after it for the same update.
    /// </summary>
    private static async Task SeenAfterTheHook(KvMirror mirror, long revision)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = mirror.Subscribe(u =>
        {
            if (u.Current.Revision >= revision)
            {
                seen.TrySetResult();
            }
        });
        await seen.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private static HooksOptions Exec(params ExecHookOptions[] hooks) => new() { Exec = hooks };

    private static List<string> Lines(string path) => File.Exists(path) ? [.. File.ReadAllLines(path)] : [];
}
