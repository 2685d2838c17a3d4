using Tend.Core.Config;
using Tend.Core.Processes;

namespace Tend.Modules.Render.Config;

/// <summary>
/// Reads <c>[render]</c> from tend.toml: the defaults of every resource, the <c>[[render.template]]</c>
/// resources, the drop-in sources they are joined with (a confd <c>confdir</c>, a reconfig <c>cfgdir</c>,
/// a consul-template <c>consul_template</c> HCL file or directory) and <c>[render.exec]</c>. The drop-ins
/// are read with the file, so a SIGHUP re-reads them too. Every bad value is reported at its line and column.
/// </summary>
public sealed class RenderConfigReader : IModuleConfigReader
{
    /// <summary>The section's name in tend.toml.</summary>
    public const string SectionName = "render";

    private static readonly string[] RenderKeys =
    [
        "wait", "interval", "check_timeout", "reload_timeout", "sync_only", "keep_stage_file", "noop", "confdir", "cfgdir",
        "fsync", "templates_dir", "template", "template_timeout", "max_output", "max_memory", "consul_template", "exec",
    ];

    private static readonly string[] ExecKeys = ["command", "splay", "reload_signal", "kill_signal", "kill_timeout", "pristine", "custom", "allowlist", "denylist"];

    /// <inheritdoc />
    public string Section => SectionName;

    /// <summary>The render options of <paramref name="config"/>: its <c>[render]</c> section, or the defaults (no resources) when it has none.</summary>
    public static RenderOptions OptionsOf(TendConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Module<RenderOptions>(SectionName) ?? new RenderOptions();
    }

    /// <inheritdoc />
    public object Read(TomlSection section, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(section);
        var s = section;
        var o = new RenderOptions();
        var confdir = s.String("confdir") is { } c ? Path.GetFullPath(c, baseDirectory) : null;
        var cfgdir = s.String("cfgdir") is { } g ? Path.GetFullPath(g, baseDirectory) : null;
        var templatesDir = s.String("templates_dir") is { } t ? Path.GetFullPath(t, baseDirectory) : baseDirectory;
        o = o with
        {
            Wait = s.Wait("wait") ?? o.Wait,
            Interval = RenderResourceReader.Positive(s, "interval"),
            CheckTimeout = RenderResourceReader.Positive(s, "check_timeout") ?? o.CheckTimeout,
            ReloadTimeout = RenderResourceReader.Positive(s, "reload_timeout") ?? o.ReloadTimeout,
            SyncOnly = s.Bool("sync_only") ?? false,
            KeepStageFile = s.Bool("keep_stage_file") ?? false,
            Fsync = s.Bool("fsync") ?? o.Fsync,
            Noop = s.Bool("noop") ?? false,
            Confdir = confdir,
            Cfgdir = cfgdir,
            Limits = RenderLimits.Read(s, o.Limits),
        };

        var templates = new List<RenderResourceOptions>();
        foreach (var table in s.Tables("template"))
        {
            templates.Add(RenderResourceReader.ReadResource(table, templatesDir, baseDirectory));
        }

        var exec = ReadExec(s.Table("exec"));
        var consulTemplate = s.String("consul_template") is { } ct ? Path.GetFullPath(ct, baseDirectory) : null;
        s.RejectUnknownKeys(RenderKeys);
        if (consulTemplate is not null)
        {
            if (!File.Exists(consulTemplate) && !Directory.Exists(consulTemplate))
            {
                throw s.Error("consul_template", $"[render] consul_template: no such file or directory: {consulTemplate}");
            }

            // Its templates join the others; its exec block applies unless [render.exec] is set.
            var loaded = ConsulTemplateConfigLoader.Load(consulTemplate);
            templates.AddRange(loaded.Templates);
            exec ??= loaded.Exec;
            o = o with { ConsulTemplate = consulTemplate, Wait = s.Has("wait") ? o.Wait : loaded.Wait ?? o.Wait };
        }

        o = o with { Exec = exec };
        if (confdir is not null)
        {
            templates.AddRange(ConfdConfdirLoader.LoadResources(confdir));
        }

        if (cfgdir is not null)
        {
            templates.AddRange(ReconfigCfgdirLoader.LoadResources(cfgdir));
        }

        if (exec is not null && templates.Count == 0)
        {
            // The child starts after the first complete render: without templates it would never start.
            throw new ConfigException(s.File, s.Position.Line, s.Position.Column, "[render.exec] needs templates to render: the child starts once every template has rendered");
        }

        return o with { Templates = RenderResourceReader.CheckDestinationsAndIds(templates) };
    }

    private static RenderExecOptions? ReadExec(TomlSection? s)
    {
        if (s is null)
        {
            return null;
        }

        string? Signal(string key) => s.String(key) is { } name
            ? SignalNames.Canonical(name) ?? throw s.Error(key, $"[render.exec] {key}: unknown signal \"{name}\" ({SignalNames.Known})")
            : null;

        // Every key is read before the unknown ones are reported, so a misspelt command is named as such.
        var list = s.StringList("command");
        var custom = s.StringList("custom") ?? [];
        var options = new RenderExecOptions
        {
            Command = [],
            Origin = $"{s.File}:{s.Position.Line}",
            Splay = s.Duration("splay") ?? TimeSpan.Zero,
            ReloadSignal = Signal("reload_signal"),
            KillSignal = Signal("kill_signal") ?? "SIGTERM",
            KillTimeout = RenderResourceReader.Positive(s, "kill_timeout") ?? TimeSpan.FromSeconds(30),
            Pristine = s.Bool("pristine") ?? false,
            Custom = custom,
            Allowlist = s.StringList("allowlist") ?? [],
            Denylist = s.StringList("denylist") ?? [],
        };
        s.RejectUnknownKeys(ExecKeys);
        if (custom.FirstOrDefault(c => c.IndexOf('=', StringComparison.Ordinal) <= 0) is { } bad)
        {
            throw s.Error("custom", $"[render.exec] custom: \"{bad}\" must be NAME=value");
        }

        IReadOnlyList<string> command;
        if (list is { Count: > 1 })
        {
            command = list;
        }
        else
        {
            var text = list is { Count: 1 } ? list[0] : throw s.Error("command", "[render.exec] needs command = \"program args\" (or a list of words)");
            try
            {
                command = ShellWords.Split(text);
            }
            catch (FormatException ex)
            {
                throw s.Error("command", $"[render.exec] command: {ex.Message}");
            }

            if (command.Count == 0)
            {
                throw s.Error("command", "[render.exec] command must not be empty");
            }
        }

        return options with { Command = command };
    }
}
