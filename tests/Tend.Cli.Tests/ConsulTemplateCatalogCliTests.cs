using System.Text;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Cli.Tests;

/// <summary>consul-template's catalog functions through its command line with the built binary: on a Consul agent, and the error on a store without a catalog.</summary>
public sealed class ConsulTemplateCatalogCliTests(ConsulServer consul) : IClassFixture<ConsulServer>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tend-ct-catalog-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private string Write(string name, string text)
    {
        var path = PathOf(name);
        File.WriteAllText(path, text);
        return path;
    }

    [SkippableFact]
    public async Task Once_ConsulAddr_ServiceAndNodesRendered()
    {
        consul.SkipIfUnavailable();
        var name = "cli" + Guid.NewGuid().ToString("N")[..8];
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        using (var body = new StringContent($$$"""{"Node":"cli-n1","Address":"10.7.0.1","Service":{"ID":"{{{name}}}-1","Service":"{{{name}}}","Tags":["z","a"],"Port":8443}}""", Encoding.UTF8, "application/json"))
        {
            (await http.PutAsync(new Uri(consul.HttpUrl + "/v1/catalog/register"), body)).EnsureSuccessStatusCode();
        }

        try
        {
            var tpl = Write("in.ctmpl", $"{{{{ range service \"{name}\" }}}}server {{{{ .Node }}}} {{{{ .Address }}}}:{{{{ .Port }}}} {{{{ .Tags }}}}\n{{{{ end }}}}{{{{ range nodes }}}}{{{{ if eq .Node \"cli-n1\" }}}}node {{{{ .Node }}}} {{{{ .Address }}}}\n{{{{ end }}}}{{{{ end }}}}");

            var (code, _, stderr) = await TendProcess.RunAsync(null, "consul-template", "-once", "-consul-addr", consul.HttpAddress, "-template", $"{tpl}:{PathOf("out.conf")}");

            Assert.True(code == 0, stderr);
            Assert.Equal("server cli-n1 10.7.0.1:8443 [a z]\nnode cli-n1 10.7.0.1\n", File.ReadAllText(PathOf("out.conf")));
        }
        finally
        {
            using var body = new StringContent("""{"Node":"cli-n1"}""", Encoding.UTF8, "application/json");
            (await http.PutAsync(new Uri(consul.HttpUrl + "/v1/catalog/deregister"), body)).EnsureSuccessStatusCode();
        }
    }

    [Fact]
    public async Task Once_FileStore_ServiceFailsNamingTheFunctionAndNothingWritten()
    {
        var data = Write("data.yaml", "app:\n  name: web\n");
        var tpl = Write("in.ctmpl", "{{ key \"app/name\" }} {{ range service \"web\" }}{{ .Address }}{{ end }}\n");

        var (code, _, stderr) = await TendProcess.RunAsync(null, "consul-template", "-once", "-file", data, "-template", $"{tpl}:{PathOf("out.conf")}");

        Assert.Equal(1, code);
        Assert.Contains("service reads Consul's catalog, which needs the Consul store (--store consul", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(PathOf("out.conf")));
    }
}
