using System.Diagnostics;

namespace Tend.Testing.Servers;

/// <summary>
/// A real Nagios Core 4 (Debian's <c>nagios4-core</c>) set up in a temporary directory: a main
/// configuration with a time period, a command, a contact, the <c>site-host</c> host template, one
/// static host with a service and a static hostgroup <c>linux</c>, plus an empty <c>conf.d/</c> read by
/// <c>cfg_dir</c> — where the generated files go. It can validate the configuration
/// (<c>nagios4 -v</c>) and run as a daemon with its own lock, command, status and log files, running
/// as the current user. A missing binary fails loudly.
/// </summary>
public sealed class NagiosInstance : IAsyncDisposable
{
    private Process? _daemon;

    private NagiosInstance(string dir)
    {
        Directory = dir;
        Binary = RequiredBinary.Find("nagios4-core", "/usr/sbin/nagios4", "nagios4");
    }

    /// <summary>The instance's directory.</summary>
    public string Directory { get; }

    /// <summary>The nagios4 binary.</summary>
    public string Binary { get; }

    /// <summary>The main configuration.</summary>
    public string MainConfig => Path.Combine(Directory, "nagios.cfg");

    /// <summary>The directory Nagios reads with <c>cfg_dir</c>.</summary>
    public string ConfD => Path.Combine(Directory, "conf.d");

    /// <summary>The lock file holding the daemon's pid.</summary>
    public string PidFile => Path.Combine(Directory, "var", "nagios.pid");

    /// <summary>The status file the daemon writes every second.</summary>
    public string StatusFile => Path.Combine(Directory, "var", "status.dat");

    /// <summary>The daemon's log.</summary>
    public string LogFile => Path.Combine(Directory, "var", "nagios.log");

    /// <summary>The daemon's pid, or 0 when it does not run.</summary>
    public int Pid => File.Exists(PidFile) && int.TryParse(File.ReadAllText(PidFile).Trim(), out var pid) ? pid : 0;

    /// <summary>Writes a fresh instance's configuration (the daemon is not started).</summary>
    public static NagiosInstance Create()
    {
        var dir = System.IO.Directory.CreateTempSubdirectory("tend-nagios-").FullName;
        var nagios = new NagiosInstance(dir);
        System.IO.Directory.CreateDirectory(nagios.ConfD);
        System.IO.Directory.CreateDirectory(Path.Combine(dir, "var", "checkresults"));
        File.WriteAllText(Path.Combine(dir, "objects.cfg"), Objects);
        var user = Environment.UserName;
        var v = Path.Combine(dir, "var");
        File.WriteAllText(nagios.MainConfig, string.Join('\n',
            "# A Nagios for one test: everything in this directory, checks that cost nothing.",
            "cfg_file=objects.cfg",
            "cfg_dir=conf.d",
            $"log_file={v}/nagios.log",
            $"lock_file={v}/nagios.pid",
            $"status_file={v}/status.dat",
            "status_update_interval=1",
            $"object_cache_file={v}/objects.cache",
            $"precached_object_file={v}/objects.precache",
            $"temp_file={v}/nagios.tmp",
            $"temp_path={v}",
            $"check_result_path={v}/checkresults",
            $"command_file={v}/nagios.cmd",
            $"query_socket={v}/nagios.qh",
            $"state_retention_file={v}/retention.dat",
            "retain_state_information=0",
            "check_external_commands=0",
            "use_syslog=0",
            "check_for_updates=0",
            "execute_host_checks=0",
            "execute_service_checks=0",
            "enable_notifications=0",
            $"nagios_user={user}",
            $"nagios_group={user}",
            "illegal_macro_output_chars=`~$&|'\"<>",
            string.Empty));
        return nagios;
    }

    /// <summary>Runs <c>nagios4 -v</c> on the main configuration: (exit code, output).</summary>
    public async Task<(int ExitCode, string Output)> VerifyAsync(string? mainConfig = null)
    {
        var psi = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-v");
        psi.ArgumentList.Add(mainConfig ?? MainConfig);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().ConfigureAwait(false);
        return (p.ExitCode, await stdout.ConfigureAwait(false) + await stderr.ConfigureAwait(false));
    }

    /// <summary>Starts the daemon (<c>nagios4 -d</c>) and waits until its status file lists the static host.</summary>
    public async Task StartAsync()
    {
        // Not redirected: the daemonised child would hold the pipes open.
        var psi = new ProcessStartInfo(Binary) { UseShellExecute = false };
        psi.ArgumentList.Add("-d");
        psi.ArgumentList.Add(MainConfig);
        using (var p = Process.Start(psi)!)
        {
            await p.WaitForExitAsync().ConfigureAwait(false);
            if (p.ExitCode != 0)
            {
                throw new InvalidOperationException($"nagios4 -d {MainConfig} failed with exit code {p.ExitCode}");
            }
        }

        await WaitForAsync(() => Pid > 0 && StatusHosts().Contains("monitor"), "the daemon to write its status").ConfigureAwait(false);
        _daemon = Process.GetProcessById(Pid);
    }

    /// <summary>The host names in the status file (empty when there is none yet).</summary>
    public IReadOnlySet<string> StatusHosts()
    {
        var hosts = new HashSet<string>(StringComparer.Ordinal);
        string text;
        try
        {
            text = File.ReadAllText(StatusFile);
        }
        catch (IOException)
        {
            return hosts;
        }

        bool inHost = false;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line == "hoststatus {")
            {
                inHost = true;
            }
            else if (line == "}")
            {
                inHost = false;
            }
            else if (inHost && line.StartsWith("host_name=", StringComparison.Ordinal))
            {
                hosts.Add(line["host_name=".Length..]);
            }
        }

        return hosts;
    }

    /// <summary>How many times the daemon logged that it caught SIGHUP.</summary>
    public int HangUps() => File.Exists(LogFile) ? File.ReadAllLines(LogFile).Count(l => l.Contains("Caught SIGHUP", StringComparison.Ordinal)) : 0;

    public async ValueTask DisposeAsync()
    {
        if (_daemon is { HasExited: false } d)
        {
            d.Kill(entireProcessTree: true);
            await d.WaitForExitAsync().ConfigureAwait(false);
        }

        _daemon?.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Nagios: timed out waiting for {what}");
            }

            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    private const string Objects = """
        define timeperiod {
            timeperiod_name  24x7
            alias            always
            monday           00:00-24:00
            tuesday          00:00-24:00
            wednesday        00:00-24:00
            thursday         00:00-24:00
            friday           00:00-24:00
            saturday         00:00-24:00
            sunday           00:00-24:00
        }

        define command {
            command_name  check-true
            command_line  /bin/true
        }

        define contact {
            contact_name                   nobody
            alias                          nobody
            host_notifications_enabled     0
            service_notifications_enabled  0
            host_notification_period       24x7
            service_notification_period    24x7
            host_notification_options      n
            service_notification_options   n
            host_notification_commands     check-true
            service_notification_commands  check-true
        }

        define host {
            name                 site-host
            register             0
            check_command        check-true
            max_check_attempts   1
            check_period         24x7
            notification_period  24x7
            contacts             nobody
        }

        define host {
            use        site-host
            host_name  monitor
            alias      monitor
            address    127.0.0.1
        }

        define hostgroup {
            hostgroup_name  linux
            alias           linux
            members         monitor
        }

        define service {
            host_name            monitor
            service_description  ping
            check_command        check-true
            max_check_attempts   1
            check_interval       5
            retry_interval       1
            check_period         24x7
            notification_period  24x7
            contacts             nobody
        }

        """;
}
