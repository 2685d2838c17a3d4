using System.Diagnostics;
using System.Globalization;
using Xunit;

namespace Tend.Testing.Servers;

/// <summary>
/// A <c>consul agent -dev</c> on free loopback ports (HTTP, DNS, Serf LAN and WAN, server RPC, gRPC), for a test
/// collection. Consul is in no package registry these tests can use, so the binary is found at
/// <c>TEND_CONSUL_BIN</c>, then as <c>consul</c> on PATH; without one the fixture does not start and every test
/// using it is reported as skipped with <see cref="SkipReason"/> (see DEVELOPERS.md for how to get one). Dev mode
/// keeps everything in memory: a restart starts empty, with the index back at the beginning.
/// </summary>
public class ConsulServer : IAsyncLifetime
{
    /// <summary>The environment variable naming the consul binary.</summary>
    public const string BinaryVariable = "TEND_CONSUL_BIN";

    private readonly Queue<string> _log = new();
    private Process? _process;
    private int[] _ports = [];

    /// <summary>The consul binary, or null when there is none.</summary>
    public string? Binary { get; } = FindBinary();

    /// <summary>True when a consul binary was found (and the agent started).</summary>
    public bool Available => Binary is not null;

    /// <summary>Why Consul tests are skipped here.</summary>
    public static string SkipReason => $"no consul binary: set {BinaryVariable} or put consul on PATH (see DEVELOPERS.md)";

    /// <summary>The HTTP API, e.g. <c>http://127.0.0.1:40123</c>; asking for it skips the test when there is no agent.</summary>
    public string HttpUrl => "http://" + HttpAddress;

    /// <summary>host:port of the HTTP API (how confd's <c>-node</c> names it); asking for it skips the test when there is no agent.</summary>
    public string HttpAddress => Available ? $"127.0.0.1:{_ports[0]}" : throw new SkipException(SkipReason);

    /// <summary>The token that may do everything, for ACL-enabled agents; null otherwise.</summary>
    public virtual string? MasterToken => null;

    /// <summary>Extra agent flags of derived fixtures.</summary>
    protected virtual IReadOnlyList<string> ExtraArgs => [];

    /// <summary>
    /// A single-server agent with a data directory instead of dev mode: what it stored survives a restart, as on
    /// a production server. Electing itself leader takes it a few seconds longer to start.
    /// </summary>
    protected virtual bool Persistent => false;

    private string? _dataDir;

    /// <summary>The last lines the agent logged.</summary>
    public string RecentLog
    {
        get
        {
            lock (_log)
            {
                return string.Join('\n', _log);
            }
        }
    }

    /// <summary>Skips the calling test (counted as skipped) when there is no consul binary.</summary>
    public void SkipIfUnavailable() => Skip.IfNot(Available, SkipReason);

    public virtual async Task InitializeAsync()
    {
        if (!Available)
        {
            return;
        }

        _ports = [FreePort.Next(), FreePort.Next(), FreePort.Next(), FreePort.Next(), FreePort.Next(), FreePort.Next()];
        await StartAsync().ConfigureAwait(false);
    }

    /// <summary>SIGKILLs the agent: every connection drops, nothing is said goodbye to.</summary>
    public void Kill()
    {
        var p = _process;
        if (p is { HasExited: false })
        {
            p.Kill(entireProcessTree: false);
            p.WaitForExit(10_000);
        }
    }

    /// <summary>Starts the killed agent again on the same ports; dev mode starts empty, its index from the beginning.</summary>
    public async Task RestartAsync()
    {
        Kill();
        await StartAgainAsync().ConfigureAwait(false);
    }

    /// <summary>Starts a killed agent again (a persistent one with its data).</summary>
    public async Task StartAgainAsync()
    {
        if (_process is { HasExited: false })
        {
            return;
        }

        _process?.Dispose();
        await StartAsync().ConfigureAwait(false);
    }

    public virtual Task DisposeAsync()
    {
        // Dev mode keeps nothing on disk, so SIGKILL loses nothing (and SIGTERM would only make it exit 1).
        Kill();
        var p = _process;
        p?.Dispose();
        _process = null;
        if (_dataDir is not null)
        {
            try
            {
                Directory.Delete(_dataDir, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: a temp directory left behind is not a test failure.
            }
        }

        return Task.CompletedTask;
    }

    private static string? FindBinary()
    {
        var configured = Environment.GetEnvironmentVariable(BinaryVariable);
        if (!string.IsNullOrEmpty(configured))
        {
            return File.Exists(configured) ? configured : throw new InvalidOperationException($"{BinaryVariable}={configured}: no such file");
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var full = Path.Combine(dir, "consul");
            if (File.Exists(full))
            {
                return full;
            }
        }

        return null;
    }

    private async Task StartAsync()
    {
        var psi = new ProcessStartInfo(Binary!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string Port(int i) => _ports[i].ToString(CultureInfo.InvariantCulture);
        _dataDir ??= Persistent ? Directory.CreateTempSubdirectory("tend-consul-").FullName : null;
        string[] mode = _dataDir is null ? ["-dev"] : ["-server", "-bootstrap-expect", "1", "-data-dir", _dataDir, "-node", "tend-test", "-raft-protocol", "3"];
        foreach (var a in new[] { "agent" }.Concat(mode).Concat(new[]
        {
            "-bind", "127.0.0.1", "-client", "127.0.0.1", "-log-level", "warn",
            "-http-port", Port(0), "-dns-port", Port(1), "-serf-lan-port", Port(2), "-serf-wan-port", Port(3),
            "-server-port", Port(4), "-grpc-port", Port(5),
        }).Concat(ExtraArgs))
        {
            psi.ArgumentList.Add(a);
        }

        var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => Remember(e.Data);
        process.ErrorDataReceived += (_, e) => Remember(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException("consul did not start.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await WaitReadyAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
    }

    /// <summary>Waits until the agent has a leader and its KV store answers (with the master token when ACLs are on).</summary>
    private async Task WaitReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        string last = "no answer";
        while (DateTime.UtcNow < deadline)
        {
            if (_process is { HasExited: true } p)
            {
                throw new InvalidOperationException($"consul exited with {p.ExitCode}:\n{RecentLog}");
            }

            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, HttpUrl + "/v1/kv/tend-fixture-ready");
                if (MasterToken is not null)
                {
                    request.Headers.Add("X-Consul-Token", MasterToken);
                }

                using var leader = await http.GetAsync(new Uri(HttpUrl + "/v1/status/leader")).ConfigureAwait(false);
                last = await leader.Content.ReadAsStringAsync().ConfigureAwait(false);
                if (leader.IsSuccessStatusCode && last.Contains(':', StringComparison.Ordinal))
                {
                    using var kv = await http.SendAsync(request).ConfigureAwait(false);
                    last = $"kv: {(int)kv.StatusCode}";
                    if (kv.StatusCode == System.Net.HttpStatusCode.NotFound)
                    {
                        return;
                    }
                }
            }
            catch (HttpRequestException ex)
            {
                last = ex.Message;
            }
            catch (TaskCanceledException)
            {
                last = "timed out";
            }

            await Task.Delay(100).ConfigureAwait(false);
        }

        throw new TimeoutException($"consul at {HttpUrl} not ready within {timeout}: {last}\n{RecentLog}");
    }

    private void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.Enqueue(line);
            while (_log.Count > 40)
            {
                _log.Dequeue();
            }
        }
    }
}
