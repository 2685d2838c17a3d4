using System.Text.RegularExpressions;
using Tend.Core.Config;
using Tend.Core.Processes;

namespace Tend.Modules.Health;

/// <summary>
/// Reads <c>[health]</c>: the identity (<c>environment</c>, <c>role</c>, <c>hostname</c>,
/// <c>datacenter</c>, <c>hostname_pattern</c>), <c>ttl</c>, <c>trigger_timeout</c>, <c>flap_interval</c>,
/// <c>trigger_on_passing</c>, <c>check_procs</c>, <c>catalog</c>, <c>watch_state_dir</c>, and
/// <c>[[health.check]]</c> tables (<c>service</c>, <c>type</c>, the type's arguments, <c>interval</c>,
/// <c>timeout</c>, <c>catalog</c>).
/// </summary>
public sealed class HealthConfigReader : IModuleConfigReader
{
    private static readonly string[] ModuleKeys =
    [
        "environment", "role", "hostname", "datacenter", "hostname_pattern", "ttl", "trigger_timeout",
        "flap_interval", "trigger_on_passing", "check_procs", "catalog", "watch_state_dir", "check",
    ];

    private static readonly string[] CheckKeys =
    [
        "service", "name", "type", "linux_service", "user", "pattern", "arguments", "cmd", "host", "port",
        "url", "expect", "interval", "timeout", "catalog",
    ];

    /// <inheritdoc />
    public string Section => "health";

    /// <inheritdoc />
    public object Read(TomlSection section, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(section);
        var pattern = section.String("hostname_pattern") ?? HealthOptions.DefaultHostnamePattern;
        try
        {
            _ = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException ex)
        {
            throw section.Error("hostname_pattern", $"[health] hostname_pattern is not a valid regular expression: {ex.Message}");
        }

        bool catalog = section.Bool("catalog") ?? false;
        var checks = section.Tables("check").Select(t => ReadCheck(t, catalog)).ToList();
        var duplicate = checks.GroupBy(c => c.Service, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            var second = duplicate.Skip(1).First();
            throw new ConfigException(section.File, second.Line, 1, $"[[health.check]] service \"{duplicate.Key}\" is checked twice; one check per service (it names the published key health/ENV/{duplicate.Key}/NODE)");
        }

        var options = new HealthOptions
        {
            Environment = Segment(section, "environment"),
            Role = section.String("role"),
            Hostname = Segment(section, "hostname"),
            Datacenter = section.String("datacenter"),
            HostnamePattern = pattern,
            Ttl = section.Duration("ttl") ?? TimeSpan.FromSeconds(10),
            TriggerTimeout = Positive(section, "trigger_timeout") ?? TimeSpan.FromSeconds(60),
            FlapInterval = section.Duration("flap_interval") ?? TimeSpan.FromSeconds(30),
            TriggerOnPassing = section.Bool("trigger_on_passing") ?? true,
            CheckProcs = section.String("check_procs") is { } p ? Path.GetFullPath(p, baseDirectory) : null,
            WatchStateDirectory = section.String("watch_state_dir") is { } w ? Path.GetFullPath(w, baseDirectory) : null,
            Checks = checks,
        };
        section.RejectUnknownKeys(ModuleKeys);
        if (options.Ttl < TimeSpan.FromSeconds(2))
        {
            throw section.Error("ttl", "[health] ttl must be at least 2s (etcd leases are whole seconds)");
        }

        return options;
    }

    private static HealthCheckOptions ReadCheck(TomlSection s, bool catalog)
    {
        if (s.Has("service") && s.Has("name"))
        {
            throw s.Error("name", $"{s.Name}: give service or name (the same thing), not both");
        }

        var service = Segment(s, "service") ?? Segment(s, "name") ?? throw s.Error("service", $"{s.Name} needs service (the service the check stands for, powerconsul's -S)");
        var kind = s.Choice("type", "service", "crontab", "process", "command", "tcp", "http") switch
        {
            "service" => HealthCheckKind.Service,
            "crontab" => HealthCheckKind.Crontab,
            "process" => HealthCheckKind.Process,
            "tcp" => HealthCheckKind.Tcp,
            "http" => HealthCheckKind.Http,
            "command" => HealthCheckKind.Command,
            _ => throw s.Error("type", $"{s.Name} needs type: service, crontab, process, command, tcp or http"),
        };
        var (line, _) = s.Position;
        var check = new HealthCheckOptions
        {
            Service = service,
            Kind = kind,
            LinuxService = s.String("linux_service"),
            User = s.String("user"),
            Pattern = s.String("pattern"),
            Command = s.String("cmd"),
            TcpHost = s.String("host") ?? "127.0.0.1",
            Port = s.Int("port", 1, 65535) ?? 0,
            HttpUrl = s.String("url"),
            HttpExpect = s.String("expect"),
            Interval = Positive(s, "interval") ?? TimeSpan.FromSeconds(10),
            Timeout = Positive(s, "timeout") ?? TimeSpan.FromSeconds(30),
            Catalog = s.Bool("catalog") ?? catalog,
            Line = line,
        };
        if (s.String("arguments") is { } args)
        {
            try
            {
                check = check with { ProcessArguments = ShellWords.Split(args) };
            }
            catch (FormatException ex)
            {
                throw s.Error("arguments", $"{s.Name} arguments: {ex.Message}");
            }
        }

        string? missing = kind switch
        {
            HealthCheckKind.Service when string.IsNullOrEmpty(check.LinuxService) => "linux_service (the system service, e.g. \"apache2\")",
            HealthCheckKind.Crontab when string.IsNullOrEmpty(check.User) => "user (whose crontab)",
            HealthCheckKind.Process when check.ProcessArguments.Count == 0 => "arguments (check_procs' arguments, e.g. \"-c 1:1 -C nginx\")",
            HealthCheckKind.Command when string.IsNullOrEmpty(check.Command) => "cmd (the shell command)",
            HealthCheckKind.Tcp when check.Port == 0 => "port",
            HealthCheckKind.Http when !Uri.TryCreate(check.HttpUrl, UriKind.Absolute, out _) => "url = \"http://host:port/path\"",
            _ => null,
        };
        if (missing is not null)
        {
            throw s.Error("type", $"{s.Name} (type = \"{kind.ToString().ToLowerInvariant()}\") needs {missing}");
        }

        s.RejectUnknownKeys(CheckKeys);
        return check;
    }

    private static string? Segment(TomlSection s, string key)
    {
        var value = s.String(key);
        return value is not null && HealthIdentity.SegmentProblem(key, value) is { } problem ? throw s.Error(key, $"{s.Name} {problem}") : value;
    }

    private static TimeSpan? Positive(TomlSection s, string key)
    {
        var d = s.Duration(key);
        return d is { } v && v <= TimeSpan.Zero ? throw s.Error(key, $"{s.Name} {key} must be greater than zero") : d;
    }
}
