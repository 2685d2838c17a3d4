using System.CommandLine;
using Tend.Core.Config;
using Tend.Core.Kv;
using Tend.Core.Processes;
using Tend.Hosting;
using Tend.Logging;
using Tend.Modules.Render;
using Tend.Modules.Render.Config;

namespace Tend.Cli;

/// <summary>
/// <c>tend consul-template</c>: consul-template's command line taken as it is (Go's flag syntax): <c>-template</c>,
/// <c>-config</c> (HCL, file or directory), <c>-once</c>, <c>-dry</c>, <c>-wait</c>, <c>-consul-*</c>, <c>-exec*</c> …
/// Installed as (or symlinked to) <c>consul-template</c>, Tend runs this for any command line. The store is Consul
/// unless tend.toml (<c>-tend-config</c>, or the default file) or <c>-store</c>/<c>-endpoint</c>/<c>-file</c> say otherwise.
/// </summary>
internal static class ConsulTemplateCommand
{
    public const string Name = "consul-template";

    /// <summary>consul-template's flags and Tend's additions.</summary>
    internal static GoFlagParser Flags { get; } = new GoFlagParser()
        .Add("template", GoFlagParser.Kind.String, "adds a template: \"source:destination[:command]\" (repeatable)", repeatable: true)
        .Add("config", GoFlagParser.Kind.String, "an HCL configuration file or directory (repeatable; a directory's files merge in lexical order)", repeatable: true)
        .Add("once", GoFlagParser.Kind.Bool, "render every template once and exit (0 only when all succeeded)")
        .Add("dry", GoFlagParser.Kind.Bool, "print each rendered template to stdout as \"> destination\" and its text; write nothing, run no command")
        .Add("wait", GoFlagParser.Kind.String, "the default quiescence of every template, \"min:max\" or \"min\" (e.g. 5s:10s)")
        .Add("consul-addr", GoFlagParser.Kind.String, "the Consul agent's address (default: CONSUL_HTTP_ADDR, else 127.0.0.1:8500)")
        .Add("consul-token", GoFlagParser.Kind.String, "the Consul ACL token (default: CONSUL_HTTP_TOKEN)")
        .Add("consul-auth", GoFlagParser.Kind.String, "HTTP basic auth for Consul, \"username[:password]\"")
        .Add("consul-ssl", GoFlagParser.Kind.Bool, "use https for a Consul address given without a scheme")
        .Add("consul-ssl-verify", GoFlagParser.Kind.Bool, "verify Consul's certificate (default true)")
        .Add("consul-ssl-cert", GoFlagParser.Kind.String, "client certificate (PEM) for Consul")
        .Add("consul-ssl-key", GoFlagParser.Kind.String, "client key (PEM) for Consul")
        .Add("consul-ssl-ca-cert", GoFlagParser.Kind.String, "CA bundle (PEM) for Consul")
        .Add("max-stale", GoFlagParser.Kind.String, "more than 0 reads Consul with stale consistency")
        .Add("log-level", GoFlagParser.Kind.String, "trace, debug, info, warn, err")
        .Add("kill-signal", GoFlagParser.Kind.String, "the signal that stops Tend gracefully (SIGINT or SIGTERM; both always do)")
        .Add("reload-signal", GoFlagParser.Kind.String, "the signal that re-reads the configuration (SIGHUP)")
        .Add("pid-file", GoFlagParser.Kind.String, "write Tend's process id to this file (removed at exit)")
        .Add("exec", GoFlagParser.Kind.String, "run and supervise this command once every template has rendered")
        .Add("exec-splay", GoFlagParser.Kind.String, "the longest random delay before the child's reload signal")
        .Add("exec-reload-signal", GoFlagParser.Kind.String, "the signal sent to the child after a render changed a file (default: restart it)")
        .Add("exec-kill-signal", GoFlagParser.Kind.String, "the signal that stops the child", "SIGTERM")
        .Add("exec-kill-timeout", GoFlagParser.Kind.String, "how long the child may take to stop before SIGKILL", "30s")
        .Add("exec-env-pristine", GoFlagParser.Kind.Bool, "start the child with only the custom variables")
        .Add("exec-env-custom", GoFlagParser.Kind.String, "a NAME=value for the child (repeatable)", repeatable: true)
        .Add("exec-env-allowlist", GoFlagParser.Kind.String, "pass only inherited variables matching this pattern (repeatable)", repeatable: true)
        .Add("exec-env-denylist", GoFlagParser.Kind.String, "never pass inherited variables matching this pattern (repeatable)", repeatable: true)
        .Add("version", GoFlagParser.Kind.Bool, "print the version and exit")
        .Add("v", GoFlagParser.Kind.Bool, "print the version and exit")

        // Tend's additions: the store is any of Tend's, not only Consul.
        .Add("tend-config", GoFlagParser.Kind.String, $"Tend's configuration file, for [store] and [log] (default: {TendConfig.DefaultPath} when it exists)")
        .Add("store", GoFlagParser.Kind.String, "store kind: " + string.Join(", ", KvStoreKinds.All) + " (default: consul)")
        .Add("endpoint", GoFlagParser.Kind.String, "store endpoint (repeatable)", repeatable: true)
        .Add("file", GoFlagParser.Kind.String, "data file of the file store (repeatable)", repeatable: true)
        .Add("prefix", GoFlagParser.Kind.String, "key prefix joined in front of every key");

    /// <summary>The entry in <c>tend --help</c>; the command line itself is read by <see cref="RunAsync"/>.</summary>
    public static Command Create()
    {
        var command = new Command(Name, "Render templates and supervise a process with consul-template's command line and HCL configuration, on any store ('tend consul-template -help' lists the flags)")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction(_ => ExitCodes.Usage);
        return command;
    }

    /// <summary>The index of <c>consul-template</c> when it is the command of <paramref name="args"/>, else -1.</summary>
    public static int Find(string[] args) => GoFlagParser.FindCommand(args, Name);

    /// <summary>Runs consul-template's command line; the exit code.</summary>
    public static async Task<int> RunAsync(string[] args, int at, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        var values = Flags.Parse(TendGlobals(args.Take(at)).Concat(args.Skip(at + 1)));
        if (values is null)
        {
            await Console.Error.WriteAsync(Usage()).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        if (values.ContainsKey("version") || values.ContainsKey("v"))
        {
            await Console.Out.WriteLineAsync($"tend {TendVersion.Value} (consul-template command line)").ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        var (config, once, pidFile) = Resolve(values);
        if (pidFile is not null)
        {
            await File.WriteAllTextAsync(pidFile, $"{Environment.ProcessId}\n", cancellationToken).ConfigureAwait(false);
        }

        try
        {
            if (!once)
            {
                return await RunCommand.RunDaemonAsync(config, () => Resolve(values).Config, cancellationToken).ConfigureAwait(false);
            }

            return await RunOnceAsync(config, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (pidFile is not null)
            {
                File.Delete(pidFile);
            }
        }
    }

    private static async Task<int> RunOnceAsync(TendConfig config, CancellationToken cancellationToken)
    {
        using var loggers = TendLogging.CreateFactory(config.Log);
        await using var store = GlobalOptions.OpenStore(config.Store, loggers);
        var options = RenderConfigReader.OptionsOf(config);
        await using var module = RenderModule.Create(options, store, null, ShellCommandRunner.Instance, loggers, Console.Out);
        module.KeepChangeDiffs = false; // nothing reads them before the process exits
        if (options.Exec is not { } exec || options.Dry)
        {
            return await module.RunOnceAsync(cancellationToken).ConfigureAwait(false) ? ExitCodes.Ok : ExitCodes.Failure;
        }

        // -once with exec: render once, run the child to its end, and exit with its status.
        using var reaper = ZombieReaper.StartIfInit();
        await using var supervisor = new ExecSupervisor(exec, loggers);

        // SIGTERM and SIGINT go to the child (the supervisor forwards them); Tend waits for it and takes its status.
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c => c.Cancel = true);
        using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, c => c.Cancel = true);
        supervisor.Attach(module);
        if (!await module.RunOnceAsync(cancellationToken).ConfigureAwait(false))
        {
            return ExitCodes.Failure;
        }

        return await supervisor.Exited.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The configuration the command line (and the HCL files it names) describes, and whether to run once.</summary>
    internal static (TendConfig Config, bool Once, string? PidFile) Resolve(Dictionary<string, List<string>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        string? Last(string name) => values.TryGetValue(name, out var v) ? v[^1] : null;
        List<string> All(string name) => values.TryGetValue(name, out var v) ? v : [];
        bool Flag(string name) => Last(name) == "true";

        var tendConfig = Last("tend-config");
        var config = tendConfig is not null ? TendConfigLoader.Load(tendConfig, ModuleReaders.All)
            : File.Exists(TendConfig.DefaultPath) ? TendConfigLoader.Load(TendConfig.DefaultPath, ModuleReaders.All)
            : new TendConfig { Store = new KvStoreOptions { Kind = KvStoreKinds.Consul } };

        var ct = new ConsulTemplateConfig();
        foreach (var path in All("config"))
        {
            if (!File.Exists(path) && !Directory.Exists(path))
            {
                throw new UsageException($"-config {path}: no such file or directory");
            }

            ct = ConsulTemplateConfigLoader.Load(path, ct);
        }

        // Flags over the HCL, as consul-template merges them.
        ct = ct with
        {
            ConsulAddress = Last("consul-addr") ?? ct.ConsulAddress,
            ConsulToken = Last("consul-token") ?? ct.ConsulToken,
            ConsulTokenSource = Last("consul-token") is null ? ct.ConsulTokenSource : "-consul-token",
            ConsulSsl = Last("consul-ssl") is { } ssl ? ssl == "true" : ct.ConsulSsl,
            ConsulSslVerify = Last("consul-ssl-verify") is { } verify ? verify == "true" : ct.ConsulSslVerify,
            ConsulCert = Last("consul-ssl-cert") ?? ct.ConsulCert,
            ConsulKey = Last("consul-ssl-key") ?? ct.ConsulKey,
            ConsulCaCert = Last("consul-ssl-ca-cert") ?? ct.ConsulCaCert,
            MaxStale = Last("max-stale") is { } stale ? Duration("max-stale", stale) : ct.MaxStale,
        };
        if (Last("consul-auth") is { } auth)
        {
            var parts = auth.Split(':', 2);
            ct = ct with { ConsulUsername = parts[0], ConsulPassword = parts.Length > 1 ? parts[1] : null };
        }

        var store = Store(config.Store, values);
        store = ct.ApplyTo(store);
        if (Last("prefix") is { } prefix)
        {
            store = store with { Prefix = KeyPath.Normalize(prefix) };
        }

        var log = config.Log;
        if ((Last("log-level") ?? ct.LogLevel) is { } level)
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

        CheckSignal("kill-signal", Last("kill-signal") ?? ct.KillSignal, "SIGINT", "SIGTERM");
        CheckSignal("reload-signal", Last("reload-signal") ?? ct.ReloadSignal, "SIGHUP");

        var templates = ct.Templates.Concat(All("template").Select(ConsulTemplateConfigLoader.ParseTemplateFlag)).ToList();
        if (templates.Count == 0)
        {
            throw new UsageException("no templates: give -template \"source:destination[:command]\" or a template { } block in a -config file");
        }

        var wait = Last("wait") is { } w
            ? (ChangeWait.TryParse(w, out var parsed, out var waitError) ? parsed : throw new UsageException($"-wait: {waitError}"))
            : ct.Wait ?? RenderConfigReader.OptionsOf(config).Wait;

        var render = RenderConfigReader.OptionsOf(config) with
        {
            Templates = RenderResourceSet.Combine(templates),
            Wait = wait,
            Dry = Flag("dry"),
            Exec = Exec(values, ct.Exec),
            Interval = null,
        };
        return (config.WithModule(RenderConfigReader.SectionName, render) with { Store = store, Log = log }, Flag("once"), Last("pid-file") ?? ct.PidFile);
    }

    private static KvStoreOptions Store(KvStoreOptions store, Dictionary<string, List<string>> values)
    {
        var kind = values.TryGetValue("store", out var k) ? k[^1].ToLowerInvariant() : null;
        var endpoints = values.TryGetValue("endpoint", out var e) ? e : [];
        var files = values.TryGetValue("file", out var f) ? f : [];
        if (kind is not null && kind != store.Kind)
        {
            store = store with { Kind = kind, Endpoints = [], Files = [] };
        }
        else if (kind is null && files.Count > 0 && endpoints.Count == 0)
        {
            store = store with { Kind = KvStoreKinds.File };
        }

        if (endpoints.Count > 0)
        {
            store = store with { Endpoints = endpoints };
        }

        if (files.Count > 0)
        {
            store = store with { Files = files.Select(Path.GetFullPath).ToList() };
        }

        return store;
    }

    private static RenderExecOptions? Exec(Dictionary<string, List<string>> values, RenderExecOptions? fromConfig)
    {
        string? Last(string name) => values.TryGetValue(name, out var v) ? v[^1] : null;
        var command = Last("exec");
        if (command is null && fromConfig is null)
        {
            if (values.Keys.FirstOrDefault(k => k.StartsWith("exec-", StringComparison.Ordinal)) is { } stray)
            {
                throw new UsageException($"-{stray} needs -exec (or an exec block in the configuration)");
            }

            return null;
        }

        IReadOnlyList<string> words;
        try
        {
            words = command is null ? fromConfig!.Command : ShellWords.Split(command);
        }
        catch (FormatException ex)
        {
            throw new UsageException($"-exec: {ex.Message}");
        }

        if (words.Count == 0)
        {
            throw new UsageException("-exec must not be empty");
        }

        var exec = fromConfig ?? new RenderExecOptions { Command = words, Origin = "-exec" };
        return exec with
        {
            Command = words,
            Splay = Last("exec-splay") is { } splay ? Duration("exec-splay", splay) : exec.Splay,
            ReloadSignal = Last("exec-reload-signal") is { } reload ? Signal("exec-reload-signal", reload) : exec.ReloadSignal,
            KillSignal = Last("exec-kill-signal") is { } kill ? Signal("exec-kill-signal", kill) : exec.KillSignal,
            KillTimeout = Last("exec-kill-timeout") is { } timeout ? Duration("exec-kill-timeout", timeout) : exec.KillTimeout,
            Pristine = Last("exec-env-pristine") is { } pristine ? pristine == "true" : exec.Pristine,
            Custom = [.. exec.Custom, .. CustomVariables(values)],
            Allowlist = [.. exec.Allowlist, .. values.GetValueOrDefault("exec-env-allowlist") ?? []],
            Denylist = [.. exec.Denylist, .. values.GetValueOrDefault("exec-env-denylist") ?? []],
        };
    }

    private static List<string> CustomVariables(Dictionary<string, List<string>> values)
    {
        var custom = values.GetValueOrDefault("exec-env-custom") ?? [];
        return custom.FirstOrDefault(c => c.IndexOf('=', StringComparison.Ordinal) <= 0) is { } bad
            ? throw new UsageException($"-exec-env-custom \"{bad}\" must be NAME=value")
            : custom;
    }

    private static TimeSpan Duration(string flag, string text) =>
        Durations.TryParse(text, out var value, out var error) ? value : throw new UsageException($"-{flag} {error}");

    private static string Signal(string flag, string name) =>
        SignalNames.Canonical(name) ?? throw new UsageException($"-{flag}: unknown signal \"{name}\" ({SignalNames.Known})");

    /// <summary>Tend stops on SIGINT and SIGTERM and reloads on SIGHUP; another signal for those roles is refused, not ignored.</summary>
    private static void CheckSignal(string flag, string? name, params string[] supported)
    {
        if (name is null)
        {
            return;
        }

        var canonical = Signal(flag, name);
        if (!supported.Contains(canonical, StringComparer.Ordinal))
        {
            throw new UsageException($"{flag} {canonical} is not supported: Tend stops on SIGINT and SIGTERM and reloads its configuration on SIGHUP");
        }
    }

    /// <summary>Tend's global options written before the command (<c>tend --config tend.toml consul-template …</c>), in this parser's names.</summary>
    private static IEnumerable<string> TendGlobals(IEnumerable<string> before)
    {
        foreach (var arg in before)
        {
            // Flags are renamed (--config is tend.toml here, -config the HCL); their values pass as they are.
            var body = arg.TrimStart('-');
            yield return !arg.StartsWith('-') ? arg : body.StartsWith("config", StringComparison.Ordinal) ? "-tend-" + body : "-" + body;
        }
    }

    private static string Usage()
    {
        var sb = new System.Text.StringBuilder("Usage: consul-template [flags]  (or: tend consul-template [flags])\n\n");
        foreach (var (name, kind, usage, def) in Flags.Flags)
        {
            sb.Append("  -").Append(name).Append(kind == GoFlagParser.Kind.Bool ? string.Empty : " value").Append('\n')
              .Append("        ").Append(usage).Append(def is null ? string.Empty : $" (default {def})").Append('\n');
        }

        return sb.ToString();
    }
}
