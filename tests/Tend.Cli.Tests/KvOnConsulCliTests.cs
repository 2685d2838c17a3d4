using System.Net.Http.Headers;
using System.Text;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Cli.Tests;

/// <summary><c>tend kv … --store consul --endpoint URL</c>, the shipped binary against a real Consul agent.</summary>
public sealed class KvOnConsulCliTests(ConsulServer consul) : IClassFixture<ConsulServer>
{
    private readonly string _root = "/cli/t" + Guid.NewGuid().ToString("N")[..10];

    private string[] Store => ["--store", "consul", "--endpoint", consul.HttpUrl];

    [SkippableFact]
    public async Task KvPutGetLsRm_ConsulStore_KeysAreConsulsWithoutTheLeadingSlash()
    {
        consul.SkipIfUnavailable();
        var (put, _, putErr) = await TendProcess.RunAsync(null, ["kv", "put", _root + "/app/port", "8080", .. Store]);
        Assert.True(put == 0, putErr);
        await TendProcess.RunAsync(null, ["kv", "put", _root + "/app/host", "h1", .. Store]);

        using var http = new HttpClient();
        Assert.Equal("8080", await http.GetStringAsync($"{consul.HttpUrl}/v1/kv{_root}/app/port?raw"));

        var (get, value, _) = await TendProcess.RunAsync(null, ["kv", "get", _root + "/app/port", .. Store]);
        Assert.Equal(0, get);
        Assert.Equal("8080\n", value);

        var (ls, listing, _) = await TendProcess.RunAsync(null, ["kv", "ls", _root + "/app", "-l", .. Store]);
        Assert.Equal(0, ls);
        Assert.Equal($"{_root}/app/host h1\n{_root}/app/port 8080\n", listing);

        var (rm, _, rmErr) = await TendProcess.RunAsync(null, ["kv", "rm", _root + "/app/port", .. Store]);
        Assert.True(rm == 0, rmErr);
        var (missing, _, err) = await TendProcess.RunAsync(null, ["kv", "get", _root + "/app/port", .. Store]);
        Assert.Equal(1, missing);
        Assert.Contains("key not found", err, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task KvGet_ValueWrittenByAnotherClient_PrintedAsItsRawBytes()
    {
        consul.SkipIfUnavailable();
        const string value = "{\"a\": 1}\nline two é";
        using var http = new HttpClient();
        using var body = new ByteArrayContent(Encoding.UTF8.GetBytes(value));
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        (await http.PutAsync($"{consul.HttpUrl}/v1/kv{_root}/raw", body)).EnsureSuccessStatusCode();

        var (code, stdout, stderr) = await TendProcess.RunAsync(null, ["kv", "get", _root + "/raw", .. Store]);

        Assert.True(code == 0, stderr);
        Assert.Equal(value + "\n", stdout);
    }

    [Fact]
    public async Task KvLs_AgentNotListening_Exit1NamingTheEndpoint()
    {
        var dead = $"http://127.0.0.1:{FreePort.Next()}";

        var (code, _, err) = await TendProcess.RunAsync(null, "kv", "ls", "/", "--store", "consul", "--endpoint", dead);

        Assert.Equal(1, code);
        Assert.Contains(dead.Replace("http://", string.Empty, StringComparison.Ordinal), err, StringComparison.Ordinal);
    }
}
