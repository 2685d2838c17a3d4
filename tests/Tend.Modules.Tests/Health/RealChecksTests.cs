using System.Diagnostics;
using Tend.Core.Processes;
using Tend.Modules.Checks;
using Xunit;

namespace Tend.Modules.Tests.Health;

/// <summary>
/// The checks against the real things: Nagios' check_procs (monitoring-plugins-basic) and the native
/// /proc scan on a uniquely named process, a user's crontab through Debian's crontab, an LSB init
/// script through service(8). The crontab and init script tests need root (crontab -u, /etc/init.d).
/// </summary>
public sealed class RealChecksTests : IDisposable
{
    private const string TestUser = "tendcrontest";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly string _dir = Directory.CreateTempSubdirectory("tend-checks-").FullName;
    private readonly List<Process> _processes = [];

    public void Dispose()
    {
        foreach (var p in _processes)
        {
            try
            {
                p.Kill();
                p.WaitForExit();
            }
            catch (InvalidOperationException)
            {
            }

            p.Dispose();
        }

        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Process_CheckProcsAndNativeScan_AgreeOnAUniquelyNamedProcess()
    {
        var plugin = ProcessHealthCheck.FindPlugin() ?? throw new InvalidOperationException("check_procs is missing: apt-get install monitoring-plugins-basic");
        var name = "tendp" + Guid.NewGuid().ToString("N")[..8];
        string[] args = ["-c", "1:1", "-C", name];

        foreach (var p in new string?[] { plugin, null })
        {
            var none = await new ProcessHealthCheck(ShellCommandRunner.Instance, args, Timeout, p).RunAsync();
            Assert.Equal(CheckState.Critical, none.State);
            Assert.StartsWith($"PROCS CRITICAL: 0 processes with command name '{name}'", none.Output, StringComparison.Ordinal);
        }

        var process = StartNamed(name);
        foreach (var p in new string?[] { plugin, null })
        {
            var one = await new ProcessHealthCheck(ShellCommandRunner.Instance, args, Timeout, p).RunAsync();
            Assert.Equal(CheckState.Passing, one.State);
            Assert.StartsWith($"PROCS OK: 1 process with command name '{name}'", one.Output, StringComparison.Ordinal);

            // By arguments and user too: the process's own argument names it, and it runs as we do.
            var user = Environment.UserName;
            var byArgs = await new ProcessHealthCheck(ShellCommandRunner.Instance, ["-w", "1:1", "-c", "1:", "-a", name + " 600", "-u", user], Timeout, p).RunAsync();
            Assert.Equal(CheckState.Passing, byArgs.State);
        }

        StartNamed(name);
        foreach (var p in new string?[] { plugin, null })
        {
            var two = await new ProcessHealthCheck(ShellCommandRunner.Instance, ["-w", "1:1", "-c", "1:", "-C", name], Timeout, p).RunAsync();
            Assert.Equal(CheckState.Warning, two.State);
            Assert.StartsWith("PROCS WARNING: 2 processes", two.Output, StringComparison.Ordinal);
        }

        process.Kill();
        await process.WaitForExitAsync();
    }

    [Fact]
    public async Task Process_NativeScanWithAnUnsupportedOption_Unknown()
    {
        var result = await new ProcessHealthCheck(ShellCommandRunner.Instance, ["-s", "Z", "-c", "0"], Timeout, plugin: null).RunAsync();
        Assert.Equal(CheckState.Unknown, result.State);
        Assert.Contains("-s is not one the native scan serves", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Crontab_RealUserCrontab_MissingPresentAndPattern()
    {
        RequireRoot("crontab -u for a test user");
        await Run("id -u " + TestUser + " >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin " + TestUser);
        await Run($"crontab -u {TestUser} -r 2>/dev/null || true");
        try
        {
            var missing = await new CrontabHealthCheck(ShellCommandRunner.Instance, TestUser, null, Timeout).RunAsync();
            Assert.Equal(CheckState.Critical, missing.State);
            Assert.Equal($"no crontab for {TestUser}", missing.Output);

            var file = Path.Combine(_dir, "crontab");
            File.WriteAllText(file, "# 0 * * * * /usr/local/bin/old-job\n*/5 * * * * /usr/local/bin/rotate --all\n");
            await Run($"crontab -u {TestUser} {file}");

            Assert.Equal(CheckState.Passing, (await new CrontabHealthCheck(ShellCommandRunner.Instance, TestUser, null, Timeout).RunAsync()).State);
            Assert.Equal(CheckState.Passing, (await new CrontabHealthCheck(ShellCommandRunner.Instance, TestUser, "rotate --all", Timeout).RunAsync()).State);

            // A commented-out line is not a job.
            var commented = await new CrontabHealthCheck(ShellCommandRunner.Instance, TestUser, "old-job", Timeout).RunAsync();
            Assert.Equal(CheckState.Critical, commented.State);

            var nobody = await new CrontabHealthCheck(ShellCommandRunner.Instance, "tend-no-such-user", null, Timeout).RunAsync();
            Assert.Equal(CheckState.Unknown, nobody.State);
        }
        finally
        {
            await Run($"crontab -u {TestUser} -r 2>/dev/null || true");
        }
    }

    [Fact]
    public async Task Service_RealLsbInitScript_RunningStoppedAndUnknownService()
    {
        RequireRoot("an init script in /etc/init.d");
        Assert.False(ServiceHealthCheck.SystemdIsRunning(), "this test covers hosts without systemd; under systemd the service path is systemctl");
        var name = "tend-lsb-" + Guid.NewGuid().ToString("N")[..8];
        var pidFile = Path.Combine(_dir, "daemon.pid");
        var script = $"/etc/init.d/{name}";
        File.WriteAllText(script, $$"""
            #!/bin/sh
            ### BEGIN INIT INFO
            # Provides:          {{name}}
            # Required-Start:
            # Required-Stop:
            # Default-Start:     2 3 4 5
            # Default-Stop:      0 1 6
            # Short-Description: Tend's test daemon
            ### END INIT INFO
            PIDFILE={{pidFile}}
            case "$1" in
              status)
                if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then echo "{{name}} is running"; exit 0; fi
                if [ -f "$PIDFILE" ]; then echo "{{name}} is dead, pid file exists"; exit 1; fi
                echo "{{name}} is not running"; exit 3 ;;
              *) echo "Usage: $0 status"; exit 2 ;;
            esac
            """);
        File.SetUnixFileMode(script, (UnixFileMode)0b111_101_101);
        try
        {
            var check = new ServiceHealthCheck(ShellCommandRunner.Instance, name, Timeout, systemd: false);
            var stopped = await check.RunAsync();
            Assert.Equal(CheckState.Critical, stopped.State);
            Assert.Contains("LSB status 3", stopped.Output, StringComparison.Ordinal);

            var daemon = StartNamed("tendlsb" + Guid.NewGuid().ToString("N")[..6]);
            File.WriteAllText(pidFile, daemon.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var running = await check.RunAsync();
            Assert.Equal(CheckState.Passing, running.State);
            Assert.Contains($"{name} is running", running.Output, StringComparison.Ordinal);

            daemon.Kill();
            await daemon.WaitForExitAsync();
            var dead = await check.RunAsync();
            Assert.Equal(CheckState.Critical, dead.State);
            Assert.Contains("LSB status 1", dead.Output, StringComparison.Ordinal);

            var unknown = await new ServiceHealthCheck(ShellCommandRunner.Instance, name + "-missing", Timeout, systemd: false).RunAsync();
            Assert.Equal(CheckState.Unknown, unknown.State);
        }
        finally
        {
            File.Delete(script);
        }
    }

    private static void RequireRoot(string why)
    {
        if (Environment.UserName != "root")
        {
            throw new InvalidOperationException($"this test needs root ({why}); run ./test.sh as root or with sudo");
        }
    }

    private static async Task Run(string command)
    {
        var r = await ShellCommandRunner.Instance.RunAsync(new CommandSpec(command, Timeout));
        Assert.True(r.Succeeded, $"{command}: {r.Summary}");
    }

    /// <summary>A copy of sleep under <paramref name="name"/>, so its command name is ours alone.</summary>
    private Process StartNamed(string name)
    {
        var path = Path.Combine(_dir, name);
        if (!File.Exists(path))
        {
            File.Copy("/bin/sleep", path);
        }

        var p = Process.Start(new ProcessStartInfo(path, "600") { UseShellExecute = false })!;
        _processes.Add(p);
        return p;
    }
}
