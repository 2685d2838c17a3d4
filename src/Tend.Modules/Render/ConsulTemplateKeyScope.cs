using Tend.Core.Kv;
using Tend.Templates;

namespace Tend.Modules.Render;

/// <summary>
/// Which part of the key space a consul-template template can read, known from its text before it
/// renders: the paths written as the first argument of its key functions. consul-template watches
/// each key it reads; Tend watches whole prefixes, so the paths are gathered into one prefix per
/// top-level name (the deepest path they share), and a template watches those instead of the whole
/// store — a change elsewhere (Vault's data, another team's tree) neither costs a listing nor wakes it.
/// </summary>
internal static class ConsulTemplateKeyScope
{
    private static readonly HashSet<string> KeyFunctions = new(StringComparer.Ordinal) { "key", "keyExists", "keyOrDefault", "ls", "safeLs", "tree", "safeTree" };

    /// <summary>
    /// The prefixes (absolute, relative to the resource prefix) the template's key functions can read;
    /// null when a path is computed at render time, so that any key may be read.
    /// </summary>
    public static IReadOnlyList<string>? Prefixes(GoTemplate template)
    {
        var paths = new List<string[]>();
        foreach (var argument in template.FirstArguments(KeyFunctions))
        {
            if (argument is null)
            {
                return null;
            }

            // An empty path reads nothing; "path@dc" fails at render with its own error.
            if (argument.Length == 0 || argument.Contains('@', StringComparison.Ordinal))
            {
                continue;
            }

            var segments = argument.Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (segments.Length == 0)
            {
                // "/" is the root: the whole store.
                return [KeyPath.Root];
            }

            paths.Add(segments);
        }

        var prefixes = new List<string>();
        foreach (var group in paths.GroupBy(p => p[0], StringComparer.Ordinal))
        {
            var shared = group.First();
            int depth = shared.Length;
            foreach (var path in group)
            {
                int common = 0;
                while (common < depth && common < path.Length && string.Equals(path[common], shared[common], StringComparison.Ordinal))
                {
                    common++;
                }

                depth = common;
            }

            prefixes.Add("/" + string.Join('/', shared, 0, depth));
        }

        prefixes.Sort(StringComparer.Ordinal);
        return prefixes;
    }
}
