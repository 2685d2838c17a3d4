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
    private readonly string? _environmentFile;
    private readonly IReadOnlyDictionary<string, string>? _unitEnvironment;
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

    private EtcdMemberProcess(string environmentFile, string dataDir, string host, int clientPort, int peerPort, IReadOnlyDictionary<string, string> unit)
    {
        _binary = RequiredBinary.Find("etcd-server", "/usr/bin/etcd", "etcd");
        _environmentFile = environmentFile;
        _unitEnvironment = unit;
        _initialCluster = string.Empty;
        _clusterState = string.Empty;
        _extraArgs = [];
        Name = host;
        DataDir = dataDir;
        ClientPort = clientPort;
        PeerPort = peerPort;
        ClientUrl = $"http://{host}:{clientPort}";
        PeerUrl = $"http://{host}:{peerPort}";
    }

    public string Name { get; private set; }

    public string DataDir { get; }

    public int ClientPort { get; }

    public int PeerPort { get; }

    public string ClientUrl { get; }

    public string PeerUrl { get; }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The variables the member was last started with from its environment file (env-file members only).</summary>
    public IReadOnlyDictionary<string, string> FileEnvironment { get; private set; } = new Dictionary<string, string>();

    /// <summary>
    /// A member started the way systemd starts etcd with <c>EnvironmentFile=<paramref name="environmentFile"/></c>:
    /// no flags; the unit's own settings (data directory, listen URLs on <paramref name="host"/>, test timings) as
    /// its <c>Environment=</c>, then every <c>KEY=value</c> of the file (read at each start, quotes stripped), which
    /// wins. Name, cluster, state and advertised URLs all come from the file.
    /// </summary>
    public static EtcdMemberProcess FromEnvironmentFile(string environmentFile, string dataDir, string host, int clientPort, int peerPort)
    {
        var unit = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ETCD_DATA_DIR"] = dataDir,
            ["ETCD_LISTEN_CLIENT_URLS"] = $"http://{host}:{clientPort}",
            ["ETCD_LISTEN_PEER_URLS"] = $"http://{host}:{peerPort}",
            ["ETCD_HEARTBEAT_INTERVAL"] = "50",
            ["ETCD_ELECTION_TIMEOUT"] = "500",
            ["ETCD_LOGGER"] = "zap",
            ["ETCD_LOG_LEVEL"] = "warn",
        };
        return new EtcdMemberProcess(environmentFile, dataDir, host, clientPort, peerPort, unit);
    }

    /// <summary>Reads an environment file as systemd's <c>EnvironmentFile=</c> does: <c>KEY=value</c> lines, <c>#</c>/<c>;</c> comments, surrounding quotes stripped.</summary>
    public static Dictionary<string, string> ReadEnvironmentFile(string path)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#') || line.StartsWith(';'))
            {
                continue;
            }

            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new FormatException($"{path}: '{raw}' is not KEY=value");
            }

            var value = line[(eq + 1)..];
            if (value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0])
            {
                value = value[1..^1];
            }

            values[line[..eq]] = value;
        }

        return values;
    }

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
        if (_environmentFile is not null)
        {
            foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("ETCD", StringComparison.Ordinal)).ToList())
            {
                psi.Environment.Remove(key);
            }

            foreach (var (key, value) in _unitEnvironment!)
            {
                psi.Environment[key] = value;
            }

            FileEnvironment = ReadEnvironmentFile(_environmentFile);
            foreach (var (key, value) in FileEnvironment)
            {
                psi.Environment[key] = value;
            }

            Name = FileEnvironment.GetValueOrDefault("ETCD_NAME", Name);
            Launch(psi);
            return;
        }

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

        Launch(psi);
    }

    private void Launch(ProcessStartInfo psi)
    {
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
