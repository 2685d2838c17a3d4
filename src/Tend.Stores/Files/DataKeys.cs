using Tend.Core.Kv;

namespace Tend.Stores.Files;

/// <summary>How a data file's map key becomes a key path below its parent.</summary>
internal static class DataKeys
{
    /// <summary>
    /// The key of map key <paramref name="name"/> below <paramref name="at"/>. A name may be a path
    /// (<c>"/a/b"</c> or <c>a/b</c>: a key with a value and children); it must be a clean one, because
    /// normalising <c>a//b</c> or <c>a/../b</c> would quietly give it another key's name.
    /// </summary>
    /// <param name="at">The parent key (normalised).</param>
    /// <param name="name">The map key as written.</param>
    /// <param name="key">The joined key, when the name is clean.</param>
    /// <param name="problem">Why it is not, for the report.</param>
    public static bool TryChild(string at, string name, out string key, out string problem)
    {
        key = string.Empty;
        problem = string.Empty;
        var rest = name.StartsWith('/') ? name.AsSpan(1) : name.AsSpan();
        if (rest.IsEmpty)
        {
            problem = name.Length == 0 ? "the map key is empty" : "the map key is only '/'";
            return false;
        }

        foreach (var range in rest.Split('/'))
        {
            var segment = rest[range];
            if (segment.IsEmpty)
            {
                problem = rest[^1] == '/' ? "the map key ends with '/'" : "the map key has an empty segment ('//')";
                return false;
            }

            if (segment is "." or "..")
            {
                problem = $"the map key has a '{segment}' segment";
                return false;
            }

            if (segment.Contains('\0'))
            {
                problem = "the map key contains a NUL character";
                return false;
            }
        }

        key = at == KeyPath.Root ? string.Concat("/", rest) : string.Concat(at, "/", rest);
        return true;
    }

    /// <summary>The key as written below its parent, for reports: <c>/hosts/a//b</c>.</summary>
    public static string Raw(string at, string name) =>
        at == KeyPath.Root ? (name.StartsWith('/') ? name : "/" + name) : at + (name.StartsWith('/') ? name : "/" + name);
}
