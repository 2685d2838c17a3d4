using Tend.Core.Mirror;
using Tend.Modules.Render.Config;
using Xunit;

namespace Tend.Modules.Tests.Render;

/// <summary>
/// consul-template resources on every store: its key functions read the store below the resource
/// prefix (paths relative to it, as consul-template's are to the KV root), and a template that reads
/// a key that does not exist waits for it instead of rendering without it.
/// </summary>
public abstract partial class RenderStoreTests
{
    private const string KvTemplate =
        "max={{ key \"service/redis/maxconns\" }}\n" +
        "min={{ keyOrDefault \"service/redis/minconns\" \"1\" }}\n" +
        "beta={{ keyExists \"app/beta\" }}\n" +
        "{{ range ls \"service/redis\" }}ls {{ .Key }}={{ .Value }}\n{{ end }}" +
        "{{ range tree \"service/redis\" }}tree {{ .Key }}={{ .Value }}\n{{ end }}" +
        "{{ range safeLs \"service/redis/nested\" }}safe {{ .Path }}\n{{ end }}";

    [SkippableFact]
    public async Task ConsulTemplate_Watch_KeyFunctionsReadTheStoreAndFollowChanges()
    {
        await WriteAsync(Root + "/service/redis/maxconns", "15");
        await WriteAsync(Root + "/service/redis/nested/a", "x");
        await WriteAsync(Root + "/service/redisfoo/b", "not below service/redis");
        var r = ConsulTemplateResource("kv", KvTemplate);
        await using var mirrors = new KvMirrorSet(Store);
        await using var module = Module(new RenderOptions { Templates = [r] }, mirrors);
        module.Start();
        await Eventually(() => Read(r.Destination) == "max=15\nmin=1\nbeta=false\nls maxconns=15\ntree maxconns=15\ntree nested/a=x\nsafe service/redis/nested/a\n");

        await WriteAsync(Root + "/service/redis/minconns", "5");
        await WriteAsync(Root + "/app/beta", "");

        await Eventually(() => Read(r.Destination) == "max=15\nmin=5\nbeta=true\nls maxconns=15\nls minconns=5\ntree maxconns=15\ntree minconns=5\ntree nested/a=x\nsafe service/redis/nested/a\n");
        Assert.Null(module.Status[0].LastError);
    }

    [SkippableFact]
    public async Task ConsulTemplate_Watch_MissingKeyWaitsThenRendersWhenWritten()
    {
        await WriteAsync(Root + "/app/name", "shop");
        var r = ConsulTemplateResource("wait", "{{ key \"app/name\" }} on {{ key \"app/db/host\" }}");
        await using var mirrors = new KvMirrorSet(Store);
        await using var module = Module(new RenderOptions { Templates = [r] }, mirrors);
        module.Start();
        await Eventually(() => module.Status[0].LastRender is null && mirrors.Get(Root).IsSynced);
        await Task.Delay(300);
        Assert.False(File.Exists(r.Destination));
        Assert.Null(module.Status[0].LastError);

        await WriteAsync(Root + "/app/db/host", "db1");

        await Eventually(() => Read(r.Destination) == "shop on db1");
        Assert.Null(module.Status[0].LastError);
        Assert.Equal(0, module.Status[0].Failures);
    }

    [SkippableFact]
    public async Task ConsulTemplate_Watch_WaitLongerThanTheTimeout_ErrorNamesTheKeyAndTheOldFileStays()
    {
        var r = ConsulTemplateResource("timeout", "{{ key \"app/absent\" }}") with { MissingDataTimeout = TimeSpan.FromMilliseconds(500) };
        Directory.CreateDirectory(Path.GetDirectoryName(r.Destination)!);
        File.WriteAllText(r.Destination, "old");
        await using var mirrors = new KvMirrorSet(Store);
        await using var module = Module(new RenderOptions { Templates = [r] }, mirrors);
        module.Start();

        await Eventually(() => module.Status[0].LastError is not null);

        Assert.Contains("kv.block(app/absent)", module.Status[0].LastError, StringComparison.Ordinal);
        Assert.Equal("old", Read(r.Destination));
        await WriteAsync(Root + "/app/absent", "here");
        await Eventually(() => Read(r.Destination) == "here" && module.Status[0].LastError is null);
    }

    [SkippableFact]
    public async Task ConsulTemplate_Onetime_KeyWrittenDuringTheWait_Rendered()
    {
        var r = ConsulTemplateResource("late", "{{ key \"app/late\" }}") with { MissingDataTimeout = TimeSpan.FromSeconds(20) };
        await using var module = Module(new RenderOptions { Templates = [r] }, mirrors: null);
        var run = module.RunOnceAsync();
        await Task.Delay(500);
        Assert.False(run.IsCompleted);

        await WriteAsync(Root + "/app/late", "arrived");

        Assert.True(await run);
        Assert.Equal("arrived", Read(r.Destination));
    }

    [SkippableFact]
    public async Task ConsulTemplate_Onetime_KeyNeverWritten_FailsAfterTheTimeoutNamingIt()
    {
        await WriteAsync(Root + "/app/present", "yes");
        var r = ConsulTemplateResource("never", "{{ key \"app/present\" }}{{ key \"app/never\" }}") with { MissingDataTimeout = TimeSpan.FromSeconds(1) };
        await using var module = Module(new RenderOptions { Templates = [r] }, mirrors: null);

        Assert.False(await module.RunOnceAsync());

        Assert.False(File.Exists(r.Destination));
        Assert.Contains("no data after 1s for kv.block(app/never)", module.Status[0].LastError, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task ConsulTemplate_CustomDelimiters_BracesStayText()
    {
        await WriteAsync(Root + "/app/port", "8080");
        var r = ConsulTemplateResource("delims", "listen [[ key \"app/port\" ]] # {{ not ours }}") with { LeftDelimiter = "[[", RightDelimiter = "]]" };
        await using var module = Module(new RenderOptions { Templates = [r] }, mirrors: null);

        Assert.True(await module.RunOnceAsync());

        Assert.Equal("listen 8080 # {{ not ours }}", Read(r.Destination));
    }

    [SkippableFact]
    public async Task ConsulTemplate_Watch_OnlyThePrefixesTheTemplateNamesAreWatched()
    {
        await WriteAsync(Root + "/service/redis/max", "15");
        await WriteAsync(Root + "/vault/data/x", "secret churn");
        var r = ConsulTemplateResource("scoped", "max={{ key \"service/redis/max\" }} {{ range ls \"service/redis\" }}{{ .Key }} {{ end }}{{ keyOrDefault \"app/name\" \"none\" }}");
        await using var mirrors = new KvMirrorSet(Store);
        await using var module = Module(new RenderOptions { Templates = [r] }, mirrors);
        module.Start();
        await Eventually(() => Read(r.Destination) == "max=15 max none");

        Assert.Equal([Root + "/app/name", Root + "/service/redis"], mirrors.Mirrors.Select(m => m.Prefix).Order(StringComparer.Ordinal));
        await WriteAsync(Root + "/app/name", "shop");
        await WriteAsync(Root + "/service/redis/min", "2");
        await Eventually(() => Read(r.Destination) == "max=15 max min shop");
        Assert.Null(module.Status[0].LastError);
    }

    [SkippableFact]
    public async Task ConsulTemplate_Watch_ComputedPath_WholePrefixWatched()
    {
        await WriteAsync(Root + "/app/env", "prod");
        await WriteAsync(Root + "/prod/port", "80");
        var r = ConsulTemplateResource("computed", "{{ $e := key \"app/env\" }}{{ key (printf \"%s/port\" $e) }}");
        await using var mirrors = new KvMirrorSet(Store);
        await using var module = Module(new RenderOptions { Templates = [r] }, mirrors);
        module.Start();
        await Eventually(() => Read(r.Destination) == "80");

        Assert.Equal([Root], mirrors.Mirrors.Select(m => m.Prefix));
        await WriteAsync(Root + "/prod/port", "81");
        await Eventually(() => Read(r.Destination) == "81");
    }

    [SkippableFact]
    public async Task ConsulTemplate_Watch_NoKeyRead_RendersWithoutWatchingAnything()
    {
        var r = ConsulTemplateResource("static", "static {{ \"text\" | toUpper }}");
        await using var mirrors = new KvMirrorSet(Store);
        await using var module = Module(new RenderOptions { Templates = [r] }, mirrors);
        module.Start();

        await Eventually(() => Read(r.Destination) == "static TEXT");
        Assert.Empty(mirrors.Mirrors);
        Assert.Null(module.Status[0].LastError);
    }

    private protected RenderResourceOptions ConsulTemplateResource(string name, string template) =>
        Resource(name, template, []) with { Shape = RenderDataShape.ConsulTemplate, MissingKey = RenderMissingKey.Zero };
}
