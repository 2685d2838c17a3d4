using System.Diagnostics;
using Xunit;

namespace Tend.Testing.Servers;

/// <summary>
/// A single-member etcd on free loopback ports with a temporary data directory, for a test
/// collection. It can be killed (SIGKILL) and restarted with the same ports and data; it is stopped
/// and its data deleted afterwards. A missing etcd binary fails loudly.
/// </summary>
public class EtcdServer : IAsyncLifetime
{
    private readonly string _dataRoot = Path.Combine(Path.GetTempPath(), "tend-etcd-" + Guid.NewGuid().ToString("N")[..10]);
    private EtcdMemberProcess? _member;

    /// <summary>The client URL, e.g. <c>http://127.0.0.1:40123</c>.</summary>
    public string ClientUrl => Member.ClientUrl;

    public EtcdMemberProcess Member => _member ?? throw new InvalidOperationException("etcd is not started.");

    /// <summary>A directory of this fixture's own that is deleted with it.</summary>
    protected string DataRoot => _dataRoot;

    /// <summary>Extra etcd flags for derived fixtures.</summary>
    protected virtual IReadOnlyList<string> ExtraArgs => [];

    /// <summary><c>http</c>, or <c>https</c> for a TLS fixture.</summary>
    protected virtual string ClientScheme => "http";

    /// <summary>The HTTP client the health check uses (a TLS fixture supplies one that trusts its CA).</summary>
    protected virtual HttpClient? HealthClient => null;

    public virtual async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dataRoot);
        await PrepareAsync().ConfigureAwait(false);
        int client = FreePort.Next(), peer = FreePort.Next();
        _member = new EtcdMemberProcess("solo", Path.Combine(_dataRoot, "solo"), client, peer, $"solo=http://127.0.0.1:{peer}", ExtraArgs, clientScheme: ClientScheme);
        _member.Start();
        await _member.WaitHealthyAsync(TimeSpan.FromSeconds(30), HealthClient).ConfigureAwait(false);
    }

    /// <summary>Runs before etcd starts (a TLS fixture writes its certificates here).</summary>
    protected virtual Task PrepareAsync() => Task.CompletedTask;

    /// <summary>SIGKILLs the server.</summary>
    public void Kill() => Member.Kill();

    /// <summary>Starts the killed server again (same ports, same data) and waits until it serves.</summary>
    public async Task RestartAsync()
    {
        Member.Start();
        await Member.WaitHealthyAsync(TimeSpan.FromSeconds(30), HealthClient).ConfigureAwait(false);
    }

    /// <summary>Runs etcdctl against this server and returns its output; fails on a non-zero exit.</summary>
    public async Task<string> CtlAsync(params string[] args)
    {
        var ctl = RequiredBinary.Find("etcd-client", "/usr/bin/etcdctl", "etcdctl");
        var psi = new ProcessStartInfo(ctl) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.Environment["ETCDCTL_API"] = "3";
        psi.ArgumentList.Add("--endpoints=" + ClientUrl);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException("etcdctl did not start.");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().ConfigureAwait(false);
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"etcdctl {string.Join(' ', args)} failed ({p.ExitCode}): {await stderr.ConfigureAwait(false)}");
        }

        return await stdout.ConfigureAwait(false);
    }

    public virtual Task DisposeAsync()
    {
        _member?.Dispose();
        try
        {
            Directory.Delete(_dataRoot, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp directory left behind is not a test failure.
        }

        return Task.CompletedTask;
    }
}
