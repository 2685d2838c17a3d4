using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Tend.Testing.Servers;

/// <summary>
/// Debian's haproxy running in master-worker mode (<c>-W</c>) on a configuration file the test
/// owns. <see cref="ReloadCommand"/> makes the master re-read the file and start a new worker, the
/// way <c>systemctl reload haproxy</c> does; the configuration must declare a
/// <c>stats socket</c> at <see cref="StatsSocket"/> so the test can ask the running worker what it serves.
/// </summary>
public sealed class HaproxyProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _log;

    private HaproxyProcess(Process process, string statsSocket, string log)
    {
        _process = process;
        StatsSocket = statsSocket;
        _log = log;
    }

    /// <summary>The haproxy binary (fails loudly when the package is missing).</summary>
    public static string Binary => RequiredBinary.Find("haproxy", "/usr/sbin/haproxy", "haproxy");

    /// <summary>The master's pid.</summary>
    public int MasterPid => _process.Id;

    public bool HasExited => _process.HasExited;

    public string StatsSocket { get; }

    /// <summary>A shell command that reloads the running haproxy (SIGUSR2 to the master).</summary>
    public string ReloadCommand => $"kill -USR2 {MasterPid}";

    /// <summary>Starts haproxy on <paramref name="configFile"/> and waits until its worker answers on <paramref name="statsSocket"/>.</summary>
    public static async Task<HaproxyProcess> StartAsync(string configFile, string statsSocket)
    {
        // Beside the socket, not the configuration: its directory is the test's to inspect.
        var log = Path.Combine(Path.GetDirectoryName(statsSocket)!, "haproxy.log");
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        // exec: the shell becomes the master, so its pid is the one to signal.
        psi.ArgumentList.Add($"exec '{Binary}' -W -db -f '{configFile}' >> '{log}' 2>&1");
        var process = Process.Start(psi) ?? throw new InvalidOperationException("haproxy did not start.");
        var haproxy = new HaproxyProcess(process, statsSocket, log);
        try
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while ((await haproxy.TryCommandAsync("show info").ConfigureAwait(false)) is null)
            {
                if (process.HasExited || DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException($"haproxy did not come up: {haproxy.LogText()}");
                }

                await Task.Delay(50).ConfigureAwait(false);
            }
        }
        catch
        {
            await haproxy.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return haproxy;
    }

    /// <summary>Sends one command to the stats socket and returns the answer.</summary>
    public async Task<string> CommandAsync(string command) =>
        await TryCommandAsync(command).ConfigureAwait(false) ?? throw new InvalidOperationException($"haproxy's stats socket does not answer: {LogText()}");

    /// <summary>The pid of the worker serving now (<c>show info</c>).</summary>
    public async Task<int> WorkerPidAsync()
    {
        var info = await CommandAsync("show info").ConfigureAwait(false);
        var line = info.Split('\n').First(l => l.StartsWith("Pid: ", StringComparison.Ordinal));
        return int.Parse(line["Pid: ".Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The servers of <paramref name="backend"/> the running worker has, as <c>name address:port</c>, sorted.</summary>
    public async Task<IReadOnlyList<string>> ServersAsync(string backend)
    {
        // show servers state: "be_id be_name srv_id srv_name srv_addr ... srv_port ..." after a version line and a header.
        var state = await CommandAsync($"show servers state {backend}").ConfigureAwait(false);
        var servers = new List<string>();
        foreach (var line in state.Split('\n'))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length > 18 && f[1] == backend && !line.StartsWith('#'))
            {
                servers.Add($"{f[3]} {f[4]}:{f[18]}");
            }
        }

        servers.Sort(StringComparer.Ordinal);
        return servers;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }

        _process.Dispose();
    }

    private async Task<string?> TryCommandAsync(string command)
    {
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(StatsSocket), cts.Token).ConfigureAwait(false);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\n"), cts.Token).ConfigureAwait(false);
            using var reader = new StreamReader(stream, Encoding.ASCII);
            return await reader.ReadToEndAsync(cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return null;
        }
    }

    private string LogText() => File.Exists(_log) ? File.ReadAllText(_log) : "(no log)";
}
