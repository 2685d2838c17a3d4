using System.Diagnostics;
using System.Globalization;

namespace Tend.Testing.Servers;

/// <summary>
/// One etcd process on loopback ports with its own data directory. It can be killed with SIGKILL and
/// started again with the same name, ports and data, as a crashed and restarted member would be.
/// </summary>
public sealed class EtcdMemberProcess : IDisposable
{
    private readonly string _binary;
    private readonly string _initialCluster;
    private readonly string _clusterState;
    private readonly IReadOnlyList<string> _extraArgs;
    private readonly Queue<string> _log = new();
    private Process? _process;

    public EtcdMemberProcess(string name, string dataDir, int clientPort, int peerPort, string initialCluster, IReadOnlyList<string>? extraArgs = null, string clusterState = "new", string clientScheme = "http")
    {
        _binary = RequiredBinary.Find("etcd-server", "/usr/bin/etcd", "etcd");
        Name = name;
        DataDir = dataDir;
        ClientPort = clientPort;
        PeerPort = peerPort;
        ClientUrl = $"{clientScheme}://127.0.0.1:{clientPort}";
        PeerUrl = $"http://127.0.0.1:{peerPort}";
        _initialCluster = initialCluster;
        _clusterState = clusterState;
        _extraArgs = extraArgs ?? [];
    }

    public string Name { get; }

    public string DataDir { get; }

    public int ClientPort { get; }

    public int PeerPort { get; }

    public string ClientUrl { get; }

    public string PeerUrl { get; }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The last lines etcd logged (for failure messages).</summary>
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

    public void Start()
    {
        if (IsRunning)
        {
            return;
        }

        var psi = new ProcessStartInfo(_binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[]
        {
            "--name", Name,
            "--data-dir", DataDir,
            "--listen-client-urls", ClientUrl,
            "--advertise-client-urls", ClientUrl,
            "--listen-peer-urls", PeerUrl,
            "--initial-advertise-peer-urls", PeerUrl,
            "--initial-cluster", _initialCluster,
            "--initial-cluster-state", _clusterState,
            "--initial-cluster-token", "tend-test",
            "--heartbeat-interval", "50",
            "--election-timeout", "500",
            "--experimental-watch-progress-notify-interval", "2s",
            "--logger", "zap",
            "--log-level", "warn",
        }.Concat(_extraArgs))
        {
            psi.ArgumentList.Add(a);
        }

        var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => Remember(e.Data);
        process.ErrorDataReceived += (_, e) => Remember(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"etcd {Name} did not start.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
    }

    /// <summary>SIGKILL: no goodbye to clients or peers.</summary>
    public void Kill()
    {
        var p = _process;
        if (p is { HasExited: false })
        {
            p.Kill(entireProcessTree: false);
            p.WaitForExit(10_000);
        }
    }

    /// <summary>Waits until the member answers <c>/health</c> (or, when <paramref name="anyAnswer"/>, answers at all).</summary>
    public async Task WaitHealthyAsync(TimeSpan timeout, HttpClient? client = null)
    {
        using var ownClient = client is null ? new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(2) } : null;
        var http = client ?? ownClient!;
        var deadline = DateTime.UtcNow + timeout;
        string last = "no answer";
        while (DateTime.UtcNow < deadline)
        {
            if (_process is { HasExited: true })
            {
                throw new InvalidOperationException($"etcd {Name} exited with {_process.ExitCode}:\n{RecentLog}");
            }

            try
            {
                using var content = new StringContent("{}");
                var answer = await http.PostAsync(new Uri(ClientUrl + "/v3/maintenance/status"), content).ConfigureAwait(false);
                last = await answer.Content.ReadAsStringAsync().ConfigureAwait(false);
                if (answer.IsSuccessStatusCode && last.Contains("\"leader\"", StringComparison.Ordinal))
                {
                    return;
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

        throw new TimeoutException($"etcd {Name} at {ClientUrl} not healthy within {timeout}: {last}\n{RecentLog}");
    }

    public void Dispose()
    {
        Kill();
        _process?.Dispose();
        _process = null;
    }

    internal static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

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
