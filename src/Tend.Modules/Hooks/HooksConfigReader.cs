using System.Text.RegularExpressions;
using Tend.Core.Config;
using Tend.Core.Kv;
using Tend.Modules.Hooks.Exec;
using Tend.Modules.Hooks.Inventory;
using Tend.Modules.Hooks.Nagios;
using Tend.Modules.Render;
using Tend.Modules.Render.Config;

namespace Tend.Modules.Hooks;

/// <summary>
/// Reads <c>[hooks]</c> from tend.toml: <c>[hooks.nagios]</c> (the host inventory the HTTP API and
/// <c>tend hosts</c> work on, and — once <c>hosts_file</c> is set — the Nagios generator) and the
/// <c>[[hooks.exec]]</c> hooks. Every bad value is reported at its line and column.
/// </summary>
public sealed partial class HooksConfigReader : IModuleConfigReader
{
    /// <summary>The keys of <c>[hooks.nagios]</c>.</summary>
    public static readonly string[] NagiosKeys =
    [
        "root", "host_name", "host_template", "hostgroup_name", "address", "hosts_file", "groups_file", "host_list_file",
        "hosts_template", "groups_template", "host_list_template", "main_config", "check_cmd", "check_timeout",
        "reload_cmd", "reload_timeout", "pid_file", "ssh_reset", "ssh_user", "ssh_port", "known_hosts",
        "ssh_remove_cmd", "ssh_scan_cmd", "ssh_timeout", "wait", "template_timeout", "max_output", "max_memory",
    ];

    /// <summary>The keys of <c>[[hooks.exec]]</c>.</summary>
    public static readonly string[] ExecKeys = ["id", "prefix", "command", "mode", "timeout", "wait"];

    /// <inheritdoc />
    public string Section => "hooks";

    /// <inheritdoc />
    public object Read(TomlSection section, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(section);
        var options = new HooksOptions();
        if (section.Table("nagios") is { } nagios)
        {
            var inventory = new HostInventoryOptions
            {
                Root = nagios.String("root") ?? options.Inventory.Root,
                HostName = nagios.String("host_name") ?? options.Inventory.HostName,
            };
            try
            {
                _ = new HostInventory(inventory);
            }
            catch (ArgumentException ex)
            {
                throw nagios.Error(nagios.Has("host_name") ? "host_name" : "root", $"[hooks.nagios] {ex.Message}");
            }

            options = options with { Inventory = inventory, Nagios = ReadNagios(nagios, baseDirectory) };
            nagios.RejectUnknownKeys(NagiosKeys);
        }

        var exec = new List<ExecHookOptions>();
        foreach (var (table, index) in section.Tables("exec").Select((t, i) => (t, i)))
        {
            var hook = ReadExec(table, index + 1);
            if (exec.Any(h => h.Id == hook.Id))
            {
                throw table.Error("id", $"{table.Name} id \"{hook.Id}\" is used by another [[hooks.exec]]");
            }

            exec.Add(hook);
        }

        section.RejectUnknownKeys(["nagios", "exec"]);
        return options with { Exec = exec };
    }

    /// <summary>The generator's options, or <c>null</c> when <c>hosts_file</c> is not set (the section then only names the inventory).</summary>
    private static NagiosOptions? ReadNagios(TomlSection s, string baseDir)
    {
        var hostsFile = PathValue(s, "hosts_file", baseDir);
        if (hostsFile is null)
        {
            var stray = NagiosKeys.Skip(2).FirstOrDefault(s.Has);
            return stray is null ? null : throw s.Error(stray, $"[hooks.nagios] {stray} needs hosts_file: set hosts_file = \"/etc/nagios4/conf.d/flex-hosts.cfg\" to turn on the Nagios generator");
        }

        var d = new NagiosOptions { HostsFile = hostsFile, GroupsFile = string.Empty };
        var o = d with
        {
            GroupsFile = PathValue(s, "groups_file", baseDir) ?? Path.Combine(Path.GetDirectoryName(hostsFile)!, "flex-groups.cfg"),
            HostListFile = PathValue(s, "host_list_file", baseDir),
            HostTemplate = Word(s, "host_template") ?? d.HostTemplate,
            HostgroupName = Pattern(s, "hostgroup_name", ["root", "type"]) ?? d.HostgroupName,
            Address = Pattern(s, "address", ["name", "root", "type", "ordinal"]) ?? d.Address,
            HostsTemplate = ExistingFile(s, "hosts_template", baseDir),
            GroupsTemplate = ExistingFile(s, "groups_template", baseDir),
            HostListTemplate = ExistingFile(s, "host_list_template", baseDir),
            MainConfig = PathValue(s, "main_config", baseDir) ?? d.MainConfig,
            CheckCommand = CheckCommand(s) ?? d.CheckCommand,
            CheckTimeout = Positive(s, "check_timeout") ?? d.CheckTimeout,
            ReloadCommand = NonEmpty(s, "reload_cmd"),
            ReloadTimeout = Positive(s, "reload_timeout") ?? d.ReloadTimeout,
            PidFile = PathValue(s, "pid_file", baseDir) ?? d.PidFile,
            SshReset = s.Bool("ssh_reset") ?? d.SshReset,
            SshUser = Word(s, "ssh_user") ?? d.SshUser,
            SshPort = s.Int("ssh_port", 1, 65535) ?? d.SshPort,
            KnownHosts = PathValue(s, "known_hosts", baseDir),
            SshRemoveCommand = NonEmpty(s, "ssh_remove_cmd") ?? d.SshRemoveCommand,
            SshScanCommand = NonEmpty(s, "ssh_scan_cmd") ?? d.SshScanCommand,
            SshTimeout = Positive(s, "ssh_timeout") ?? d.SshTimeout,
            Wait = s.Wait("wait") ?? d.Wait,
            Limits = RenderLimits.Read(s, d.Limits),
        };

        if (o.ReloadCommand is not null && s.Has("pid_file"))
        {
            throw s.Error("pid_file", "[hooks.nagios] set reload_cmd or pid_file, not both (pid_file is for the built-in SIGHUP)");
        }

        var files = new[] { ("hosts_file", o.HostsFile), ("groups_file", o.GroupsFile), ("host_list_file", o.HostListFile) };
        foreach (var (key, path) in files.Skip(1))
        {
            var same = files.FirstOrDefault(f => f.Item1 != key && f.Item2 == path && path is not null);
            if (same.Item1 is not null)
            {
                throw s.Error(key, $"[hooks.nagios] {key} and {same.Item1} are the same file, {path}");
            }
        }

        if (o.SshReset && KnownHostsResetter.Account(o.SshUser) is null)
        {
            throw s.Error(s.Has("ssh_user") ? "ssh_user" : "ssh_reset", $"[hooks.nagios] ssh_user \"{o.SshUser}\" does not exist on this host (ssh_reset resets that user's known_hosts)");
        }

        // The templates are compiled now, so a bad one is a configuration error with its own line and column.
        NagiosTemplates.Compile(o);
        return o;
    }

    private static ExecHookOptions ReadExec(TomlSection s, int number)
    {
        var prefix = NonEmpty(s, "prefix") ?? throw s.Error("prefix", $"{s.Name} needs prefix = \"/some/prefix\"");
        try
        {
            prefix = KeyPath.Normalize(prefix);
        }
        catch (ArgumentException ex)
        {
            throw s.Error("prefix", $"{s.Name} prefix: {ex.Message}");
        }

        var d = new ExecHookOptions { Id = $"exec-{number}", Prefix = prefix, Command = NonEmpty(s, "command") ?? throw s.Error("command", $"{s.Name} needs command = \"...\"") };
        var hook = d with
        {
            Id = Word(s, "id") ?? d.Id,
            Mode = s.Choice("mode", "change", "batch") switch
            {
                "batch" => ExecHookMode.Batch,
                _ => ExecHookMode.Change,
            },
            Timeout = Positive(s, "timeout") ?? d.Timeout,
            Wait = s.Wait("wait") ?? d.Wait,
        };
        s.RejectUnknownKeys(ExecKeys);
        return hook;
    }

    private static string? NonEmpty(TomlSection s, string key)
    {
        var v = s.String(key);
        if (v is null)
        {
            return null;
        }

        return string.IsNullOrWhiteSpace(v) ? throw s.Error(key, $"{s.Name} {key} must not be empty") : v;
    }

    /// <summary>A single word: no whitespace or control characters (Nagios object names, user names, ids).</summary>
    private static string? Word(TomlSection s, string key)
    {
        var v = NonEmpty(s, key);
        return v is not null && v.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))
            ? throw s.Error(key, $"{s.Name} {key} must be one word without spaces, not \"{v}\"")
            : v;
    }

    private static string? PathValue(TomlSection s, string key, string baseDir)
    {
        var v = NonEmpty(s, key);
        return v is null ? null : Path.GetFullPath(v, baseDir);
    }

    private static string? ExistingFile(TomlSection s, string key, string baseDir)
    {
        var path = PathValue(s, key, baseDir);
        return path is not null && !File.Exists(path) ? throw s.Error(key, $"{s.Name} {key}: {path} does not exist") : path;
    }

    private static string? Pattern(TomlSection s, string key, string[] placeholders)
    {
        var v = Word(s, key);
        if (v is null)
        {
            return null;
        }

        foreach (Match m in PlaceholderRegex().Matches(v))
        {
            if (!placeholders.Contains(m.Groups[1].Value, StringComparer.Ordinal))
            {
                throw s.Error(key, $"{s.Name} {key}: unknown placeholder {m.Value} (known: {string.Join(", ", placeholders.Select(p => "{" + p + "}"))})");
            }
        }

        return v;
    }

    private static TimeSpan? Positive(TomlSection s, string key)
    {
        var v = s.Duration(key);
        return v is { } t && t <= TimeSpan.Zero ? throw s.Error(key, $"{s.Name} {key} must be longer than zero") : v;
    }

    /// <summary><c>check_cmd</c>: a command template over <c>{{.config}}</c> and <c>{{.main_config}}</c>; empty turns the check off.</summary>
    private static string? CheckCommand(TomlSection s)
    {
        var v = s.String("check_cmd");
        if (v is null || v.Trim().Length == 0)
        {
            return v?.Trim();
        }

        try
        {
            ShellCommandTemplate.Parse("check_cmd", s.File, v, "config", "main_config");
        }
        catch (ConfigException ex)
        {
            throw s.Error("check_cmd", $"{s.Name} {ex.Reason}");
        }

        return v;
    }

    [GeneratedRegex(@"\{([A-Za-z_]+)\}", RegexOptions.CultureInvariant)]
    private static partial Regex PlaceholderRegex();
}
