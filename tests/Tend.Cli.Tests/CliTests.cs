using System.Net;
using System.Text.Json;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Cli.Tests;

public sealed class CliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tend-cli-").FullName;

    private static string Quickstart => Path.Combine(TendProcess.RepoRoot, "examples", "quickstart");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Help_Root_ListsCommandsAndExitCodes()
    {
        var (code, stdout, _) = await TendProcess.RunAsync(null, "--help");
        Assert.Equal(0, code);
        Assert.Contains("Exit codes: 0 success, 1 runtime failure", stdout, StringComparison.Ordinal);
        foreach (var command in new[] { "run", "kv", "version", "debug" })
        {
            Assert.Contains($"  {command} ", stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Version_PrintsVersion()
    {
        var (code, stdout, _) = await TendProcess.RunAsync(null, "version");
        Assert.Equal(0, code);
        Assert.Matches(@"^tend \d+\.\d+\.\d+", stdout);
    }

    [Fact]
    public async Task KvLs_QuickstartFileStore_PrintsFlattenedKeys()
    {
        var (code, stdout, stderr) = await TendProcess.RunAsync(null, "kv", "ls", "/", "--store", "file", "--file", "examples/quickstart/data.yaml");
        Assert.True(code == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("/hosts/web1/address", lines);
        Assert.Contains("/services/http/backends/1", lines);
        Assert.Equal(lines.OrderBy(l => l, StringComparer.Ordinal), lines);
        Assert.All(lines, l => Assert.StartsWith("/", l, StringComparison.Ordinal));
    }

    [Fact]
    public async Task KvLsLong_Prefix_KeysWithValues()
    {
        var (code, stdout, _) = await TendProcess.RunAsync(null, "kv", "ls", "/hosts/web1", "-l", "--file", "examples/quickstart/data.yaml");
        Assert.Equal(0, code);
        Assert.Equal("/hosts/web1/address 10.0.0.11\n/hosts/web1/state active\n", stdout);
    }

    [Fact]
    public async Task KvGet_ExistingAndMissing_ValueOrExit1()
    {
        var (code, stdout, _) = await TendProcess.RunAsync(null, "kv", "get", "/services/http/port", "--file", "examples/quickstart/data.yaml");
        Assert.Equal(0, code);
        Assert.Equal("80\n", stdout);

        var (missing, _, err) = await TendProcess.RunAsync(null, "kv", "get", "/nope", "--file", "examples/quickstart/data.yaml");
        Assert.Equal(1, missing);
        Assert.Contains("key not found: /nope", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KvPut_ReadOnlyFileStore_Exit1WithReason()
    {
        var (code, _, err) = await TendProcess.RunAsync(null, "kv", "put", "/x", "1", "--file", "examples/quickstart/data.yaml");
        Assert.Equal(1, code);
        Assert.Contains("read-only", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownCommand_Exit2()
    {
        var (code, _, err) = await TendProcess.RunAsync(null, "frobnicate");
        Assert.Equal(2, code);
        Assert.Contains("tend:", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FileStoreWithoutFile_Exit2()
    {
        var (code, _, err) = await TendProcess.RunAsync(null, "kv", "ls", "--store", "file");
        Assert.Equal(2, code);
        Assert.Contains("--file", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadConfig_Exit2NamingFileAndLine()
    {
        var path = Path.Combine(_dir, "tend.toml");
        await File.WriteAllTextAsync(path, "[log]\nlevle = \"debug\"\n");
        var (code, _, err) = await TendProcess.RunAsync(null, "run", "--config", path);
        Assert.Equal(2, code);
        Assert.Contains($"{path}:2:1: unknown key \"levle\" in [log]", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TomlDecode_ValidInput_TaggedJson()
    {
        var (code, stdout, _) = await TendProcess.RunAsync("n = 1\n[t]\ns = \"x\"\n", "debug", "toml-decode");
        Assert.Equal(0, code);
        Assert.Contains("\"type\": \"integer\"", stdout, StringComparison.Ordinal);
        Assert.Contains("\"value\": \"x\"", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TomlDecode_InvalidInput_Exit1WithPosition()
    {
        var (code, _, err) = await TendProcess.RunAsync("a = 1\na = 2\n", "debug", "toml-decode");
        Assert.Equal(1, code);
        Assert.Contains("2:1:", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KvWatch_FileRenamedOver_PrintsChangeLines()
    {
        var data = Path.Combine(_dir, "data.yaml");
        await File.WriteAllTextAsync(data, "app:\n  port: 80\n  old: x\n");
        await using var watch = TendProcess.Start("kv", "watch", "/app", "--file", data);

        // Wait for the first load rather than a fixed time: on a loaded machine start-up takes longer than any sleep.
        await watch.WaitForOutputAsync(p => p.StdErr.Contains("Mirror of /app loaded", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        var tmp = data + ".tmp";
        await File.WriteAllTextAsync(tmp, "app:\n  port: 8080\n");
        File.Move(tmp, data, overwrite: true);
        await watch.WaitForOutputAsync(p => p.StdOut.Contains("DELETE /app/old", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        Assert.Contains("PUT /app/port 8080\n", watch.StdOut, StringComparison.Ordinal);
        await watch.SignalAsync("INT");
        Assert.Equal(0, await watch.WaitForExitAsync(TimeSpan.FromSeconds(15)));
    }

    [Fact]
    public async Task Run_SighupWithInvalidConfig_KeepsLastGoodAndTermStopsCleanly()
    {
        var data = Path.Combine(_dir, "data.yaml");
        await File.WriteAllTextAsync(data, "hosts:\n  web1: up\n");
        int port = FreePort.Next();
        var config = Path.Combine(_dir, "tend.toml");
        var good = $"[store]\nkind = \"file\"\nfiles = [\"data.yaml\"]\n[watch]\nprefixes = [\"/hosts\"]\n[http]\nlisten = \"127.0.0.1:{port}\"\n";
        await File.WriteAllTextAsync(config, good);

        await using var run = TendProcess.Start("run", "--config", config);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
        await WaitForHealthy(http, run);

        await File.WriteAllTextAsync(data, "hosts:\n  web1: down\n");
        await run.WaitForOutputAsync(p => p.StdErr.Contains("PUT /hosts/web1 = down", StringComparison.Ordinal), TimeSpan.FromSeconds(10));

        await File.WriteAllTextAsync(config, good + "bogus = 1\n");
        await run.SignalAsync("HUP");
        await run.WaitForOutputAsync(p => p.StdErr.Contains("Reload rejected", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.Contains("unknown key \"bogus\"", run.StdErr, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        var status = await http.GetStringAsync("/status");
        Assert.Contains("\"last_reload_error\"", status, StringComparison.Ordinal);
        Assert.Contains("\"prefix\": \"/hosts\"", status, StringComparison.Ordinal);

        await File.WriteAllTextAsync(config, good.Replace("/hosts", "/other", StringComparison.Ordinal));
        await run.SignalAsync("HUP");
        await run.WaitForOutputAsync(p => p.StdErr.Contains("Configuration reloaded", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.Contains("\"prefix\": \"/other\"", await http.GetStringAsync("/status"), StringComparison.Ordinal);

        await run.SignalAsync("TERM");
        Assert.Equal(0, await run.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Run_SighupLeavesTheStoreWithoutFiles_RejectedAsAConfigurationErrorNotAUsageError()
    {
        var data = Path.Combine(_dir, "data.yaml");
        await File.WriteAllTextAsync(data, "hosts:\n  web1: up\n");
        int port = FreePort.Next();
        var config = Path.Combine(_dir, "tend.toml");
        var tail = $"[watch]\nprefixes = [\"/hosts\"]\n[http]\nlisten = \"127.0.0.1:{port}\"\n";
        await File.WriteAllTextAsync(config, "[store]\nkind = \"file\"\nfiles = [\"data.yaml\"]\n" + tail);

        // --store file on the command line: a reload to another kind clears that kind's files, so the store has none.
        await using var run = TendProcess.Start("run", "--config", config, "--store", "file");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
        await WaitForHealthy(http, run);

        await File.WriteAllTextAsync(config, $"[store]\nkind = \"etcd\"\nendpoints = [\"http://127.0.0.1:{FreePort.Next()}\"]\n" + tail);
        await run.SignalAsync("HUP");
        await run.WaitForOutputAsync(p => p.StdErr.Contains("Reload rejected", StringComparison.Ordinal), TimeSpan.FromSeconds(30));

        using var status = JsonDocument.Parse(await http.GetStringAsync("/status"));
        var error = status.RootElement.GetProperty("last_reload_error").GetString();
        Assert.NotNull(error);
        Assert.Contains("[store]", error, StringComparison.Ordinal);
        Assert.Contains("files", error, StringComparison.Ordinal);
        Assert.DoesNotContain("--file", error, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
    }

    private static async Task WaitForHealthy(HttpClient http, TendProcess run)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                if ((await http.GetAsync("/healthz")).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"tend run never became healthy.\n{run.StdErr}");
            }

            await Task.Delay(100);
        }
    }
}
