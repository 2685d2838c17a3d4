using Tend.Core.Config;
using Tend.Core.Files;
using Tend.Core.Kv;

namespace Tend.Modules.Render.Config;

/// <summary>
/// Reads one render resource table — tend.toml's <c>[[render.template]]</c> or a confd
/// <c>[template]</c> — into a <see cref="RenderResourceOptions"/>, with positioned errors.
/// </summary>
internal static class RenderResourceReader
{
    /// <summary>Every key a resource table accepts.</summary>
    public static readonly string[] ResourceKeys =
    [
        "id", "src", "dest", "keys", "prefix", "mode", "uid", "gid", "owner", "group", "check_cmd", "reload_cmd",
        "check_timeout", "reload_timeout", "wait", "backup", "create_dest_dirs", "missing_key",
        "template_timeout", "max_output", "max_memory", "fsync",
    ];

    /// <param name="s">The table.</param>
    /// <param name="templatesDir">Where relative <c>src</c> paths are found.</param>
    /// <param name="baseDir">Where relative <c>dest</c> paths are anchored.</param>
    /// <param name="missingKey">The <c>missing_key</c> mode when the table does not set one.</param>
    public static RenderResourceOptions ReadResource(TomlSection s, string templatesDir, string baseDir, RenderMissingKey missingKey = RenderMissingKey.Error)
    {
        var src = Required(s, "src");
        var dest = Required(s, "dest");
        var keys = s.StringList("keys") ?? throw s.Error("keys", $"{s.Name} needs keys = [\"/some/prefix\", ...]");
        if (keys.Count == 0)
        {
            throw s.Error("keys", $"{s.Name} keys must name at least one key");
        }

        // A missing template is that resource's failure, reported when it renders (confd does the
        // same): it never refuses the configuration, so every other resource still renders.
        var source = Path.GetFullPath(src, templatesDir);

        var destination = Path.GetFullPath(dest, baseDir);
        var options = new RenderResourceOptions
        {
            Id = s.String("id") ?? Path.GetFileName(destination),
            IdFromConfig = s.Has("id"),
            Origin = $"{s.File}:{s.Position.Line}",
            Source = source,
            Destination = destination,
            Keys = keys.Select(k => Key(s, "keys", k)).ToList(),
            Prefix = Key(s, "prefix", s.String("prefix") ?? KeyPath.Root),
            Mode = Mode(s),
            Uid = Id(s, "uid", "owner", UnixAccounts.TryGetUid, "user"),
            Gid = Id(s, "gid", "group", UnixAccounts.TryGetGid, "group"),
            CheckCommand = NonEmpty(s.String("check_cmd")),
            ReloadCommand = NonEmpty(s.String("reload_cmd")),
            CheckTimeout = Positive(s, "check_timeout"),
            ReloadTimeout = Positive(s, "reload_timeout"),
            Wait = s.Wait("wait"),
            Backup = s.Bool("backup") ?? false,
            CreateDestDirs = s.Bool("create_dest_dirs") ?? false,
            Fsync = s.Bool("fsync"),
            MissingKey = s.Choice("missing_key", "error", "zero", "default") switch
            {
                "zero" => RenderMissingKey.Zero,
                "default" => RenderMissingKey.Default,
                "error" => RenderMissingKey.Error,
                _ => missingKey,
            },
            TemplateTimeout = RenderLimits.ReadTimeout(s),
            MaxOutput = RenderLimits.ReadMaxOutput(s),
            MaxMemory = RenderLimits.ReadMaxMemory(s),
        };
        s.RejectUnknownKeys(ResourceKeys);
        return options;
    }

    /// <summary>
    /// Rejects a second resource writing the same destination, naming both declarations, and makes
    /// ids unique: the id labels <c>/status</c> entries and <c>/metrics</c> series, and two alike make
    /// Prometheus refuse the whole scrape. An id the operator wrote twice is an error; a default id
    /// (the destination's file name, a conf.d file's name) that another resource also has becomes the
    /// destination's full path.
    /// </summary>
    /// <exception cref="ConfigException">Two resources write one destination, or two explicit ids are equal.</exception>
    public static List<RenderResourceOptions> CheckDestinationsAndIds(IEnumerable<RenderResourceOptions> resources)
    {
        var list = resources.ToList();
        var seen = new Dictionary<string, RenderResourceOptions>(StringComparer.Ordinal);
        foreach (var r in list)
        {
            if (seen.TryGetValue(r.Destination, out var first))
            {
                throw new ConfigException(r.Origin, 0, 0, $"dest {r.Destination} is already written by the resource declared at {first.Origin}");
            }

            seen.Add(r.Destination, r);
        }

        var explicitIds = new Dictionary<string, RenderResourceOptions>(StringComparer.Ordinal);
        foreach (var r in list.Where(r => r.IdFromConfig))
        {
            if (!explicitIds.TryAdd(r.Id, r))
            {
                throw new ConfigException(r.Origin, 0, 0, $"id \"{r.Id}\" is already used by the resource declared at {explicitIds[r.Id].Origin}; ids must be unique");
            }
        }

        var counts = list.GroupBy(r => r.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        for (int i = 0; i < list.Count; i++)
        {
            var r = list[i];
            if (!r.IdFromConfig && counts[r.Id] > 1)
            {
                if (explicitIds.TryGetValue(r.Destination, out var holder))
                {
                    throw new ConfigException(r.Origin, 0, 0, $"the default id \"{r.Id}\" is shared and its dest path is the id of the resource declared at {holder.Origin}; set id = \"...\"");
                }

                list[i] = r with { Id = r.Destination };
            }
        }

        return list;
    }

    private static string Required(TomlSection s, string key) =>
        NonEmpty(s.String(key)) ?? throw s.Error(key, $"{s.Name} needs {key} = \"...\"");

    private static string? NonEmpty(string? v) => string.IsNullOrWhiteSpace(v) ? null : v;

    private static string Key(TomlSection s, string key, string value)
    {
        try
        {
            return KeyPath.Normalize(value);
        }
        catch (ArgumentException ex)
        {
            throw s.Error(key, $"{s.Name} {key}: {ex.Message}");
        }
    }

    private static UnixFileMode? Mode(TomlSection s)
    {
        var text = s.String("mode");
        if (text is null)
        {
            return null;
        }

        return FileModes.TryParseOctal(text, out var mode)
            ? mode
            : throw s.Error("mode", $"{s.Name} mode must be an octal string such as \"0644\", not \"{text}\"");
    }

    private delegate bool Lookup(string name, out int id);

    private static int? Id(TomlSection s, string idKey, string nameKey, Lookup lookup, string what)
    {
        var id = s.Int(idKey, 0, int.MaxValue);
        var name = s.String(nameKey);
        if (id is not null && name is not null)
        {
            throw s.Error(nameKey, $"{s.Name} {idKey} and {nameKey} both set; use one");
        }

        if (name is null)
        {
            return id;
        }

        return lookup(name, out var found) ? found : throw s.Error(nameKey, $"{s.Name} {nameKey}: no such {what} \"{name}\"");
    }

    /// <summary>An optional duration that must be more than zero.</summary>
    public static TimeSpan? Positive(TomlSection s, string key)
    {
        var d = s.Duration(key);
        return d is { } v && v <= TimeSpan.Zero ? throw s.Error(key, $"{s.Name} {key} must be greater than zero") : d;
    }
}
