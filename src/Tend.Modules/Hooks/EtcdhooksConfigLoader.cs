using System.Globalization;
using Microsoft.Extensions.Logging;
using Tend.Core.Config;
using Tend.Core.Kv;
using Tend.Modules.Hooks.Nagios;

namespace Tend.Modules.Hooks;

/// <summary>
/// Reads etcdhooks' own configuration: <c>daemon.cfg</c> and <c>log.cfg</c>, <c>key=value</c> lines
/// (blank lines and <c>#</c> comments ignored, whitespace around keys and values trimmed, values may be
/// quoted). A bad value is a <see cref="ConfigException"/> naming file and line; a key Tend does not
/// know is reported back, not fatal, since the original may have had settings the seed never named.
/// </summary>
public static class EtcdhooksConfigLoader
{
    /// <summary>Reads <paramref name="daemonCfg"/> and, when given, <paramref name="logCfg"/>.</summary>
    /// <exception cref="ConfigException">A file cannot be read or holds a bad value.</exception>
    public static EtcdhooksSettings Load(string daemonCfg, string? logCfg)
    {
        ArgumentNullException.ThrowIfNull(daemonCfg);
        var settings = Parse(daemonCfg, ConfigFiles.ReadAllText(daemonCfg), new EtcdhooksSettings(), log: false);
        return logCfg is null ? settings : Parse(logCfg, ConfigFiles.ReadAllText(logCfg), settings, log: true);
    }

    /// <summary>Parses one file's <paramref name="text"/> onto <paramref name="settings"/>.</summary>
    public static EtcdhooksSettings Parse(string file, string text, EtcdhooksSettings settings, bool log)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(settings);
        var baseDir = Path.GetDirectoryName(Path.GetFullPath(file))!;
        var unknown = new List<string>(settings.UnknownKeys);
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            int number = i + 1;
            var line = lines[i].Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new ConfigException(file, number, 1, $"expected key=value, not \"{line}\"");
            }

            var key = line[..eq].Trim();
            var value = Unquote(line[(eq + 1)..].Trim());
            int column = lines[i].IndexOf('=', StringComparison.Ordinal) + 2;
            ConfigException Bad(string reason) => new(file, number, column, $"{key}: {reason}");
            settings = (log, key) switch
            {
                (false, "nagios_host_file") => settings with { HostsFile = FilePath(value, baseDir, Bad) },
                (false, "nagios_groups_file") => settings with { GroupsFile = FilePath(value, baseDir, Bad) },
                (false, "host_list_file") => settings with { HostListFile = FilePath(value, baseDir, Bad) },
                (false, "etcd_server_list") => settings with { EtcdEndpoints = Endpoints(value, Bad) },
                (false, "web_listen_port") => settings with { WebListenPort = Port(value, Bad) },
                (false, "etcd_watch_root_url") => settings with { Root = RootPath(value, Bad) },
                (false, "file_rewrite_interval") => settings with { FileRewriteInterval = Interval(value, Bad) },
                (true, "loglevel") => settings with { LogLevel = Level(value, Bad) },
                (true, "stacktrace") => settings with { StackTraces = Flag(value, Bad) },
                _ => settings,
            };
            if (!IsKnown(log, key))
            {
                unknown.Add($"{file}:{number}: {key}");
            }
        }

        return settings with { UnknownKeys = unknown };
    }

    /// <summary>
    /// The <c>[hooks.nagios]</c> options etcdhooks ran with: its files, root and rewrite interval
    /// (as the maximum of the quiet period: a burst is written 1 s after it calms down and never later
    /// than the interval after its first change — the original dropped changes instead), and the
    /// known_hosts reset it always did.
    /// </summary>
    public static NagiosOptions ApplyTo(EtcdhooksSettings settings, NagiosOptions? current)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var hostsFile = settings.HostsFile ?? current?.HostsFile
            ?? throw new ConfigException("daemon.cfg: nagios_host_file is not set (and tend.toml has no [hooks.nagios] hosts_file)");
        var o = current ?? new NagiosOptions { HostsFile = hostsFile, GroupsFile = Path.Combine(Path.GetDirectoryName(hostsFile)!, "flex-groups.cfg"), SshReset = true };
        var wait = o.Wait;
        if (settings.FileRewriteInterval is { } interval)
        {
            var min = interval < TimeSpan.FromSeconds(1) ? interval : TimeSpan.FromSeconds(1);
            wait = new ChangeWait(min, interval);
        }

        return o with
        {
            HostsFile = hostsFile,
            GroupsFile = settings.GroupsFile ?? o.GroupsFile,
            HostListFile = settings.HostListFile ?? o.HostListFile,
            Wait = wait,
        };
    }

    private static bool IsKnown(bool log, string key) => log
        ? key is "loglevel" or "stacktrace"
        : key is "nagios_host_file" or "nagios_groups_file" or "host_list_file" or "etcd_server_list" or "web_listen_port" or "etcd_watch_root_url" or "file_rewrite_interval";

    private static string Unquote(string v) =>
        v.Length >= 2 && ((v[0] == '"' && v[^1] == '"') || (v[0] == '\'' && v[^1] == '\'')) ? v[1..^1] : v;

    private static string FilePath(string value, string baseDir, Func<string, ConfigException> bad) =>
        value.Length == 0 ? throw bad("must name a file") : Path.GetFullPath(value, baseDir);

    private static List<string> Endpoints(string value, Func<string, ConfigException> bad)
    {
        var list = new List<string>();
        foreach (var item in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var url = item.Contains("://", StringComparison.Ordinal) ? item : "http://" + item;
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
            {
                throw bad($"\"{item}\" is not an etcd endpoint (host:port or http://host:port)");
            }

            list.Add(uri.GetLeftPart(UriPartial.Authority));
        }

        return list.Count == 0 ? throw bad("needs at least one endpoint") : list;
    }

    private static int Port(string value, Func<string, ConfigException> bad) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is > 0 and < 65536 ? p : throw bad($"must be a port number, not \"{value}\"");

    /// <summary>A key path, or an etcd v2 URL whose path (without <c>/v2/keys</c>) is the root.</summary>
    private static string RootPath(string value, Func<string, ConfigException> bad)
    {
        var path = value;
        if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            path = uri.AbsolutePath;
            if (path.StartsWith("/v2/keys", StringComparison.Ordinal))
            {
                path = path["/v2/keys".Length..];
            }
        }

        try
        {
            var root = KeyPath.Normalize(path);
            return root == KeyPath.Root ? throw bad("the root cannot be / (hosts are ROOT/<type>/<ordinal>)") : root;
        }
        catch (ArgumentException ex)
        {
            throw bad(ex.Message);
        }
    }

    private static TimeSpan Interval(string value, Func<string, ConfigException> bad)
    {
        if (!Durations.TryParse(value, out var t, out var error))
        {
            throw bad(error);
        }

        return t > TimeSpan.Zero ? t : throw bad($"must be a positive number of seconds, not \"{value}\"");
    }

    private static LogLevel Level(string value, Func<string, ConfigException> bad)
    {
        try
        {
            return TendConfigLoader.ParseLevel(value);
        }
        catch (ArgumentException)
        {
            throw bad($"must be trace, debug, info, warn or error, not \"{value}\"");
        }
    }

    private static bool Flag(string value, Func<string, ConfigException> bad) => value.ToLowerInvariant() switch
    {
        "true" or "yes" or "on" or "1" => true,
        "false" or "no" or "off" or "0" => false,
        _ => throw bad($"must be true or false, not \"{value}\""),
    };
}
