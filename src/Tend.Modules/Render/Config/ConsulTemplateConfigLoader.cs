using Tend.Core.Config;
using Tend.Core.Config.Hcl;
using Tend.Core.Kv;
using Tend.Core.Processes;

namespace Tend.Modules.Render.Config;

/// <summary>
/// Reads consul-template's HCL configuration into render resources with the consul-template data shape:
/// <c>consul</c>, <c>template</c> (repeatable), <c>wait</c>, <c>exec</c>, <c>log_level</c>, <c>pid_file</c>,
/// <c>kill_signal</c>, <c>reload_signal</c>, <c>max_stale</c>. A directory's files are merged in lexical order
/// (later settings win, templates add up). Errors are <see cref="ConfigException"/>s at <c>file:line:column</c>.
/// </summary>
public static class ConsulTemplateConfigLoader
{
    /// <summary>consul-template's default <c>command_timeout</c>.</summary>
    public static readonly TimeSpan DefaultCommandTimeout = TimeSpan.FromSeconds(30);

    private static readonly string[] TopKeys =
        ["consul", "template", "wait", "exec", "log_level", "pid_file", "kill_signal", "reload_signal", "max_stale", "syslog", "vault", "deduplicate", "dedup"];

    private static readonly string[] ConsulKeys = ["address", "token", "auth", "ssl", "retry", "transport"];
    private static readonly string[] AuthKeys = ["enabled", "username", "password"];
    private static readonly string[] SslKeys = ["enabled", "verify", "cert", "key", "ca_cert", "ca_path", "server_name"];
    private static readonly string[] RetryKeys = ["enabled", "attempts", "backoff", "max_backoff"];
    private static readonly string[] TransportKeys = ["dial_keep_alive", "dial_timeout", "disable_keep_alives", "idle_conn_timeout", "max_idle_conns", "max_idle_conns_per_host", "tls_handshake_timeout"];

    private static readonly string[] TemplateKeys =
    [
        "source", "destination", "contents", "command", "command_timeout", "perms", "backup", "wait", "left_delimiter", "right_delimiter",
        "error_on_missing_key", "create_dest_dirs",
    ];

    private static readonly string[] WaitKeys = ["min", "max"];
    private static readonly string[] ExecKeys = ["enabled", "command", "splay", "reload_signal", "kill_signal", "kill_timeout", "env"];
    private static readonly string[] EnvKeys = ["pristine", "custom", "allowlist", "denylist", "whitelist", "blacklist"];

    /// <summary>Loads a file, or every file of a directory in lexical order (hidden files skipped).</summary>
    public static ConsulTemplateConfig Load(string path, ConsulTemplateConfig? over = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var config = over ?? new ConsulTemplateConfig();
        if (Directory.Exists(path))
        {
            foreach (var file in Directory.GetFiles(path).Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal))
            {
                config = LoadFile(file, config);
            }

            return config;
        }

        return LoadFile(path, config);
    }

    private static ConsulTemplateConfig LoadFile(string file, ConsulTemplateConfig over)
    {
        return Parse(file, ConfigFiles.ReadAllText(file, "the consul-template configuration"), over);
    }

    /// <summary>Reads one file's text over <paramref name="over"/> (its settings win; its templates are added).</summary>
    public static ConsulTemplateConfig Parse(string file, string text, ConsulTemplateConfig? over = null)
    {
        ArgumentNullException.ThrowIfNull(file);
        var root = new HclSection(file, "the configuration", HclParser.Parse(file, text), TopKeys, ["template"]);
        var config = over ?? new ConsulTemplateConfig();
        foreach (var unsupported in new[] { "vault", "deduplicate", "dedup" })
        {
            if (root.Entry(unsupported) is { } e)
            {
                throw root.Error(e, $"\"{unsupported}\" is not supported by Tend (it reads the KV store and Consul's catalog; Vault secrets and de-duplication are not offered)");
            }
        }

        if (root.Entry("syslog") is { } syslog)
        {
            throw root.Error(syslog, "\"syslog\": set [log] syslog in tend.toml instead (consul-template's syslog block is not read)");
        }

        config = ReadConsul(root, config);
        var wait = Wait(root, "wait") ?? config.Wait;
        var templates = config.Templates.ToList();
        int n = templates.Count;
        foreach (var (entry, body) in root.Blocks("template"))
        {
            templates.Add(ReadTemplate(new HclSection(file, $"template #{++n}", body, TemplateKeys), entry));
        }

        return config with
        {
            Wait = wait,
            Templates = templates,
            LogLevel = root.String("log_level") ?? config.LogLevel,
            PidFile = root.String("pid_file") ?? config.PidFile,
            KillSignal = Signal(root, "kill_signal") ?? config.KillSignal,
            ReloadSignal = Signal(root, "reload_signal") ?? config.ReloadSignal,
            MaxStale = root.Duration("max_stale") ?? config.MaxStale,
            Exec = ReadExec(root) ?? config.Exec,
        };
    }

    /// <summary>
    /// One <c>-template "source:destination[:command]"</c>: everything after the second colon is the command
    /// (it may hold colons itself). Relative paths are anchored at the working directory, as consul-template does.
    /// </summary>
    /// <exception cref="ConfigException">No destination.</exception>
    public static RenderResourceOptions ParseTemplateFlag(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var parts = spec.Split(':', 3);
        if (parts.Length < 2 || parts[0].Length == 0 || parts[1].Length == 0)
        {
            throw new ConfigException($"-template \"{spec}\": expected \"source:destination[:command]\"");
        }

        var source = Path.GetFullPath(parts[0]);
        var destination = Path.GetFullPath(parts[1]);
        return Resource(source, destination, $"-template \"{spec}\"") with
        {
            ReloadCommand = parts.Length == 3 && parts[2].Trim().Length > 0 ? parts[2] : null,
            ReloadTimeout = DefaultCommandTimeout,
        };
    }

    private static RenderResourceOptions Resource(string source, string destination, string origin) => new()
    {
        Id = Path.GetFileName(destination),
        Origin = origin,
        Source = source,
        Destination = destination,
        Shape = RenderDataShape.ConsulTemplate,

        // consul-template's paths are relative to the KV root; which keys a template reads is known only as it runs.
        Keys = [KeyPath.Root],
        Prefix = KeyPath.Root,
        CreateDestDirs = true,

        // consul-template sets missingkey=zero unless error_on_missing_key is set (a map of interface values still prints "<no value>", as Go does).
        MissingKey = RenderMissingKey.Zero,
    };

    private static RenderResourceOptions ReadTemplate(HclSection s, HclEntry entry)
    {
        var origin = $"{s.File}:{entry.Line}";
        var source = s.String("source");
        var contents = s.String("contents");
        var destination = s.String("destination");
        if (source is not null && contents is not null)
        {
            throw s.Error(s.Entry("contents")!, $"{s.Name} sets both source and contents: give one");
        }

        if (source is null && contents is null)
        {
            throw new ConfigException(s.File, entry.Line, entry.Column, $"{s.Name} needs source = \"path\" or contents = \"...\"");
        }

        if (string.IsNullOrEmpty(destination))
        {
            throw new ConfigException(s.File, entry.Line, entry.Column, $"{s.Name} needs destination = \"path\"");
        }

        string sourcePath = source is null ? Path.GetFullPath(s.File) : Path.GetFullPath(source);
        if (source is not null && !File.Exists(sourcePath))
        {
            throw s.Error(s.Entry("source")!, $"{s.Name} source: no such template: {sourcePath}");
        }

        var left = s.String("left_delimiter");
        var right = s.String("right_delimiter");
        foreach (var (key, value) in new[] { ("left_delimiter", left), ("right_delimiter", right) })
        {
            if (value is { Length: 0 })
            {
                throw s.Error(s.Entry(key)!, $"{s.Name} {key} must not be empty");
            }
        }

        var timeout = s.Duration("command_timeout");
        if (timeout is { } t && t <= TimeSpan.Zero)
        {
            throw s.Error(s.Entry("command_timeout")!, $"{s.Name} command_timeout must be more than zero");
        }

        return Resource(sourcePath, Path.GetFullPath(destination), origin) with
        {
            Contents = contents,
            ReloadCommand = Command(s),
            ReloadTimeout = timeout ?? DefaultCommandTimeout,
            Mode = Perms(s),
            Backup = s.Bool("backup") ?? false,
            Wait = Wait(s, "wait"),
            LeftDelimiter = left,
            RightDelimiter = right,
            MissingKey = s.Bool("error_on_missing_key") == true ? RenderMissingKey.Error : RenderMissingKey.Zero,
            CreateDestDirs = s.Bool("create_dest_dirs") ?? true,
        };
    }

    // A command is a string run by the shell, or (later consul-template releases) a list of words.
    private static string? Command(HclSection s)
    {
        if (s.Entry("command") is not { } e)
        {
            return null;
        }

        if (e.Value.Kind == HclKind.List)
        {
            var words = s.StringList("command")!;
            return words.Count == 0 ? null : ShellWords.CommandLine(words[0], words.Skip(1));
        }

        var text = s.String("command")!;
        return text.Trim().Length == 0 ? null : text;
    }

    private static UnixFileMode? Perms(HclSection s)
    {
        if (s.Entry("perms") is not { } e)
        {
            return null;
        }

        long mode;
        if (e.Value.Kind == HclKind.String)
        {
            // "0644" is octal, as consul-template reads the string form.
            var text = e.Value.Text;
            if (text.Length == 0 || !text.All(c => c is >= '0' and <= '7'))
            {
                throw s.Error(e, $"{s.Name} perms must be an octal mode such as \"0644\", not \"{text}\"");
            }

            mode = Convert.ToInt64(text, 8);
        }
        else if (!e.Value.TryInteger(out mode))
        {
            throw s.Error(e, $"{s.Name} perms must be an octal mode such as 0644, not {e.Value.Describe()}");
        }

        return mode is >= 0 and <= 0xFFF ? (UnixFileMode)mode : throw s.Error(e, $"{s.Name} perms {e.Value.Text} is not a file mode (at most 07777)");
    }

    private static ChangeWait? Wait(HclSection s, string key)
    {
        if (s.Entry(key) is not { } e)
        {
            return null;
        }

        if (e.Value.Kind == HclKind.String)
        {
            return ChangeWait.TryParse(e.Value.Text, out var w, out var error) ? w : throw s.Error(e, $"{s.Name} {error}");
        }

        var blocks = s.Blocks(key).ToList();
        var w2 = new HclSection(s.File, $"{s.Name} wait", blocks[^1].Body, WaitKeys);
        var min = w2.Duration("min") ?? TimeSpan.Zero;

        // As with "min" alone, max defaults to four times min.
        var max = w2.Duration("max") ?? (min * 4 < Durations.Maximum ? min * 4 : Durations.Maximum);
        return max >= min ? new ChangeWait(min, max) : throw s.Error(e, $"{s.Name} wait: max must not be smaller than min");
    }

    private static string? Signal(HclSection s, string key)
    {
        var name = s.String(key);
        if (name is null)
        {
            return null;
        }

        return SignalNames.Canonical(name) ?? throw s.Error(s.Entry(key)!, $"{s.Name} {key}: unknown signal \"{name}\" ({SignalNames.Known})");
    }

    private static ConsulTemplateConfig ReadConsul(HclSection root, ConsulTemplateConfig config)
    {
        foreach (var (_, body) in root.Blocks("consul"))
        {
            var c = new HclSection(root.File, "consul", body, ConsulKeys);
            config = config with
            {
                ConsulAddress = c.String("address") ?? config.ConsulAddress,
                ConsulToken = c.String("token") ?? config.ConsulToken,
                ConsulTokenSource = c.Entry("token") is { } t ? $"consul {{ token }} in {root.File}:{t.Line}" : config.ConsulTokenSource,
            };
            foreach (var (_, auth) in c.Blocks("auth"))
            {
                var a = new HclSection(root.File, "consul auth", auth, AuthKeys);
                if (a.Bool("enabled") ?? a.String("username") is not null)
                {
                    config = config with { ConsulUsername = a.String("username"), ConsulPassword = a.String("password") };
                }
            }

            foreach (var (_, ssl) in c.Blocks("ssl"))
            {
                var s = new HclSection(root.File, "consul ssl", ssl, SslKeys);
                if (s.Entry("ca_path") is { } caPath)
                {
                    throw s.Error(caPath, "consul ssl ca_path: give the CA bundle as ca_cert = \"file.pem\" (a directory of certificates is not read)");
                }

                config = config with
                {
                    ConsulSsl = s.Bool("enabled") ?? config.ConsulSsl,
                    ConsulSslVerify = s.Bool("verify") ?? config.ConsulSslVerify,
                    ConsulCert = s.String("cert") ?? config.ConsulCert,
                    ConsulKey = s.String("key") ?? config.ConsulKey,
                    ConsulCaCert = s.String("ca_cert") ?? config.ConsulCaCert,
                };
                _ = s.String("server_name");
            }

            // Accepted so existing files load: Tend's own reconnect backoff and connection handling apply.
            foreach (var (_, retry) in c.Blocks("retry"))
            {
                _ = new HclSection(root.File, "consul retry", retry, RetryKeys);
            }

            foreach (var (_, transport) in c.Blocks("transport"))
            {
                _ = new HclSection(root.File, "consul transport", transport, TransportKeys);
            }
        }

        return config;
    }

    private static RenderExecOptions? ReadExec(HclSection root)
    {
        var blocks = root.Blocks("exec").ToList();
        if (blocks.Count == 0)
        {
            return null;
        }

        var (entry, body) = blocks[^1];
        var s = new HclSection(root.File, "exec", body, ExecKeys);
        if (s.Bool("enabled") == false)
        {
            return null;
        }

        var command = ExecCommand(s) ?? throw new ConfigException(root.File, entry.Line, entry.Column, "exec needs command = \"program args\"");
        var options = new RenderExecOptions
        {
            Command = command,
            Origin = $"{root.File}:{entry.Line}",
            Splay = s.Duration("splay") ?? TimeSpan.Zero,
            ReloadSignal = Signal(s, "reload_signal"),
            KillSignal = Signal(s, "kill_signal") ?? "SIGTERM",
            KillTimeout = s.Duration("kill_timeout") ?? TimeSpan.FromSeconds(30),
        };
        foreach (var (_, env) in s.Blocks("env"))
        {
            var e = new HclSection(root.File, "exec env", env, EnvKeys);
            var custom = e.StringList("custom") ?? [];
            foreach (var item in custom)
            {
                if (!item.Contains('=', StringComparison.Ordinal) || item.StartsWith('='))
                {
                    throw e.Error(e.Entry("custom")!, $"exec env custom: \"{item}\" must be NAME=value");
                }
            }

            options = options with
            {
                Pristine = e.Bool("pristine") ?? false,
                Custom = custom,
                Allowlist = [.. e.StringList("allowlist") ?? [], .. e.StringList("whitelist") ?? []],
                Denylist = [.. e.StringList("denylist") ?? [], .. e.StringList("blacklist") ?? []],
            };
        }

        return options;
    }

    /// <summary>An exec command as words: a string split as the shell would (nothing expanded), or a list.</summary>
    private static IReadOnlyList<string>? ExecCommand(HclSection s)
    {
        if (s.Entry("command") is not { } e)
        {
            return null;
        }

        IReadOnlyList<string> words;
        if (e.Value.Kind == HclKind.String)
        {
            try
            {
                words = ShellWords.Split(e.Value.Text);
            }
            catch (FormatException ex)
            {
                throw s.Error(e, $"exec command: {ex.Message}");
            }
        }
        else
        {
            words = s.StringList("command")!;
        }

        return words.Count > 0 ? words : throw s.Error(e, "exec command must not be empty");
    }
}
