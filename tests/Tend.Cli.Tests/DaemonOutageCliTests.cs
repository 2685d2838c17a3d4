using System.Globalization;
using System.Net;
using System.Text.Json;
using Tend.Core.Kv;
using Tend.Stores.Etcd;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Cli.Tests;

/// <summary>
/// <c>tend run</c> on a real etcd that goes away: the outage shows in /healthz, /status and /metrics
/// (the watches reconnect by themselves, so nothing else would tell), and a SIGHUP that points the store
/// at an endpoint that does not answer is rejected while the working connection goes on.
/// </summary>
[Collection(nameof(RenderCliTests))]
public sealed class DaemonOutageCliTests(EtcdServer etcd) : IClassFixture<EtcdServer>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tend-outage-").FullName;
    private readonly string _root = "/outage/t" + Guid.NewGuid().ToString("N")[..10];
    private readonly int _port = FreePort.Next();

    private string Out => Path.Combine(_dir, "out.txt");

    [Fact]
    public async Task Run_EtcdKilled_HealthzStatusAndMetricsSayUnreachableSinceWhenThenRecover()
    {
        await using var writer = NewClient();
        await writer.PutAsync(_root + "/v", "1");
        await using var run = TendProcess.Start("run", "--config", WriteConfig(etcd.ClientUrl));
        using var http = Http();
        await UntilAsync(async () => (await GetAsync(http, "/healthz")).Code == HttpStatusCode.OK, run);

        var killedAt = DateTimeOffset.UtcNow;
        etcd.Kill();
        try
        {
            await UntilAsync(async () => (await GetAsync(http, "/healthz")).Code == HttpStatusCode.ServiceUnavailable, run);
            var (_, healthz) = await GetAsync(http, "/healthz");
            Assert.StartsWith("store unreachable since ", healthz, StringComparison.Ordinal);
            Assert.Contains(etcd.ClientUrl, healthz, StringComparison.Ordinal);

            using var status = JsonDocument.Parse(await http.GetStringAsync("/status"));
            var store = status.RootElement.GetProperty("store_health");
            Assert.Equal("unreachable", store.GetProperty("state").GetString());
            Assert.InRange(store.GetProperty("since").GetDateTimeOffset(), killedAt - TimeSpan.FromSeconds(2), DateTimeOffset.UtcNow);
            Assert.Contains(etcd.ClientUrl, store.GetProperty("last_error").GetString(), StringComparison.Ordinal);
            var mirror = status.RootElement.GetProperty("mirrors")[0];
            Assert.Equal("reconnecting", mirror.GetProperty("state").GetString());
            Assert.False(string.IsNullOrEmpty(mirror.GetProperty("last_error").GetString()));

            var metrics = await http.GetStringAsync("/metrics");
            Assert.Contains("\ntend_store_up 0\n", metrics, StringComparison.Ordinal);
            Assert.Matches(@"\ntend_store_unreachable_since_timestamp_seconds \d+(\.\d+)?\n", metrics);
            Assert.Contains($"tend_mirror_watching{{prefix=\"{_root}\"}} 0\n", metrics, StringComparison.Ordinal);
        }
        finally
        {
            await etcd.RestartAsync();
        }

        await UntilAsync(async () => (await GetAsync(http, "/healthz")).Code == HttpStatusCode.OK, run);
        using (var status = JsonDocument.Parse(await http.GetStringAsync("/status")))
        {
            var store = status.RootElement.GetProperty("store_health");
            Assert.Equal("connected", store.GetProperty("state").GetString());
            Assert.True(store.GetProperty("reconnects").GetInt64() >= 1);
            Assert.False(string.IsNullOrEmpty(store.GetProperty("last_error").GetString()), "the outage stays visible after it ended");
            var mirror = status.RootElement.GetProperty("mirrors")[0];
            Assert.Equal("watching", mirror.GetProperty("state").GetString());
            Assert.True(mirror.GetProperty("reconnects").GetInt64() >= 1);
            Assert.Equal(JsonValueKind.Null, mirror.GetProperty("last_error").ValueKind);
        }

        var after = await http.GetStringAsync("/metrics");
        Assert.Contains("\ntend_store_up 1\n", after, StringComparison.Ordinal);
        Assert.Matches(@"\ntend_store_reconnects_total [1-9]\d*\n", after);

        // And it still converges.
        await writer.PutAsync(_root + "/v", "2");
        await UntilAsync(() => Task.FromResult(ReadOut() == "2"), run);
    }

    [Fact]
    public async Task Run_SighupToAStoreThatDoesNotAnswer_RejectedAndTheWorkingStoreGoesOn()
    {
        await using var writer = NewClient();
        await writer.PutAsync(_root + "/v", "1");
        var config = WriteConfig(etcd.ClientUrl);
        await using var run = TendProcess.Start("run", "--config", config);
        using var http = Http();
        await UntilAsync(() => Task.FromResult(ReadOut() == "1"), run);

        var nowhere = $"http://127.0.0.1:{FreePort.Next()}";
        WriteConfig(nowhere);
        await run.SignalAsync("HUP");
        await run.WaitForOutputAsync(p => p.StdErr.Contains("Reload rejected", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.Contains(nowhere, run.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("Configuration reloaded", run.StdErr, StringComparison.Ordinal);
        using (var status = JsonDocument.Parse(await http.GetStringAsync("/status")))
        {
            Assert.Contains(etcd.ClientUrl, status.RootElement.GetProperty("store").GetString(), StringComparison.Ordinal);
            Assert.Contains(nowhere, status.RootElement.GetProperty("last_reload_error").GetString(), StringComparison.Ordinal);
        }

        Assert.Contains("\ntend_reload_rejected 1\n", await http.GetStringAsync("/metrics"), StringComparison.Ordinal);

        // The old connection was kept: a change still reaches the file.
        await writer.PutAsync(_root + "/v", "2");
        await UntilAsync(() => Task.FromResult(ReadOut() == "2"), run);

        // A store that answers is taken.
        var sameServerOtherName = etcd.ClientUrl + "/";
        WriteConfig(sameServerOtherName);
        await run.SignalAsync("HUP");
        await run.WaitForOutputAsync(p => p.StdErr.Contains("Configuration reloaded", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        using (var status = JsonDocument.Parse(await http.GetStringAsync("/status")))
        {
            Assert.Contains(sameServerOtherName, status.RootElement.GetProperty("store").GetString(), StringComparison.Ordinal);
        }

        await writer.PutAsync(_root + "/v", "3");
        await UntilAsync(() => Task.FromResult(ReadOut() == "3"), run);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private EtcdKvStore NewClient() => new(new KvStoreOptions { Kind = "etcd", Endpoints = [etcd.ClientUrl], RequestTimeout = TimeSpan.FromSeconds(3) });

    private HttpClient Http() => new() { BaseAddress = new Uri($"http://127.0.0.1:{_port}"), Timeout = TimeSpan.FromSeconds(5) };

    private string WriteConfig(string endpoint)
    {
        File.WriteAllText(Path.Combine(_dir, "v.tmpl"), "{{getv \"/v\"}}");
        var config = Path.Combine(_dir, "tend.toml");
        File.WriteAllText(config, string.Create(CultureInfo.InvariantCulture, $"""
            [store]
            kind = "etcd"
            endpoints = ["{endpoint}"]
            request_timeout = "2s"
            [watch]
            prefixes = ["{_root}"]
            [http]
            listen = "127.0.0.1:{_port}"
            [[render.template]]
            src = "v.tmpl"
            dest = "{Out}"
            keys = ["/v"]
            prefix = "{_root}"
            """));
        return config;
    }

    private string? ReadOut()
    {
        try
        {
            return File.ReadAllText(Out);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static async Task<(HttpStatusCode Code, string Body)> GetAsync(HttpClient http, string path)
    {
        try
        {
            using var response = await http.GetAsync(path);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        catch (HttpRequestException)
        {
            return (0, string.Empty);
        }
    }

    private static async Task UntilAsync(Func<Task<bool>> condition, TendProcess run)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(45);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"condition not met\nstderr:\n{run.StdErr}");
            }

            await Task.Delay(100);
        }
    }
}
