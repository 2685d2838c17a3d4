using System.Collections;
using Tend.Core.Kv;
using Tend.Core.Processes;
using Tend.Modules.Render;
using Tend.Modules.Render.Config;
using Tend.Stores.Memory;
using Xunit;

namespace Tend.Modules.Tests.Render;

/// <summary>Exec mode's supervisor with real children: when it starts them, what they inherit, how they stop.</summary>
public sealed class ExecSupervisorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tend-exec-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private RenderModule Module(string template)
    {
        var source = Path.Combine(_dir, "t.tmpl");
        File.WriteAllText(source, template);
        var options = new RenderOptions
        {
            Templates =
            [
                new RenderResourceOptions { Id = "t", Source = source, Destination = Path.Combine(_dir, "out"), Keys = [KeyPath.Root], Shape = RenderDataShape.ConsulTemplate },
            ],
        };
        return RenderModule.Create(options, new MemoryKvStore(), null, ShellCommandRunner.Instance);
    }

    [Fact]
    public void Environment_AllowDenyCustom_Applied()
    {
        var inherited = new Hashtable { ["APP_A"] = "1", ["APP_SECRET"] = "s", ["HOME"] = "/root" };
        var options = new RenderExecOptions { Command = ["x"], Allowlist = ["APP_*"], Denylist = ["*SECRET"], Custom = ["MODE=prod", "APP_A=2"] };

        var env = ExecSupervisor.Environment(options, inherited);

        Assert.Equal([("APP_A", "2"), ("MODE", "prod")], env);
    }

    [Fact]
    public void Environment_Pristine_OnlyCustom()
    {
        var options = new RenderExecOptions { Command = ["x"], Pristine = true, Custom = ["ONLY=me"] };

        Assert.Equal([("ONLY", "me")], ExecSupervisor.Environment(options, new Hashtable { ["PATH"] = "/bin" }));
    }

    [Fact]
    public async Task Attach_FailedRender_ChildNotStarted_ThenStartedAfterSuccess()
    {
        var marker = Path.Combine(_dir, "started");
        await using var failing = Module("{{ template \"nope\" }}");
        await using var supervisor = new ExecSupervisor(new RenderExecOptions { Command = ["sh", "-c", $"touch {marker}; sleep 30"], KillTimeout = TimeSpan.FromSeconds(5) });
        supervisor.Attach(failing);

        Assert.False(await failing.RunOnceAsync());
        await Task.Delay(300);
        Assert.False(File.Exists(marker), "no child before every template rendered");

        await using var good = Module("ok\n");
        supervisor.Attach(good);
        Assert.True(await good.RunOnceAsync());
        await WaitAsync(() => File.Exists(marker));
        Assert.NotEqual(0, supervisor.ChildPid);
    }

    [Fact]
    public async Task Dispose_ChildIgnoresKillSignal_KilledAfterTimeout()
    {
        var ready = Path.Combine(_dir, "ready");
        await using var module = Module("ok\n");
        var supervisor = new ExecSupervisor(new RenderExecOptions { Command = ["sh", "-c", $"trap '' TERM; touch {ready}; while :; do sleep 0.05; done"], KillTimeout = TimeSpan.FromMilliseconds(500) });
        supervisor.Attach(module);
        await module.RunOnceAsync();
        await WaitAsync(() => File.Exists(ready));

        await supervisor.DisposeAsync();

        Assert.Equal(128 + SignalNames.SigKill, await supervisor.Exited.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Render_NoReloadSignal_ChildRestarted()
    {
        var starts = Path.Combine(_dir, "starts");
        await using var module = Module("one\n");
        await using var supervisor = new ExecSupervisor(
            new RenderExecOptions { Command = ["sh", "-c", $"echo x >> {starts}; while :; do sleep 0.05; done"], KillTimeout = TimeSpan.FromSeconds(5) },
            splay: _ => TimeSpan.Zero);
        supervisor.Attach(module);
        await module.RunOnceAsync();
        await WaitAsync(() => File.Exists(starts));
        var first = supervisor.ChildPid;

        await using var changed = Module("two\n");
        supervisor.Attach(changed);
        await changed.RunOnceAsync();

        await WaitAsync(() => File.ReadAllLines(starts).Length == 2);
        await WaitAsync(() => supervisor.ChildPid != 0 && supervisor.ChildPid != first);
        Assert.False(supervisor.Exited.IsCompleted, "a restart is not the child's end");
    }

    private static async Task WaitAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(20);
        }
    }
}
