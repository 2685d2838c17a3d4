using Tend.Core.Kv;
using Tend.Core.Mirror;
using Tend.Modules.Render;
using Tend.Modules.Render.Config;
using Tend.Stores.Files;
using Tend.Testing;
using Xunit;

namespace Tend.Modules.Tests.Render;

/// <summary>The render module on the real file store: data.yaml edits reach the rendered file.</summary>
public sealed class FileStoreRenderTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Watch_DataYamlReplaced_FileReRenderedAndBrokenYamlKeepsLastGood()
    {
        var data = _dir.File("data.yaml", "hosts:\n  web1: 10.0.0.1\n");
        var resource = new RenderResourceOptions
        {
            Id = "hosts",
            Source = _dir.File("hosts.tmpl", "{{range gets \"/hosts/*\"}}{{.Value}} {{base .Key}}\n{{end}}"),
            Destination = _dir.File("out/hosts"),
            Keys = ["/hosts"],
        };
        await using var store = new FileKvStore(new KvStoreOptions { Kind = "file", Files = [data] });
        await using var mirrors = new KvMirrorSet(store);
        var runner = new FakeCommandRunner();
        await using var module = RenderModule.Create(new RenderOptions { Templates = [resource] }, store, mirrors, runner);
        module.Start();
        await Eventually(() => Read(resource.Destination) == "10.0.0.1 web1\n");

        // An editor's save: write a temp file, rename it over the original.
        File.WriteAllText(data + ".tmp", "hosts:\n  web1: 10.0.0.1\n  web2: 10.0.0.2\n");
        File.Move(data + ".tmp", data, overwrite: true);
        await Eventually(() => Read(resource.Destination) == "10.0.0.1 web1\n10.0.0.2 web2\n");

        File.WriteAllText(data, "hosts: [unclosed\n");
        await Task.Delay(1500);

        Assert.Equal("10.0.0.1 web1\n10.0.0.2 web2\n", Read(resource.Destination));
        Assert.Null(module.Status[0].LastError);
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

    private static Task Eventually(Func<bool> condition) => Poll.UntilAsync(condition, TimeSpan.FromSeconds(30));
}
