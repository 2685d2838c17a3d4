using Tend.Core.Config;
using Tend.Modules.Render.Config;

namespace Tend.Modules.Hooks.Nagios;

/// <summary>
/// <c>[hooks.nagios]</c>: the Nagios inventory generator. On changes under the root it renders the
/// host and hostgroup files, validates them with Nagios, installs them and reloads Nagios, and resets
/// the nagios user's ssh known_hosts entries of the hosts that were added or changed.
/// </summary>
public sealed record NagiosOptions
{
    /// <summary>The Debian nagios4 main configuration.</summary>
    public const string DefaultMainConfig = "/etc/nagios4/nagios.cfg";

    /// <summary>The Debian nagios4 lock file (its <c>lock_file</c>).</summary>
    public const string DefaultPidFile = "/var/run/nagios4/nagios4.pid";

    /// <summary>Validates a staged copy of the main configuration that reads the new files.</summary>
    public const string DefaultCheckCommand = "/usr/sbin/nagios4 -v {{.config}}";

    /// <summary>Removes the old key (run in a clean environment with <c>TEND_SSH_*</c> and <c>TEND_KNOWN_HOSTS</c>).</summary>
    public const string DefaultSshRemoveCommand = "ssh-keygen -R \"$TEND_SSH_HOST\" -f \"$TEND_KNOWN_HOSTS\"";

    /// <summary>Scans the new key; its stdout is appended to the known_hosts file.</summary>
    public const string DefaultSshScanCommand = "ssh-keyscan -T 5 -p \"$TEND_SSH_PORT\" \"$TEND_SSH_ADDRESS\"";

    /// <summary>The <c>use</c> value of each host definition.</summary>
    public string HostTemplate { get; init; } = "site-host";

    /// <summary>The address pattern: <c>{name}</c>, <c>{root}</c>, <c>{type}</c>, <c>{ordinal}</c>.</summary>
    public string Address { get; init; } = "{name}";

    /// <summary>The hostgroup name pattern: <c>{root}</c>, <c>{type}</c>.</summary>
    public string HostgroupName { get; init; } = "{type}";

    /// <summary>The generated host definitions (<c>flex-hosts.cfg</c>).</summary>
    public required string HostsFile { get; init; }

    /// <summary>The generated hostgroup definitions (<c>flex-groups.cfg</c>).</summary>
    public required string GroupsFile { get; init; }

    /// <summary>An optional plain list of host names, one a line.</summary>
    public string? HostListFile { get; init; }

    /// <summary>The user's own template for <see cref="HostsFile"/>, or <c>null</c> for the built-in one.</summary>
    public string? HostsTemplate { get; init; }

    /// <summary>The user's own template for <see cref="GroupsFile"/>.</summary>
    public string? GroupsTemplate { get; init; }

    /// <summary>The user's own template for <see cref="HostListFile"/>.</summary>
    public string? HostListTemplate { get; init; }

    /// <summary>The Nagios main configuration (<c>{{.main_config}}</c>; staged as <c>{{.config}}</c>).</summary>
    public string MainConfig { get; init; } = DefaultMainConfig;

    /// <summary>
    /// Validates the configuration; non-zero keeps the previous files and skips the reload. With
    /// <c>{{.config}}</c> it checks a staged copy of the main configuration that includes the new
    /// files in place of the installed ones; without it the files are installed, checked, and put
    /// back when the check fails. Empty: no check.
    /// </summary>
    public string CheckCommand { get; init; } = DefaultCheckCommand;

    /// <summary>The check's timeout.</summary>
    public TimeSpan CheckTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Reloads Nagios; <c>null</c>: SIGHUP to the pid in <see cref="PidFile"/>.</summary>
    public string? ReloadCommand { get; init; }

    /// <summary>The reload command's timeout.</summary>
    public TimeSpan ReloadTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Nagios' lock file, holding its pid.</summary>
    public string PidFile { get; init; } = DefaultPidFile;

    /// <summary>Reset the ssh known_hosts entries of added and changed hosts.</summary>
    public bool SshReset { get; init; }

    /// <summary>Whose known_hosts file is reset.</summary>
    public string SshUser { get; init; } = "nagios";

    /// <summary>The hosts' ssh port (known_hosts names a non-22 port as <c>[address]:port</c>).</summary>
    public int SshPort { get; init; } = 22;

    /// <summary>The known_hosts file; <c>null</c>: <c>~ssh_user/.ssh/known_hosts</c>.</summary>
    public string? KnownHosts { get; init; }

    /// <summary>Removes a host's old key.</summary>
    public string SshRemoveCommand { get; init; } = DefaultSshRemoveCommand;

    /// <summary>Scans a host's new key; stdout is appended to the known_hosts file.</summary>
    public string SshScanCommand { get; init; } = DefaultSshScanCommand;

    /// <summary>The timeout of each ssh command.</summary>
    public TimeSpan SshTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Quiet period of a burst before the files are written (<c>wait = "min:max"</c>).</summary>
    public ChangeWait Wait { get; init; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(15));

    /// <summary>The time, output and memory bounds of each template render (<c>template_timeout</c>, <c>max_output</c>, <c>max_memory</c>).</summary>
    public RenderLimits Limits { get; init; } = RenderLimits.Default;
}
