using System.CommandLine;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Tend.Core.Config;
using Tend.Hosting;
using Tend.Logging;
using Tend.Modules.Membership;

namespace Tend.Cli;

/// <summary>
/// <c>tend membership</c>: one membership pass with etcd-discovery's command line, taken as it is (Go's flag
/// syntax, glog's logging flags). Installed as (or symlinked to) <c>etcd-discovery</c>, Tend runs this for any
/// command line. <c>[membership]</c> in tend.toml, when present, is the base the flags override.
/// </summary>
internal static class MembershipCommand
{
    public const string Name = "membership";

    private static readonly TimeSpan WaitStep = TimeSpan.FromSeconds(3);

    /// <summary>The flags: etcd-discovery's, glog's, Tend's global options, and Tend's own additions.</summary>
    internal static GoFlagParser Flags { get; } = new GoFlagParser()
        .Add("environment-file", GoFlagParser.Kind.String, "the file to write the etcd environment variables")
        .Add("etcd-client-port", GoFlagParser.Kind.Int, "is the port the etcd client should be listening on", "2379")
        .Add("etcd-client-schema", GoFlagParser.Kind.String, "is the protocol schema we should use for client connections", "\"https\"")
        .Add("etcd-peer-port", GoFlagParser.Kind.Int, "is the port the etcd peer should be listening on", "2380")
        .Add("etcd-peer-scheme", GoFlagParser.Kind.String, "is the protocol schema we should use for etcd peer connections", "\"https\"")
        .Add("private-addresses", GoFlagParser.Kind.Bool, "add the etcd peers using their ip addresses rather than domain names")
        .Add("private-hostnames", GoFlagParser.Kind.Bool, "add the etcd peers using the dns names rather than ip addresses", "true")
        .Add("proxy-mode", GoFlagParser.Kind.Bool, "whether or not we are operating in etcd proxy mode")
        .Add("scaling-group-name", GoFlagParser.Kind.String, "is the name of the aws auto-scaling group which has the etcd masters")

        // glog's flags: accepted so the command line works unchanged; Tend logs to stderr (or as [log] says).
        .Add("logtostderr", GoFlagParser.Kind.Bool, "log to standard error instead of files (Tend always logs to stderr)")
        .Add("alsologtostderr", GoFlagParser.Kind.Bool, "log to standard error as well as files (Tend always logs to stderr)")
        .Add("v", GoFlagParser.Kind.Int, "log level for V logs: 0 info, 1-4 debug, 5 and more trace")
        .Add("log_dir", GoFlagParser.Kind.String, "accepted and ignored: Tend writes no log files")
        .Add("stderrthreshold", GoFlagParser.Kind.String, "accepted (INFO, WARNING, ERROR, FATAL or 0-3): every log line goes to stderr")
        .Add("vmodule", GoFlagParser.Kind.String, "accepted (pattern=N,...): Tend has no per-file log levels")
        .Add("log_backtrace_at", GoFlagParser.Kind.String, "accepted (file:N): Tend logs no backtraces at a line", ":0")

        // Tend's additions.
        .Add("inventory", GoFlagParser.Kind.String, "where members come from: aws (the auto-scaling group), static, dns", "\"aws\"")
        .Add("member", GoFlagParser.Kind.String, "static inventory: a member as name=host (repeatable)", repeatable: true)
        .Add("name", GoFlagParser.Kind.String, "static and dns inventories: this host's member name (default: the host name)")
        .Add("domain", GoFlagParser.Kind.String, "dns inventory: the domain of the _etcd-server(-ssl)._tcp SRV records")
        .Add("region", GoFlagParser.Kind.String, "aws: the region (default: AWS_REGION, else the instance's)")
        .Add("learner", GoFlagParser.Kind.Bool, "join as a learner and be promoted once caught up (etcd 3.4+)", "true")
        .Add("promote-timeout", GoFlagParser.Kind.String, "how long to wait for this host to become a voting member before exiting 1 (0: do not wait)", "2m")
        .Add("timeout", GoFlagParser.Kind.String, "timeout of one etcd request or health probe", "5s")
        .Add("settle", GoFlagParser.Kind.String, "before bootstrapping a new cluster, how long the member list must stay the same", "5s")
        .Add("file-mode", GoFlagParser.Kind.String, "the environment file's mode", "\"0444\"")
        .Add("config", GoFlagParser.Kind.String, $"Tend's configuration file; its [membership] section is the base the flags override (default: {TendConfig.DefaultPath} when it exists)")
        .Add("log-level", GoFlagParser.Kind.String, "trace, debug, info, warn, error (wins over -v)")
        .Add("ca-file", GoFlagParser.Kind.String, "CA bundle (PEM) for the members' client TLS")
        .Add("cert-file", GoFlagParser.Kind.String, "client certificate (PEM) for the members")
        .Add("key-file", GoFlagParser.Kind.String, "client key (PEM)")
        .Add("username", GoFlagParser.Kind.String, "etcd user, when the cluster has authentication on")
        .Add("password", GoFlagParser.Kind.String, "its password");

    /// <summary>The entry in <c>tend --help</c>; the command line itself is read by <see cref="RunAsync"/>, never by System.CommandLine.</summary>
    public static Command Create()
    {
        var command = new Command(Name, "Keep an etcd cluster's members in step with an auto-scaling group (or a static list, or DNS SRV) and write etcd's environment file, once (etcd-discovery's command line; 'tend membership -help' lists the flags)")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction(_ => ExitCodes.Usage);
        return command;
    }

    /// <summary>The index of <c>membership</c> when it is the command of <paramref name="args"/> (after global options only), else -1.</summary>
    public static int Find(string[] args) => GoFlagParser.FindCommand(args, Name);

    /// <summary>Runs one pass (and waits for promotion); the exit code.</summary>
    public static async Task<int> RunAsync(string[] args, int at, CancellationToken cancellationToken = default)
    {
        var values = Flags.Parse(args.Take(at).Concat(args.Skip(at + 1)));
        if (values is null)
        {
            await Console.Error.WriteAsync(Usage()).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        var (options, log, promoteTimeout) = Resolve(values);
        using var loggers = TendLogging.CreateFactory(log);
        var logger = loggers.CreateLogger("Tend.Membership");
        await using var module = new MembershipModule(loggers);
        var clock = Stopwatch.StartNew();
        var result = await module.RunPassAsync(options, cancellationToken).ConfigureAwait(false);

        // A learner needs its etcd running to catch up: keep trying to promote it (and to add it, when a change had to
        // wait) while etcd starts, up to the promote timeout. A failure to read the inventory is not worth retrying here.
        while (result.Outcome != MembershipOutcome.Settled && !result.InventoryFailed && clock.Elapsed + WaitStep <= promoteTimeout)
        {
            await Task.Delay(WaitStep, cancellationToken).ConfigureAwait(false);
            result = await module.RunPassAsync(options, cancellationToken).ConfigureAwait(false);
        }

        switch (result.Outcome)
        {
            case MembershipOutcome.Settled:
                return ExitCodes.Ok;
            case MembershipOutcome.Pending:
                var why = result.Withheld.Count > 0 ? string.Join("; ", result.Withheld) : $"this host is {result.Self.ToString().ToLowerInvariant()}";
                logger.LogError("membership: not settled after {Seconds:0} s: {Reason}", clock.Elapsed.TotalSeconds, why);
                return ExitCodes.Failure;
            default:
                return ExitCodes.Failure;
        }
    }

    /// <summary>The settings the flags describe, over <c>[membership]</c> of the configuration when there is one.</summary>
    internal static (MembershipOptions Options, LogOptions Log, TimeSpan PromoteTimeout) Resolve(Dictionary<string, List<string>> values)
    {
        string? Get(string name) => values.TryGetValue(name, out var v) ? v[^1] : null;
        bool? Bool(string name) => Get(name) is { } v ? v == "true" : null;
        int? Int(string name) => Get(name) is { } v ? int.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : null;

        var configPath = Get("config");
        var config = configPath is not null ? TendConfigLoader.Load(configPath, ModuleReaders.All)
            : File.Exists(TendConfig.DefaultPath) ? TendConfigLoader.Load(TendConfig.DefaultPath, ModuleReaders.All)
            : new TendConfig();
        var o = config.Module<MembershipOptions>("membership") ?? new MembershipOptions();

        var inventory = Get("inventory")?.ToLowerInvariant() switch
        {
            null => o.Inventory,
            "aws" => MembershipInventoryKind.Aws,
            "static" => MembershipInventoryKind.Static,
            "dns" => MembershipInventoryKind.Dns,
            var other => throw new UsageException($"-inventory: '{other}' is not aws, static or dns"),
        };

        bool? ips = Bool("private-addresses"), names = Bool("private-hostnames");
        if (ips == true && names == true)
        {
            throw new UsageException("you cannot have both private addresses and hostnames enabled (-private-addresses with -private-hostnames=true)");
        }

        // -private-addresses alone is enough: -private-hostnames' default gives way to it.
        var address = ips == true ? MemberAddressKind.Ip : names is not null || ips == false ? MemberAddressKind.Hostname : o.Address;

        var members = values.TryGetValue("member", out var list)
            ? list.Select(ParseMember).ToList()
            : o.Members;

        var options = o with
        {
            Inventory = inventory,
            EnvironmentFile = Get("environment-file") is { } file ? Path.GetFullPath(file) : o.EnvironmentFile,
            ClientPort = Int("etcd-client-port") ?? o.ClientPort,
            ClientScheme = Scheme("etcd-client-schema", Get("etcd-client-schema")) ?? o.ClientScheme,
            PeerPort = Int("etcd-peer-port") ?? o.PeerPort,
            PeerScheme = Scheme("etcd-peer-scheme", Get("etcd-peer-scheme")) ?? o.PeerScheme,
            Address = address,
            ProxyMode = Bool("proxy-mode") ?? o.ProxyMode,
            ScalingGroupName = Get("scaling-group-name") is { Length: > 0 } g ? g : o.ScalingGroupName,
            Region = Get("region") ?? o.Region,
            Name = Get("name") ?? o.Name,
            Domain = Get("domain") ?? o.Domain,
            Members = members,
            Learner = Bool("learner") ?? o.Learner,
            Timeout = Duration("timeout", Get("timeout")) ?? o.Timeout,
            Settle = Duration("settle", Get("settle"), allowZero: true) ?? o.Settle,
            FileMode = Get("file-mode") is { } mode ? Mode(mode) : o.FileMode,
            CaFile = Get("ca-file") ?? o.CaFile,
            CertFile = Get("cert-file") ?? o.CertFile,
            KeyFile = Get("key-file") ?? o.KeyFile,
            Username = Get("username") ?? o.Username,
            Password = Get("password") ?? o.Password,
        };
        if (string.IsNullOrEmpty(options.EnvironmentFile))
        {
            throw new UsageException("you have not set the environment file path to write to (-environment-file)");
        }

        foreach (var port in new[] { "etcd-client-port", "etcd-peer-port" })
        {
            if (Int(port) is < 1 or > 65535)
            {
                throw new UsageException($"-{port} {Int(port)} is not a port (1-65535)");
            }
        }

        CheckGlog(values);
        MembershipModule.Validate(options);

        var log = config.Log;
        if (Get("log-level") is { } level)
        {
            try
            {
                log = log with { Level = TendConfigLoader.ParseLevel(level) };
            }
            catch (ArgumentException ex)
            {
                throw new UsageException(ex.Message);
            }
        }
        else if (Int("v") is { } v)
        {
            log = log with { Level = v >= 5 ? LogLevel.Trace : v >= 1 ? LogLevel.Debug : log.Level };
        }

        var promote = Duration("promote-timeout", Get("promote-timeout"), allowZero: true) ?? TimeSpan.FromMinutes(2);
        return (options, log, promote);
    }

    /// <summary>The usage text, in the layout Go's flag package prints.</summary>
    internal static string Usage()
    {
        var text = new System.Text.StringBuilder("Usage of etcd-discovery (tend membership):\n");
        foreach (var (name, kind, usage, def) in Flags.Flags)
        {
            text.Append("  -").Append(name);
            if (kind != GoFlagParser.Kind.Bool)
            {
                text.Append(kind == GoFlagParser.Kind.Int ? " int" : " string");
            }

            text.Append("\n    \t").Append(usage);
            if (def is not null)
            {
                text.Append(" (default ").Append(def).Append(')');
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    private static StaticMember ParseMember(string entry)
    {
        int eq = entry.IndexOf('=', StringComparison.Ordinal);
        return eq > 0 && eq < entry.Length - 1 && !entry.Contains("://", StringComparison.Ordinal)
            ? new StaticMember(entry[..eq].Trim(), entry[(eq + 1)..].Trim())
            : throw new UsageException($"-member '{entry}': give name=host (a DNS name or IP, no scheme or port)");
    }

    private static string? Scheme(string flag, string? value) => value?.ToLowerInvariant() switch
    {
        null => null,
        "http" or "https" => value.ToLowerInvariant(),
        _ => throw new UsageException($"the scheme {value} for -{flag} is invalid (http or https)"),
    };

    private static TimeSpan? Duration(string flag, string? value, bool allowZero = false)
    {
        if (value is null)
        {
            return null;
        }

        if (!Durations.TryParse(value, out var d) || d < TimeSpan.Zero || (!allowZero && d == TimeSpan.Zero))
        {
            throw new UsageException($"-{flag}: '{value}' is not a {(allowZero ? string.Empty : "positive ")}duration such as 30s or 2m");
        }

        return d;
    }

    private static UnixFileMode Mode(string value) =>
        Tend.Core.Files.FileModes.TryParseOctal(value, out var mode) ? mode : throw new UsageException($"-file-mode: '{value}' is not an octal mode such as 0444");

    private static void CheckGlog(Dictionary<string, List<string>> values)
    {
        // Accepted for compatibility, but a value glog itself would refuse is still a mistake on the command line.
        if (values.TryGetValue("stderrthreshold", out var t)
            && t[^1].ToUpperInvariant() is not ("INFO" or "WARNING" or "ERROR" or "FATAL" or "0" or "1" or "2" or "3"))
        {
            throw new UsageException($"-stderrthreshold: '{t[^1]}' is not INFO, WARNING, ERROR, FATAL or 0-3");
        }

        if (values.TryGetValue("vmodule", out var vm) && vm[^1].Length > 0
            && vm[^1].Split(',').Any(p => p.Split('=') is not [{ Length: > 0 }, var n] || !int.TryParse(n, System.Globalization.CultureInfo.InvariantCulture, out _)))
        {
            throw new UsageException($"-vmodule: '{vm[^1]}' is not pattern=N,...");
        }

        if (values.TryGetValue("log_backtrace_at", out var bt) && bt[^1].Length > 0 && bt[^1] != ":0"
            && (bt[^1].Split(':') is not [{ Length: > 0 }, var line] || !int.TryParse(line, System.Globalization.CultureInfo.InvariantCulture, out _)))
        {
            throw new UsageException($"-log_backtrace_at: '{bt[^1]}' is not file:N");
        }
    }
}
