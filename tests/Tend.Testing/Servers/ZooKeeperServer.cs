using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Tend.Testing.Servers;

/// <summary>
/// A real ZooKeeper server process (Debian's <c>zookeeper</c> package) on loopback ports, with its
/// own temporary data directory; a member of an ensemble when <see cref="ZooKeeperEnsemble"/> starts it.
/// It can be stopped and started again on the same port and data (chaos tests).
/// </summary>
public sealed class ZooKeeperServer : IAsyncDisposable
{
    private const string Package = "zookeeper";
    private readonly string _dir;
    private readonly string _config;
    private readonly bool _quorum;
    private Process? _process;

    internal ZooKeeperServer(string dir, int clientPort, string config, bool quorum)
    {
        _dir = dir;
        ClientPort = clientPort;
        _config = config;
        _quorum = quorum;
    }

    public int ClientPort { get; }

    /// <summary><c>127.0.0.1:port</c>.</summary>
    public string EndPoint => $"127.0.0.1:{ClientPort}";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts a standalone server and waits until it answers.</summary>
    public static async Task<ZooKeeperServer> StartStandaloneAsync()
    {
        int port = FreePort.Next();
        var dir = Directory.CreateTempSubdirectory("tend-zk-").FullName;
        var config = BaseConfig(dir, port);
        var server = new ZooKeeperServer(dir, port, config, quorum: false);
        await server.StartAsync().ConfigureAwait(false);
        return server;
    }

    internal static string BaseConfig(string dir, int port) => string.Join('\n',
        "tickTime=500",
        "minSessionTimeout=1000",
        "maxSessionTimeout=30000",
        $"dataDir={Path.Combine(dir, "data")}",
        "clientPortAddress=127.0.0.1",
        $"clientPort={port}",
        "admin.enableServer=false",
        "4lw.commands.whitelist=*",
        "maxClientCnxns=0",
        string.Empty);

    /// <summary>Starts (or restarts) the process and waits until it serves clients.</summary>
    public async Task StartAsync(bool waitUntilServing = true)
    {
        var java = RequiredBinary.Find(Package, "/usr/bin/java", "java");
        var jar = RequiredBinary.Find(Package, "/usr/share/java/zookeeper.jar");
        var slf4j = RequiredBinary.Find(Package, "/usr/share/java/slf4j-simple.jar", "/usr/share/java/slf4j-nop.jar");
        Directory.CreateDirectory(Path.Combine(_dir, "data"));
        var cfg = Path.Combine(_dir, "zoo.cfg");
        await File.WriteAllTextAsync(cfg, _config).ConfigureAwait(false);
        var main = _quorum ? "org.apache.zookeeper.server.quorum.QuorumPeerMain" : "org.apache.zookeeper.server.ZooKeeperServerMain";
        var log = Path.Combine(_dir, "server.log");
        var psi = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            WorkingDirectory = _dir,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"exec '{java}' -Xmx192m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -Dzookeeper.admin.enableServer=false -cp '{jar}:{slf4j}' {main} '{cfg}' >> '{log}' 2>&1");
        _process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start the ZooKeeper server.");
        if (waitUntilServing)
        {
            await WaitServingAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until the server answers <c>srvr</c> with a serving mode (standalone, leader or follower).</summary>
    public async Task WaitServingAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process is { HasExited: true })
            {
                throw new InvalidOperationException($"The ZooKeeper server on port {ClientPort} exited: {Tail()}");
            }

            var srvr = await FourLetterAsync("srvr").ConfigureAwait(false);
            if (srvr.Contains("Mode: ", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(150).ConfigureAwait(false);
        }

        throw new TimeoutException($"The ZooKeeper server on port {ClientPort} did not start within {timeout}: {Tail()}");
    }

    /// <summary>Sends a four-letter command; an empty string when the server does not answer.</summary>
    public async Task<string> FourLetterAsync(string command)
    {
        try
        {
            using var client = new TcpClient();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await client.ConnectAsync("127.0.0.1", ClientPort, cts.Token).ConfigureAwait(false);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes(command), cts.Token).ConfigureAwait(false);
            using var reader = new StreamReader(stream, Encoding.ASCII);
            return await reader.ReadToEndAsync(cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return string.Empty;
        }
    }

    /// <summary>Kills the process at once (SIGKILL): no goodbye to clients or peers.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync().ConfigureAwait(false);
        _process?.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private string Tail()
    {
        var log = Path.Combine(_dir, "server.log");
        if (!File.Exists(log))
        {
            return "(no log)";
        }

        var lines = File.ReadAllLines(log);
        return string.Join('\n', lines.TakeLast(15));
    }
}
