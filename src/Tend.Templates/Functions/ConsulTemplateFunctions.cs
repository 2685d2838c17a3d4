using Tend.Templates.Execution;
using P = Tend.Templates.TemplateParameterType;

namespace Tend.Templates.Functions;

/// <summary>
/// consul-template's key functions over a snapshot of keys. Its paths are relative to the KV root
/// (<c>app/db/host</c> is Tend's <c>/app/db/host</c>, below the resource prefix); a prefix is a
/// path (<c>app</c> covers <c>app</c> and <c>app/x</c>, never <c>apple</c>), as everywhere in Tend.
/// A read that has no data yet is reported to <see cref="ConsulTemplateDependencies"/> so the
/// caller holds the render back, as consul-template does.
/// </summary>
internal static class ConsulTemplateFunctions
{
    public static IEnumerable<TemplateFunction> Kv(ITemplateKeySource keys, ConsulTemplateDependencies dependencies)
    {
        yield return F("key", "key(path string) (string, error)", "The value of a key; the template waits until the key exists.", [P.String], a =>
        {
            string path = S(a[0]);
            if (path.Length == 0)
            {
                return "";
            }

            string clean = CleanPath("key", path);
            if (keys.TryGet("/" + clean, out var value))
            {
                return value;
            }

            dependencies.AddMissing($"kv.block({clean})");
            return "";
        });
        yield return F("keyExists", "keyExists(path string) (bool, error)", "Whether a key exists (never waits).", [P.String], a =>
        {
            string path = S(a[0]);
            return GoValues.Box(path.Length > 0 && keys.TryGet("/" + CleanPath("keyExists", path), out _));
        });
        yield return F("keyOrDefault", "keyOrDefault(path string, default string) (string, error)", "The value of a key; the default when it is missing or empty (never waits).", [P.String, P.String], a =>
        {
            string path = S(a[0]);
            string def = S(a[1]);
            if (path.Length == 0)
            {
                return def;
            }

            return keys.TryGet("/" + CleanPath("keyOrDefault", path), out var value) && value.Length > 0 ? value : def;
        });
        yield return F("ls", "ls(prefix string) ([]*dependency.KeyPair, error)", "The keys directly below a prefix (.Key, .Value, .Path); empty when there are none.", [P.String], a => Ls(keys, dependencies, "ls", S(a[0]), emptyIsSafe: true));
        yield return F("safeLs", "safeLs(prefix string) ([]*dependency.KeyPair, error)", "As ls, but the template waits while the prefix holds no key.", [P.String], a => Ls(keys, dependencies, "safeLs", S(a[0]), emptyIsSafe: false));
        yield return F("tree", "tree(prefix string) ([]*dependency.KeyPair, error)", "Every key below a prefix, at any depth (.Key relative to the prefix).", [P.String], a => Tree(keys, dependencies, "tree", S(a[0]), emptyIsSafe: true));
        yield return F("safeTree", "safeTree(prefix string) ([]*dependency.KeyPair, error)", "As tree, but the template waits while the prefix holds no key.", [P.String], a => Tree(keys, dependencies, "safeTree", S(a[0]), emptyIsSafe: false));
    }

    /// <summary>
    /// <c>file</c>: a file's contents, read at each render; the template waits while the file does
    /// not exist (consul-template's file dependency).
    /// </summary>
    public static TemplateFunction File(ConsulTemplateDependencies dependencies) =>
        F("file", "file(path string) (string, error)", "A file's contents; the template waits until the file exists.", [P.String], a =>
        {
            string path = S(a[0]);
            if (path.Length == 0)
            {
                return "";
            }

            try
            {
                var info = new FileInfo(path);
                if (!info.Exists)
                {
                    dependencies.AddMissing($"file({path})");
                    return "";
                }

                ExecState.Current?.Reserve(info.Length * 2, $"file {path} of {info.Length} bytes");
                return System.IO.File.ReadAllText(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new TemplateFunctionException($"file({path}): {ex.Message}", ex);
            }
        });

    internal static readonly (string Name, string Signature)[] CatalogSignatures =
    [
        ("service", "service(query ...string) ([]*dependency.HealthService, error)"),
        ("services", "services(query ...string) ([]*dependency.CatalogSnippet, error)"),
        ("node", "node(query ...string) (*dependency.CatalogNode, error)"),
        ("nodes", "nodes(query ...string) ([]*dependency.Node, error)"),
        ("datacenters", "datacenters(ignoreFailing ...bool) ([]string, error)"),
    ];

    internal static TemplateFunction F(string name, string sig, string desc, TemplateParameterType[] ps, Func<object?[], object?> f) =>
        new(name, sig, desc, ps, false, f) { PoolArguments = true };

    internal static TemplateFunction V(string name, string sig, string desc, TemplateParameterType[] ps, Func<object?[], object?> f) =>
        new(name, sig, desc, ps, true, f) { PoolArguments = true };

    internal static string S(object? v) => (string)v!;

    /// <summary>A consul-template path as Tend's stores hold it: no leading, trailing or doubled slashes (empty for the root).</summary>
    internal static string CleanPath(string function, string path)
    {
        if (path.Contains('@', StringComparison.Ordinal))
        {
            // consul-template's "path@dc" reads another datacenter; Tend's stores read one.
            throw new TemplateFunctionException($"{function}: {GoStringsQuote(path)} names a datacenter (@dc), which Tend does not read; drop the @ part");
        }

        return string.Join('/', path.Split('/', StringSplitOptions.RemoveEmptyEntries));
    }

    private static string GoStringsQuote(string s) => Formatting.GoStrings.Quote(s);

    private static List<ConsulKeyPair> Below(ITemplateKeySource keys, string function, string prefix)
    {
        string clean = CleanPath(function, prefix);
        string full = "/" + clean;
        var result = new List<ConsulKeyPair>();
        foreach (var kv in keys.ListUnder(clean.Length == 0 ? "/" : full))
        {
            string key;
            if (clean.Length == 0)
            {
                key = kv.Key.TrimStart('/');
            }
            else if (kv.Key.Length == full.Length)
            {
                key = "";
            }
            else if (kv.Key[full.Length] == '/')
            {
                key = kv.Key[(full.Length + 1)..];
            }
            else
            {
                // /apple under /app: a path prefix covers only its own subtree.
                continue;
            }

            result.Add(new ConsulKeyPair(kv.Key.TrimStart('/'), key, kv.Value));
        }

        ExecState.Current?.Reserve(result.Count * 64L, $"{function} of {result.Count} keys");
        return result;
    }

    private static ConsulKeyPair[] Ls(ITemplateKeySource keys, ConsulTemplateDependencies dependencies, string function, string prefix, bool emptyIsSafe)
    {
        if (prefix.Length == 0)
        {
            return [];
        }

        var top = Below(keys, function, prefix).Where(p => p.Key.Length > 0 && !p.Key.Contains('/', StringComparison.Ordinal)).ToArray();
        if (top.Length == 0 && !emptyIsSafe)
        {
            dependencies.AddMissing($"kv.list({CleanPath(function, prefix)})");
        }

        return top;
    }

    private static ConsulKeyPair[] Tree(ITemplateKeySource keys, ConsulTemplateDependencies dependencies, string function, string prefix, bool emptyIsSafe)
    {
        if (prefix.Length == 0)
        {
            return [];
        }

        var all = Below(keys, function, prefix).Where(p => p.Key.Length > 0).ToArray();
        if (all.Length == 0 && !emptyIsSafe)
        {
            dependencies.AddMissing($"kv.list({CleanPath(function, prefix)})");
        }

        return all;
    }
}
