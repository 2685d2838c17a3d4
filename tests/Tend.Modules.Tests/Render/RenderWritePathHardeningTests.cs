using Tend.Core.Config;
using Tend.Core.Processes;
using Tend.Modules.Render;
using Tend.Modules.Render.Config;
using Tend.Stores.Memory;
using Tend.Testing;
using Xunit;

namespace Tend.Modules.Tests.Render;

/// <summary>
/// The render part of the hostile sweep: check commands and destinations an attacker or an
/// unlucky directory name can shape, and what a killed run leaves behind.
/// </summary>
public sealed class RenderWritePathHardeningTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly MemoryKvStore _store = new();
    private readonly FakeCommandRunner _runner = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("check {{.src", "unclosed action")]
    [InlineData("check {{.source}}", "source")]
    [InlineData("check {{printf \"%q\" .src}}", "as it is")]
    [InlineData("check {{printf \"%.3s\" .src}}", "as it is")]
    [InlineData("check {{len .src}}", "as it is")]
    public void Create_CheckCommandThatCannotExpand_RejectedAtLoadNamingTheResource(string check, string expected)
    {
        var r = Resource("a", "x") with { CheckCommand = check, Origin = "/etc/tend/tend.toml:12" };

        var ex = Assert.Throws<ConfigException>(() => Module(new RenderOptions { Templates = [r] }));

        Assert.StartsWith("/etc/tend/tend.toml:12: check_cmd: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Contains("{{.src}}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_TwoResourcesWithOneId_Rejected()
    {
        var a = Resource("a", "x") with { Origin = "one.toml:1" };
        var b = Resource("b", "x") with { Id = "a", Origin = "two.toml:1" };

        var ex = Assert.Throws<ConfigException>(() => Module(new RenderOptions { Templates = [a, b] }));

        Assert.Contains("two.toml:1: id \"a\" is already used by the resource declared at one.toml:1", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cp {{.src}} copied")]
    [InlineData("cp '{{.src}}' copied")]
    [InlineData("cp \"{{.src}}\" copied")]
    [InlineData("cp -- {{.src}} 'copied'; test -f copied")]
    public async Task RunOnce_DestinationDirectoryWithShellMetacharacters_CheckSeesOnePathAndRunsNothingElse(string check)
    {
        // A directory name an operator may have, or a local user may choose: spaces, quotes, $(...), backticks.
        await _store.PutAsync("/v", "rendered");
        var dir = System.IO.Path.Combine(_dir.Path, "my dir $(touch pwned) 'q' \"d\" `touch tick` ;touch semi");
        var r = Resource("a", "{{getv \"/v\"}}") with { Destination = System.IO.Path.Combine(dir, "a.conf"), CheckCommand = check };
        var work = Directory.CreateDirectory(System.IO.Path.Combine(_dir.Path, "work")).FullName;
        await using var module = new RenderModule(new RenderOptions { Templates = [r] }, _store, null, new ShellIn(work), GoTemplateCompiler.Instance);

        Assert.True(await module.RunOnceAsync(), module.Status[0].LastError);

        Assert.Equal("rendered", File.ReadAllText(System.IO.Path.Combine(work, "copied")));
        Assert.Equal(["copied"], Directory.GetFiles(work).Select(System.IO.Path.GetFileName));
        Assert.Equal("rendered", File.ReadAllText(r.Destination));
    }

    [Fact]
    public async Task RunOnce_PlainDestination_CheckCommandExpandsExactlyAsConfdDid()
    {
        await _store.PutAsync("/v", "x");
        var r = Resource("a", "{{getv \"/v\"}}") with { CheckCommand = "haproxy -c -f {{.src}} && echo '{{.src}}'" };
        await using var module = Module(new RenderOptions { Templates = [r] });

        Assert.True(await module.RunOnceAsync());

        var staged = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(r.Destination)!, ".a.tend-");
        Assert.Matches($"^haproxy -c -f {System.Text.RegularExpressions.Regex.Escape(staged)}[0-9a-f]{{10}} && echo '{System.Text.RegularExpressions.Regex.Escape(staged)}[0-9a-f]{{10}}'$", Assert.Single(_runner.Commands));
    }

    [Fact]
    public async Task RunOnce_StageFilesLeftByAKilledRun_RemovedBeforeTheFirstRender()
    {
        await _store.PutAsync("/v", "new");
        var r = Resource("a", "{{getv \"/v\"}}");
        var dir = Directory.CreateDirectory(System.IO.Path.GetDirectoryName(r.Destination)!).FullName;
        var stale = System.IO.Path.Combine(dir, ".a.tend-0123456789");
        var staleBackup = System.IO.Path.Combine(dir, ".a.bak.tend-9876543210");
        var operatorsFile = System.IO.Path.Combine(dir, ".a.tend-notes");
        File.WriteAllText(stale, "half");
        File.WriteAllText(staleBackup, "half");
        File.WriteAllText(operatorsFile, "mine");
        await using var module = Module(new RenderOptions { Templates = [r] });

        Assert.True(await module.RunOnceAsync());

        Assert.False(File.Exists(stale));
        Assert.False(File.Exists(staleBackup));
        Assert.Equal("mine", File.ReadAllText(operatorsFile));
        Assert.Equal("new", File.ReadAllText(r.Destination));
    }

    [Fact]
    public async Task RunOnce_KeepStageFile_EarlierStagesKeptForInspection()
    {
        await _store.PutAsync("/v", "new");
        var r = Resource("a", "{{getv \"/v\"}}");
        var dir = Directory.CreateDirectory(System.IO.Path.GetDirectoryName(r.Destination)!).FullName;
        var kept = System.IO.Path.Combine(dir, ".a.tend-0123456789");
        File.WriteAllText(kept, "failed check, kept on purpose");
        await using var module = Module(new RenderOptions { Templates = [r], KeepStageFile = true });

        Assert.True(await module.RunOnceAsync());

        Assert.True(File.Exists(kept));
    }

    [Fact]
    public async Task RunOnce_BackupPathIsASymlink_ItsTargetNeverWritten()
    {
        await _store.PutAsync("/v", "v2");
        var r = Resource("a", "{{getv \"/v\"}}") with { Backup = true };
        var dir = Directory.CreateDirectory(System.IO.Path.GetDirectoryName(r.Destination)!).FullName;
        File.WriteAllText(r.Destination, "v1");
        var victim = _dir.File("victim", "precious");
        File.CreateSymbolicLink(r.Destination + ".bak", victim);
        await using var module = Module(new RenderOptions { Templates = [r] });

        Assert.True(await module.RunOnceAsync());

        Assert.Equal("precious", File.ReadAllText(victim));
        Assert.Equal("v1", File.ReadAllText(r.Destination + ".bak"));
        Assert.Null(new FileInfo(r.Destination + ".bak").LinkTarget);
        Assert.Equal("v2", File.ReadAllText(r.Destination));
        Assert.Equal(2, Directory.GetFileSystemEntries(dir).Length);
    }

    [Fact]
    public async Task RunOnce_DestinationIsASymlink_ReplacedByTheRenderedFileTargetUntouched()
    {
        await _store.PutAsync("/v", "rendered");
        var r = Resource("a", "{{getv \"/v\"}}");
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(r.Destination)!);
        var target = _dir.File("elsewhere/real.conf", "rendered");
        File.CreateSymbolicLink(r.Destination, target);
        await using var module = Module(new RenderOptions { Templates = [r] });

        Assert.True(await module.RunOnceAsync());

        Assert.Null(new FileInfo(r.Destination).LinkTarget);
        Assert.Equal("rendered", File.ReadAllText(r.Destination));
        Assert.Equal("rendered", File.ReadAllText(target));
        Assert.Equal(1, module.Status[0].Writes);
    }

    private RenderResourceOptions Resource(string name, string template) => new()
    {
        Id = name,
        Source = _dir.File($"templates/{name}.tmpl", template),
        Destination = System.IO.Path.Combine(_dir.Path, "out", name),
        Keys = ["/"],
        CreateDestDirs = true,
    };

    private RenderModule Module(RenderOptions options) => new(options, _store, null, _runner, GoTemplateCompiler.Instance);

    /// <summary>The real shell, run in a scratch directory so anything a broken quote let run lands where the test looks.</summary>
    private sealed class ShellIn(string directory) : ICommandRunner
    {
        public Task<CommandResult> RunAsync(CommandSpec spec, CancellationToken cancellationToken = default) =>
            ShellCommandRunner.Instance.RunAsync(spec with { WorkingDirectory = directory }, cancellationToken);
    }
}
