using Tend.Core.Mirror;
using Tend.Core.Processes;
using Tend.Modules.Render;
using Tend.Modules.Render.Config;
using Tend.Stores.Memory;
using Tend.Testing;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Modules.Tests.Render;

/// <summary>The write path against a real check target: Debian's haproxy validating each staged configuration.</summary>
public sealed class HaproxyRenderTests : IDisposable
{
    private const string Template = """
        global
            maxconn 100
        defaults
            mode http
            timeout connect 5s
            timeout client 30s
            timeout server 30s
        frontend web
            bind 127.0.0.1:18080
            default_backend app
        backend app
        {{- range gets "/servers/*"}}
            server {{base .Key}} {{.Value}} check
        {{- end}}

        """;

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Watch_InvalidServerAddress_HaproxyCheckKeepsLastGoodConfigAndSkipsReload()
    {
        var haproxy = RequiredBinary.Find("haproxy", "/usr/sbin/haproxy", "haproxy");
        var marker = _dir.File("reloads.log");
        var store = new MemoryKvStore();
        await store.PutAsync("/lb/servers/web1", "127.0.0.1:8081");
        var resource = new RenderResourceOptions
        {
            Id = "haproxy",
            Source = _dir.File("haproxy.cfg.tmpl", Template),
            Destination = _dir.File("etc/haproxy.cfg"),
            Keys = ["/servers"],
            Prefix = "/lb",
            CheckCommand = $"{haproxy} -c -q -f {{{{.src}}}}",
            ReloadCommand = $"echo reloaded >> {marker}",
        };
        await using var mirrors = new KvMirrorSet(store);
        await using var module = RenderModule.Create(new RenderOptions { Templates = [resource] }, store, mirrors, ShellCommandRunner.Instance);
        module.Start();
        await Eventually(() => ReloadCount(marker) == 1);
        Assert.Contains("server web1 127.0.0.1:8081 check", File.ReadAllText(resource.Destination), StringComparison.Ordinal);

        await store.PutAsync("/lb/servers/web2", "127.0.0.1:notaport");
        await Eventually(() => module.Status[0].Failures == 1);

        Assert.DoesNotContain("web2", File.ReadAllText(resource.Destination), StringComparison.Ordinal);
        Assert.Contains("check_cmd failed", module.Status[0].LastError, StringComparison.Ordinal);
        Assert.Equal(1, ReloadCount(marker));

        await store.PutAsync("/lb/servers/web2", "127.0.0.1:8082");
        await Eventually(() => ReloadCount(marker) == 2);

        Assert.Contains("server web2 127.0.0.1:8082 check", File.ReadAllText(resource.Destination), StringComparison.Ordinal);
        Assert.Null(module.Status[0].LastError);
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(resource.Destination)!));
    }

    private static int ReloadCount(string marker) => File.Exists(marker) ? File.ReadAllLines(marker).Length : 0;

    private static Task Eventually(Func<bool> condition) => Poll.UntilAsync(condition, TimeSpan.FromSeconds(30));
}
