using Tend.Core.Kv;
using Xunit;

namespace Tend.Cli.Tests;

/// <summary>
/// <c>tend render -backend NAME -node host:port</c> (confd's command line) on a real server: each
/// subclass names the backend, the node and a store to seed it with; the tests are the same.
/// </summary>
public abstract class ConfdBackendRenderCliTests : IAsyncLifetime
{
    private IKvStore? _store;

    protected ConfdBackendRenderCliTests(string name) =>
        Dir = Directory.CreateTempSubdirectory($"tend-render-{name}-cli-").FullName;

    protected string Dir { get; }

    protected string Root { get; } = "/render-cli-" + Guid.NewGuid().ToString("N")[..8];

    protected IKvStore Store => _store!;

    protected string Out => Path.Combine(Dir, "hosts.out");

    /// <summary>confd's backend name, as given to <c>-backend</c>.</summary>
    protected abstract string Backend { get; }

    /// <summary>The server as confd users write it for <c>-node</c>.</summary>
    protected abstract string Node { get; }

    private string Confdir => Path.Combine(Dir, "confd");

    public async Task InitializeAsync()
    {
        _store = CreateStore();
        Write("confd/templates/hosts.tmpl", "{{range gets \"/hosts/*\"}}{{base .Key}}={{.Value}}:{{getv \"/port\" \"80\"}}\n{{end}}");
        Write("confd/conf.d/hosts.toml", $"[template]\nsrc = \"hosts.tmpl\"\ndest = \"{Out}\"\nkeys = [\"/hosts\", \"/port\"]\nprefix = \"/app\"\n");
        await Store.PutAsync($"{Root}/app/hosts/web1", "10.0.0.1");
        await Store.PutAsync($"{Root}/app/port", "8080");
    }

    public async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        Directory.Delete(Dir, recursive: true);
    }

    [SkippableFact]
    public async Task Render_BackendOnetimeWithPrefix_WritesFileAndExits0()
    {
        var (code, _, stderr) = await TendProcess.RunAsync(null, "render", "-onetime", "-backend", Backend, "-node", Node, "-prefix", Root, "-confdir", Confdir);

        Assert.True(code == 0, stderr);
        Assert.Equal("web1=10.0.0.1:8080\n", File.ReadAllText(Out));
    }

    [SkippableFact]
    public async Task Render_BackendWatch_PutAndDeleteReRender()
    {
        await using var tend = TendProcess.Start("render", "-backend", Backend, "-node", Node, "-prefix", Root, "-confdir", Confdir);
        await tend.WaitForOutputAsync(_ => Read(Out) == "web1=10.0.0.1:8080\n", TimeSpan.FromSeconds(30));

        await Store.PutAsync($"{Root}/app/hosts/web2", "10.0.0.2");
        await tend.WaitForOutputAsync(_ => Read(Out) == "web1=10.0.0.1:8080\nweb2=10.0.0.2:8080\n", TimeSpan.FromSeconds(30));

        await Store.DeleteAsync($"{Root}/app/port");
        await tend.WaitForOutputAsync(_ => Read(Out) == "web1=10.0.0.1:80\nweb2=10.0.0.2:80\n", TimeSpan.FromSeconds(30));
    }

    /// <summary>A client of the same server, used to seed and change the keys.</summary>
    protected abstract IKvStore CreateStore();

    protected void Write(string name, string text)
    {
        var path = Path.Combine(Dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private static string? Read(string path)
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
}
