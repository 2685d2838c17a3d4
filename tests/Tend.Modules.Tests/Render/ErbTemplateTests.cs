using Tend.Modules.Render;
using Tend.Modules.Render.Config;
using Tend.Stores.Memory;
using Tend.Testing;
using Xunit;

namespace Tend.Modules.Tests.Render;

/// <summary>reconfig's ERB templates, rendered by Ruby's ERB (Debian's ruby, installed by test.sh; issue #17 item 7).</summary>
public sealed class ErbTemplateTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly MemoryKvStore _store = new();
    private readonly FakeCommandRunner _runner = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task RunOnce_SeedExampleTemplate_RendersExactlyAsRubyPrintsIt()
    {
        Assert.True(ErbTemplate.FindRuby() is not null, "ruby is not installed (Debian package ruby; ./test.sh installs it)");
        await _store.PutAsync("/test1/b", "two words");
        await _store.PutAsync("/test1/a", "1 é");
        await _store.PutAsync("/other/x", "not read");
        var r = Resource("test1.conf.erb", "<% @reconfigdata.keys.sort.each do |x| %>\nKEY <%= x %> has VALUE <%= @reconfigdata[x] %>\n<% end %>\n");
        await using var module = Module(r);

        Assert.True(await module.RunOnceAsync(), module.Status[0].LastError);

        Assert.Equal("\nKEY /test1/a has VALUE 1 é\n\nKEY /test1/b has VALUE two words\n\n", File.ReadAllText(r.Destination));
    }

    [Fact]
    public async Task RunOnce_PercentLines_RubyCodeLinesAndDoublePercentAsReconfigsTrimMode()
    {
        await _store.PutAsync("/test1/a", "1");
        var r = Resource("pct.erb", "% @reconfigdata.each do |k, v|\nserver <%= k %>=<%= v %>\n% end\n%% literal\n  % not code\n");
        await using var module = Module(r);

        Assert.True(await module.RunOnceAsync(), module.Status[0].LastError);

        Assert.Equal("server /test1/a=1\n% literal\n  % not code\n", File.ReadAllText(r.Destination));
    }

    [Fact]
    public async Task RunOnce_ErrorInTemplate_NamesFileAndLineAndLeavesTargetAlone()
    {
        await _store.PutAsync("/test1/a", "1");
        var r = Resource("bad.erb", "fine\n<%= @reconfigdata.fetch('/nope') %>\n");
        File.WriteAllText(r.Destination, "old");
        await using var module = Module(r);

        Assert.False(await module.RunOnceAsync());

        Assert.Equal("old", File.ReadAllText(r.Destination));
        Assert.Contains(r.Source + ":2: KeyError", module.Status[0].LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunOnce_SyntaxError_NamesFileAndLine()
    {
        await _store.PutAsync("/test1/a", "1");
        var r = Resource("syntax.erb", "a\n<% if true %>\nb\n");
        await using var module = Module(r);

        Assert.False(await module.RunOnceAsync());

        Assert.Contains(r.Source + ":4: SyntaxError", module.Status[0].LastError, StringComparison.Ordinal);
        Assert.False(File.Exists(r.Destination));
    }

    [Fact]
    public async Task RunOnce_TemplateRunsPastTheTimeLimit_KilledAndReported()
    {
        await _store.PutAsync("/test1/a", "1");
        var r = Resource("slow.erb", "<% sleep 60 %>x") with { TemplateTimeout = TimeSpan.FromSeconds(1) };
        await using var module = Module(r);
        var started = DateTime.UtcNow;

        Assert.False(await module.RunOnceAsync());

        Assert.Contains("time limit of 1s", module.Status[0].LastError, StringComparison.Ordinal);
        Assert.Contains(r.Source, module.Status[0].LastError, StringComparison.Ordinal);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(50), "the Ruby process was not killed at its time limit");
    }

    [Fact]
    public async Task RunOnce_OutputOverTheLimit_RefusedAndTargetAlone()
    {
        await _store.PutAsync("/test1/a", "1");
        var r = Resource("big.erb", "<%= 'x' * 300_000 %>") with { MaxOutput = 100_000 };
        File.WriteAllText(r.Destination, "old");
        await using var module = Module(r);

        Assert.False(await module.RunOnceAsync());

        Assert.Contains("output exceeds the limit", module.Status[0].LastError, StringComparison.Ordinal);
        Assert.Equal("old", File.ReadAllText(r.Destination));
    }

    private RenderResourceOptions Resource(string template, string text) => new()
    {
        Id = Path.GetFileNameWithoutExtension(template),
        Source = _dir.File("templates/" + template, text),
        Destination = Path.Combine(Directory.CreateDirectory(Path.Combine(_dir.Path, "out")).FullName, Path.GetFileNameWithoutExtension(template)),
        Keys = ["/test1"],
        Shape = RenderDataShape.Reconfig,
        Recursive = true,
    };

    private RenderModule Module(RenderResourceOptions r) =>
        new(new RenderOptions { Templates = [r] }, _store, null, _runner, GoTemplateCompiler.Instance);
}
