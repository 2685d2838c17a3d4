using System.CommandLine;
using Tend.Core.Config;
using Tend.Core.Kv;
using Tend.Core.Processes;
using Tend.Logging;
using Tend.Modules.Checks;
using Tend.Modules.Health;

namespace Tend.Cli;

/// <summary>
/// <c>tend check service|crontab|process|command|tcp|http</c>: powerconsul's checks. Each prints one
/// line and exits as a Nagios plugin or Consul script check: 0 passing, 1 warning, 2 critical, 3
/// unknown (the check could not run — bad arguments or configuration, cluster data that does not
/// parse, a store that does not answer). With <c>-S SERVICE</c> the node's role in
/// <c>cluster/ENV/SERVICE</c> decides what the resource's state means.
/// </summary>
internal static class CheckCommand
{
    public const string Name = "check";

    public static Command Create(GlobalOptions global)
    {
        var check = new Command(Name, "Check a resource once, print one line and exit 0 passing, 1 warning, 2 critical, 3 unknown (powerconsul check)");

        var linux = Required("-s", "--linux-service", "The system service, e.g. apache2");
        check.Subcommands.Add(Sub(global, "service", "A system service runs: systemctl is-active, or service NAME status (LSB) without systemd", [linux], p => new HealthCheckOptions
        {
            Kind = HealthCheckKind.Service,
            LinuxService = p.GetValue(linux),
        }));

        var user = Required("-u", "--user", "Whose crontab");
        var pattern = new Option<string?>("-p", "--pattern") { Description = "Text an active (uncommented) line must contain" };
        check.Subcommands.Add(Sub(global, "crontab", "A user's crontab exists (and contains a pattern)", [user, pattern], p => new HealthCheckOptions
        {
            Kind = HealthCheckKind.Crontab,
            User = p.GetValue(user),
            Pattern = p.GetValue(pattern),
        }));

        var nagios = Required("-n", "--nagios-args", "check_procs' arguments in one string, e.g. '-c 1:1 -C nginx'");
        check.Subcommands.Add(Sub(global, "process", "Nagios check_procs with these arguments (a native /proc scan serves -w, -c, -C, -a, -u without the plugin)", [nagios], p => new HealthCheckOptions
        {
            Kind = HealthCheckKind.Process,
            ProcessArguments = SplitArguments(p.GetValue(nagios)!),
        }));

        var cmd = new Argument<string>("command") { Description = "The shell command: exit 0 passing, 1 warning, 3 unknown, other critical" };
        check.Subcommands.Add(Sub(global, "command", "A shell command read as a Nagios plugin", [cmd], p => new HealthCheckOptions
        {
            Kind = HealthCheckKind.Command,
            Command = p.GetValue(cmd),
        }));

        var host = new Option<string>("--host") { Description = "Host to connect to", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "Port to connect to", Required = true };
        check.Subcommands.Add(Sub(global, "tcp", "A TCP connection opens", [host, port], p => new HealthCheckOptions
        {
            Kind = HealthCheckKind.Tcp,
            TcpHost = p.GetValue(host)!,
            Port = p.GetValue(port) is var n and >= 1 and <= 65535 ? n : throw new UsageException($"--port must be between 1 and 65535, not {p.GetValue(port)}"),
        }));

        var url = Required("--url", null, "The URL: 2xx or 3xx passes");
        var expect = new Option<string?>("--expect") { Description = "Text the body must contain" };
        check.Subcommands.Add(Sub(global, "http", "An HTTP GET answers 2xx or 3xx (with the expected text)", [url, expect], p => new HealthCheckOptions
        {
            Kind = HealthCheckKind.Http,
            HttpUrl = Uri.TryCreate(p.GetValue(url), UriKind.Absolute, out var u) && u.Scheme is "http" or "https" ? u.ToString() : throw new UsageException($"--url must be an http:// or https:// URL, not \"{p.GetValue(url)}\""),
            HttpExpect = p.GetValue(expect),
        }));
        return check;
    }

    /// <summary>True when <paramref name="parse"/> is a <c>tend check …</c> command, whose usage errors exit 3 (unknown), not 2.</summary>
    public static bool IsCheck(ParseResult parse)
    {
        for (var r = parse.CommandResult; r is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
        {
            if (r.Command.Name == Name && r.Parent is System.CommandLine.Parsing.CommandResult { Command: RootCommand })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Loads the configuration; <c>null</c> when the health section is absent.</summary>
    internal static HealthOptions HealthOf(TendConfig config) => config.Module<HealthOptions>("health") ?? new HealthOptions();

    /// <summary>Opens the configured store, or <c>null</c> when none is configured.</summary>
    internal static IKvStore? OpenStoreOrNull(TendConfig config, Microsoft.Extensions.Logging.ILoggerFactory loggers) =>
        config.Store.Kind == "file" && config.Store.Files.Count == 0 ? null : GlobalOptions.OpenStore(config.Store, loggers);

    private static Command Sub(GlobalOptions global, string name, string description, Symbol[] symbols, Func<ParseResult, HealthCheckOptions> build)
    {
        var service = new Option<string?>("-S", "--service") { Description = "The service (Consul's check or service name): reads this node's role from cluster/ENV/SERVICE" };
        var timeout = new Option<string>("--timeout") { Description = "How long the check may take", DefaultValueFactory = _ => "30s", HelpName = "DURATION" };
        var command = new Command(name, description) { service, timeout };
        foreach (var s in symbols)
        {
            switch (s)
            {
                case Option o:
                    command.Options.Add(o);
                    break;
                case Argument a:
                    command.Arguments.Add(a);
                    break;
            }
        }

        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var text = parse.GetValue(timeout)!;
                if (!Durations.TryParse(text, out var t) || t <= TimeSpan.Zero)
                {
                    throw new UsageException($"--timeout must be a duration such as 30s, not \"{text}\"");
                }

                var check = build(parse) with { Service = parse.GetValue(service), Timeout = t };
                var config = global.Resolve(parse);
                using var loggers = TendLogging.CreateFactory(config.Log);
                var store = check.Service is null ? null : OpenStoreOrNull(config, loggers);
                try
                {
                    var outcome = await HealthCommands.CheckAsync(check, HealthOf(config), store, cancellationToken: ct).ConfigureAwait(false);
                    Console.Out.WriteLine(OneLine(outcome.Result.Output));
                    return (int)outcome.Result.State;
                }
                finally
                {
                    if (store is not null)
                    {
                        await store.DisposeAsync().ConfigureAwait(false);
                    }
                }
            }
            catch (Exception ex) when (ex is HealthUnknownException or ConfigException or UsageException)
            {
                Console.Out.WriteLine(OneLine($"UNKNOWN: {ex.Message}"));
                return ExitCodes.Unknown;
            }
        });
        return command;
    }

    private static Option<string> Required(string name, string? alias, string description)
    {
        var o = alias is null ? new Option<string>(name) : new Option<string>(name, alias);
        o.Description = description;
        o.Required = true;
        return o;
    }

    private static IReadOnlyList<string> SplitArguments(string text)
    {
        try
        {
            return ShellWords.Split(text);
        }
        catch (FormatException ex)
        {
            throw new UsageException($"-n: {ex.Message}");
        }
    }

    private static string OneLine(string text) => string.Join(' ', text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
