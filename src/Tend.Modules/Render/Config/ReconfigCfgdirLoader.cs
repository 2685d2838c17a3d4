using System.Text.Json;
using Tend.Core.Config;
using Tend.Core.Kv;

namespace Tend.Modules.Render.Config;

/// <summary>
/// Reads a reconfig configuration directory: <c>&lt;cfgdir&gt;/conf.d/*.json</c> resources
/// (<c>id, source, target, key, recursive, checkcmd, reloadcmd</c>) with their templates in
/// <c>&lt;cfgdir&gt;/templates</c>. Their templates get a map key → value as the dot (Go templates) or
/// <c>@reconfigdata</c> (a <c>.erb</c> source, rendered by Ruby's ERB); checkcmd checks the installed target.
/// </summary>
public static class ReconfigCfgdirLoader
{
    private static readonly string[] Known = ["id", "source", "target", "key", "recursive", "checkcmd", "reloadcmd"];

    /// <summary>Reads every resource of <paramref name="cfgdir"/>, in file name order.</summary>
    /// <exception cref="ConfigException">A file is invalid, or two resources share a target or a key.</exception>
    public static IReadOnlyList<RenderResourceOptions> LoadResources(string cfgdir)
    {
        var root = Path.GetFullPath(cfgdir);
        var confD = Path.Combine(root, "conf.d");
        if (!Directory.Exists(confD))
        {
            throw new ConfigException(confD, 0, 0, "reconfig conf.d directory does not exist");
        }

        var templates = Path.Combine(root, "templates");
        var resources = new List<RenderResourceOptions>();
        var byKey = new Dictionary<string, RenderResourceOptions>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(confD, "*.json").Order(StringComparer.Ordinal))
        {
            var r = Read(file, templates, root);
            if (byKey.TryGetValue(r.Keys[0], out var first))
            {
                throw new ConfigException(file, 0, 0, $"key {r.Keys[0]} is already used by {first.Origin}");
            }

            byKey.Add(r.Keys[0], r);
            resources.Add(r);
        }

        return RenderResourceReader.CheckDestinationsAndIds(resources);
    }

    private static RenderResourceOptions Read(string file, string templates, string root)
    {
        string text = ConfigFiles.ReadAllText(file);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text);
        }
        catch (JsonException ex)
        {
            throw new ConfigException(file, (int)(ex.LineNumber ?? -1) + 1, (int)(ex.BytePositionInLine ?? -1) + 1, $"not valid JSON: {ex.Message}", ex);
        }

        using (doc)
        {
            var o = doc.RootElement;
            if (o.ValueKind != JsonValueKind.Object)
            {
                throw new ConfigException(file, 1, 1, "a reconfig resource is a JSON object");
            }

            foreach (var p in o.EnumerateObject())
            {
                if (!Known.Contains(p.Name, StringComparer.Ordinal))
                {
                    throw new ConfigException(file, 0, 0, $"unknown key \"{p.Name}\" (known: {string.Join(", ", Known)})");
                }
            }

            // A missing template fails this resource when it renders, never the whole cfgdir.
            var source = Path.GetFullPath(RequiredString(file, o, "source"), templates);

            string key;
            try
            {
                key = KeyPath.Normalize(RequiredString(file, o, "key"));
            }
            catch (ArgumentException ex)
            {
                throw new ConfigException(file, 0, 0, $"key: {ex.Message}", ex);
            }

            var target = Path.GetFullPath(RequiredString(file, o, "target"), root);
            return new RenderResourceOptions
            {
                Id = OptionalString(file, o, "id") ?? Path.GetFileNameWithoutExtension(file),
                IdFromConfig = OptionalString(file, o, "id") is not null,
                Origin = file,
                Source = source,
                Destination = target,
                Keys = [key],
                Shape = RenderDataShape.Reconfig,
                Recursive = o.TryGetProperty("recursive", out var rec) ? rec.ValueKind switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    _ => throw new ConfigException(file, 0, 0, "recursive must be true or false"),
                } : false,
                CheckCommand = OptionalString(file, o, "checkcmd"),
                ReloadCommand = OptionalString(file, o, "reloadcmd"),
            };
        }
    }

    private static string RequiredString(string file, JsonElement o, string name) =>
        OptionalString(file, o, name) ?? throw new ConfigException(file, 0, 0, $"needs \"{name}\"");

    private static string? OptionalString(string file, JsonElement o, string name)
    {
        if (!o.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.String)
        {
            throw new ConfigException(file, 0, 0, $"\"{name}\" must be a string");
        }

        var s = v.GetString();
        return string.IsNullOrWhiteSpace(s) ? null : s;
    }
}
