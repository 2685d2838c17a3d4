using System.Net;
using System.Text.Json;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Cli.Tests;

public sealed class RegisterCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tend-register-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("[web]\nrefresh: 5\nservice_port: 80\nzookeeper_path: /s\n", ":1: [web] needs cmd")]
    [InlineData("[web]\ncmd: true\nservice_port: eighty\nzookeeper_path: /s\n", ":3: [web] service_port must be a port number")]
    public async Task Register_BadIni_Exit2NamingTheLine(string ini, string expected)
    {
        var path = Path.Combine(_dir, "config.cfg");
        await File.WriteAllTextAsync(path, ini);
        var (code, _, err) = await TendProcess.RunAsync(null, "register", "-c", path, "-s", "127.0.0.1:1");
        Assert.Equal(2, code);
        Assert.Contains(path + expected, err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_RegisterSectionOnMemoryStore_StatusShowsRegisteredAndHupKeepsIt()
    {
        int port = FreePort.Next();
        var toggle = Path.Combine(_dir, "up");
        await File.WriteAllTextAsync(toggle, string.Empty);
        var config = Path.Combine(_dir, "tend.toml");
        var text = $$"""
            [store]
            kind = "memory"

            [http]
            listen = "127.0.0.1:{{port}}"

            [register]
            drain = "0s"

            [[register.service]]
            name = "web"
            cmd = "test -f {{toggle}}"
            refresh = "100ms"
            service_port = 8080
            zookeeper_path = "/services/web"
            service_hostname = "h1"
            data = { zone = "eu", weight = 3 }
            """;
        await File.WriteAllTextAsync(config, text);
        await using var run = TendProcess.Start("run", "--config", config);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };

        await WaitForStatus(http, run, s => s.GetProperty("register")[0].GetProperty("registered").GetBoolean());
        var svc = (await Status(http)).GetProperty("register")[0];
        Assert.Equal("/services/web/h1:8080", svc.GetProperty("key").GetString());
        var metrics = await http.GetStringAsync("/metrics");
        Assert.Contains("# TYPE tend_register_registered gauge\ntend_register_registered{service=\"web\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Matches(@"tend_register_checks_total\{service=""web""\} [1-9]", metrics);
        Assert.Contains("tend_reloads_total 0\n", metrics, StringComparison.Ordinal);

        File.Delete(toggle);
        await WaitForStatus(http, run, s => !s.GetProperty("register")[0].GetProperty("registered").GetBoolean());
        await File.WriteAllTextAsync(toggle, string.Empty);
        await WaitForStatus(http, run, s => s.GetProperty("register")[0].GetProperty("registered").GetBoolean());

        // A reload that changes only the interval keeps the entry (no re-registration).
        await File.WriteAllTextAsync(config, text.Replace("100ms", "150ms", StringComparison.Ordinal));
        await run.SignalAsync("HUP");
        await run.WaitForOutputAsync(p => p.StdErr.Contains("Configuration reloaded", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        var after = (await Status(http)).GetProperty("register")[0];
        Assert.True(after.GetProperty("registered").GetBoolean());

        await run.SignalAsync("TERM");
        Assert.Equal(0, await run.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("deregistered /services/web/h1:8080", run.StdErr, StringComparison.Ordinal);
    }

    private static async Task<JsonElement> Status(HttpClient http)
    {
        using var doc = JsonDocument.Parse(await http.GetStringAsync("/status"));
        return doc.RootElement.Clone();
    }

    private static async Task WaitForStatus(HttpClient http, TendProcess run, Func<JsonElement, bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                var s = await Status(http);
                if (s.TryGetProperty("register", out _) && condition(s))
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"status condition not met.\n{run.StdErr}");
            }

            await Task.Delay(50);
        }
    }
}
