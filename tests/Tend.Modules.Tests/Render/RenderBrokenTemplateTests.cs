using Tend.Core.Mirror;
using Tend.Modules.Render;
using Tend.Modules.Render.Config;
using Tend.Stores.Memory;
using Tend.Testing;
using Xunit;

namespace Tend.Modules.Tests.Render;

/// <summary>A template that is missing or does not parse fails its own resource only (issue #17 item 3).</summary>
public sealed class RenderBrokenTemplateTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly MemoryKvStore _store = new();
    private readonly FakeCommandRunner _runner = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task RunOnce_OneTemplateMissingOneUnparsable_OthersRenderBrokenDestinationsUntouched()
    {
        await _store.PutAsync("/v", "1");
        var good = Resource("good", "v={{getv \"/v\"}}");
        var bad = Resource("bad", "ok\n{{if}}\n");
        var missing = Resource("missing", "x") with { Source = _dir.File("templates/nope.tmpl"), Origin = "/etc/confd/conf.d/missing.toml:1" };
        _dir.File("out/bad", "old bad");
        _dir.File("out/missing", "old missing");
        await using var module = Module(good, bad, missing);

        Assert.False(await module.RunOnceAsync());

        Assert.Equal("v=1", File.ReadAllText(good.Destination));
        Assert.Equal("old bad", File.ReadAllText(bad.Destination));
        Assert.Equal("old missing", File.ReadAllText(missing.Destination));
        Assert.Null(module.Status[0].LastError);
        Assert.StartsWith(bad.Source + ":2:", module.Status[1].LastError, StringComparison.Ordinal);
        Assert.Contains(missing.Source, module.Status[2].LastError, StringComparison.Ordinal);
        Assert.Contains("missing.toml:1", module.Status[2].LastError, StringComparison.Ordinal);
        Assert.Contains("no such template", module.Status[2].LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_BrokenTemplate_ErrorInStatusBeforeAnyRender()
    {
        var bad = Resource("bad", "{{end}}");

        await using var module = Module(bad);

        Assert.StartsWith(bad.Source + ":1:", module.Status[0].LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_BrokenTemplateSharingAReload_OthersRenderAndReloadNoRetryOfTheBrokenOne()
    {
        await _store.PutAsync("/v", "1");
        var good = Resource("good", "v={{getv \"/v\"}}") with { ReloadCommand = "reload" };
        var bad = Resource("bad", "{{if}}") with { ReloadCommand = "reload" };
        await using var mirrors = new KvMirrorSet(_store);
        await using var module = new RenderModule(new RenderOptions { Templates = [good, bad] }, _store, mirrors, _runner, GoTemplateCompiler.Instance) { RetryDelay = TimeSpan.FromMilliseconds(50) };

        module.Start();
        await Eventually(() => _runner.Commands.Count == 1);
        var failures = module.Status[1].Failures;
        await _store.PutAsync("/v", "2");
        await Eventually(() => _runner.Commands.Count == 2);
        await Task.Delay(500);

        Assert.Equal("v=2", File.ReadAllText(good.Destination));
        Assert.False(File.Exists(bad.Destination));
        // One failure per change, never a retry loop: nothing but a reload can mend the template.
        Assert.Equal(failures + 1, module.Status[1].Failures);
    }

    private RenderResourceOptions Resource(string name, string template) => new()
    {
        Id = name,
        Source = _dir.File($"templates/{name}.tmpl", template),
        Destination = System.IO.Path.Combine(_dir.Path, "out", name),
        Keys = ["/"],
        CreateDestDirs = true,
    };

    private RenderModule Module(params RenderResourceOptions[] resources) =>
        new(new RenderOptions { Templates = resources }, _store, null, _runner, GoTemplateCompiler.Instance);

    private static Task Eventually(Func<bool> condition) => Poll.UntilAsync(condition, TimeSpan.FromSeconds(15));
}
