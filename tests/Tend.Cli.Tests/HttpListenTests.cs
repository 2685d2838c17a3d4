using System.Net;
using System.Net.Sockets;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Cli.Tests;

/// <summary><c>[http] listen</c> problems at start-up: a clear error and exit 2, never a stack trace; a warning for an exposed API without a token.</summary>
public sealed class HttpListenTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tend-listen-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Run_ListenHostDoesNotResolve_Exit2NamingItWithoutStackTrace()
    {
        var (code, _, err) = await TendProcess.RunAsync(null, "run", "--config", Config("no-such-host.invalid:9300"));

        Assert.Equal(2, code);
        Assert.Contains("[http] listen = \"no-such-host.invalid:9300\": cannot resolve \"no-such-host.invalid\"", err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ListenPortBusy_Exit2NamingItWithoutStackTrace()
    {
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var listen = $"127.0.0.1:{((IPEndPoint)busy.LocalEndpoint).Port}";

        var (code, _, err) = await TendProcess.RunAsync(null, "run", "--config", Config(listen));

        Assert.Equal(2, code);
        Assert.Contains($"[http] listen = \"{listen}\" cannot be bound", err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_AllInterfacesWithoutToken_WarnsThatAnyoneCanRead()
    {
        await using var run = TendProcess.Start("run", "--config", Config($"0.0.0.0:{FreePort.Next()}"));

        await run.WaitForOutputAsync(p => p.StdErr.Contains("reachable from other hosts", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.Contains("[http] token is not set", run.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_LoopbackWithoutToken_NoWarning()
    {
        int port = FreePort.Next();
        await using var run = TendProcess.Start("run", "--config", Config($"127.0.0.1:{port}"));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                if ((await http.GetAsync("/healthz")).IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }

            Assert.True(DateTime.UtcNow < deadline, run.StdErr);
            await Task.Delay(100);
        }

        Assert.DoesNotContain("reachable from other hosts", run.StdErr, StringComparison.Ordinal);
    }

    private string Config(string listen)
    {
        var path = Path.Combine(_dir, "tend.toml");
        File.WriteAllText(path, $"""
            [store]
            kind = "memory"

            [http]
            listen = "{listen}"
            """);
        return path;
    }
}
