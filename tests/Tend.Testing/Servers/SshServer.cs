using System.Diagnostics;
using System.Net.Sockets;

namespace Tend.Testing.Servers;

/// <summary>
/// A real OpenSSH server (Debian's <c>openssh-server</c>) on a free loopback port, with its own
/// configuration and ed25519 host key in a temporary directory, in the foreground (<c>sshd -D</c>).
/// <see cref="ReplaceHostKeyAsync"/> restarts it with a new host key, as a rebuilt machine would come
/// back. It needs root (sshd's privilege separation); a missing binary fails loudly.
/// </summary>
public sealed class SshServer : IAsyncDisposable
{
    private readonly string _sshd;
    private readonly string _keygen;
    private Process? _process;

    private SshServer(string dir, int port)
    {
        Directory = dir;
        Port = port;
        _sshd = RequiredBinary.Find("openssh-server", "/usr/sbin/sshd");
        _keygen = RequiredBinary.Find("openssh-client", "/usr/bin/ssh-keygen", "ssh-keygen");
    }

    public string Directory { get; }

    public int Port { get; }

    /// <summary>The host key's public half, <c>ssh-ed25519 AAAA…</c> (without the comment).</summary>
    public string HostKey => string.Join(' ', File.ReadAllText(Path.Combine(Directory, "host_key.pub")).Trim().Split(' ').Take(2));

    /// <summary>Starts a server on a free port, or on <paramref name="port"/> (a host coming back).</summary>
    public static async Task<SshServer> StartAsync(int? port = null)
    {
        var server = new SshServer(System.IO.Directory.CreateTempSubdirectory("tend-sshd-").FullName, port ?? FreePort.Next());
        File.WriteAllText(Path.Combine(server.Directory, "sshd_config"), string.Join('\n',
            $"Port {server.Port}",
            "ListenAddress 127.0.0.1",
            $"HostKey {Path.Combine(server.Directory, "host_key")}",
            $"PidFile {Path.Combine(server.Directory, "sshd.pid")}",
            "UsePAM no",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "StrictModes no",
            string.Empty));

        // sshd's privilege separation needs this directory; systemd creates it when the service runs.
        System.IO.Directory.CreateDirectory("/run/sshd");
        await server.NewKeyAsync().ConfigureAwait(false);
        await server.RunAsync().ConfigureAwait(false);
        return server;
    }

    /// <summary>Stops the server, gives it a new host key, and starts it again on the same port.</summary>
    public async Task ReplaceHostKeyAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await NewKeyAsync().ConfigureAwait(false);
        await RunAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    private async Task NewKeyAsync()
    {
        var key = Path.Combine(Directory, "host_key");
        File.Delete(key);
        File.Delete(key + ".pub");
        var psi = new ProcessStartInfo(_keygen) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-q", "-t", "ed25519", "-N", string.Empty, "-f", key })
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        await p.StandardOutput.ReadToEndAsync().ConfigureAwait(false);
        await p.WaitForExitAsync().ConfigureAwait(false);
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"ssh-keygen failed: {await err.ConfigureAwait(false)}");
        }
    }

    private async Task RunAsync()
    {
        var psi = new ProcessStartInfo(_sshd) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-D", "-e", "-f", Path.Combine(Directory, "sshd_config") })
        {
            psi.ArgumentList.Add(a);
        }

        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"sshd exited with {process.ExitCode} (config {Path.Combine(Directory, "sshd_config")})");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", Port).ConfigureAwait(false);
                return;
            }
            catch (SocketException)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"sshd did not listen on 127.0.0.1:{Port}");
                }

                await Task.Delay(50).ConfigureAwait(false);
            }
        }
    }

    private async Task StopAsync()
    {
        if (_process is { } p)
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
            }

            await p.WaitForExitAsync().ConfigureAwait(false);
            p.Dispose();
            _process = null;
        }
    }
}
