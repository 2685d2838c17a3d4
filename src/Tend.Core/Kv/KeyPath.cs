namespace Tend.Core.Kv;

/// <summary>
/// Key paths as Tend uses them everywhere: absolute, <c>/</c>-separated, no empty segments and no
/// trailing slash (<c>/a/b</c>); the root is <c>/</c>. Keys are normalised once, at the edge
/// (config, command line, store responses), so the rest of the code can compare them ordinally.
/// </summary>
/// <remarks>
/// A prefix is a <em>path</em> prefix: <c>/app</c> covers <c>/app</c> and <c>/app/x</c> but not
/// <c>/apple</c>. Stores whose native ranges are string prefixes (etcd, Consul) filter accordingly.
/// </remarks>
public static class KeyPath
{
    /// <summary>The root path, which covers every key.</summary>
    public const string Root = "/";

    /// <summary>Normalises <paramref name="path"/>: adds the leading slash, collapses repeated slashes, drops a trailing one.</summary>
    /// <exception cref="ArgumentException">The path contains a NUL character or a <c>.</c>/<c>..</c> segment.</exception>
    public static string Normalize(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == Root)
        {
            return Root;
        }

        if (IsNormalized(path))
        {
            return path;
        }

        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        foreach (var s in segments)
        {
            Validate(path, s);
        }

        return segments.Length == 0 ? Root : "/" + string.Join('/', segments);
    }

    /// <summary>True when <paramref name="path"/> is already in normal form.</summary>
    public static bool IsNormalized(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path == Root)
        {
            return true;
        }

        if (path.Length < 2 || path[0] != '/' || path[^1] == '/')
        {
            return false;
        }

        int segStart = 1;
        for (int i = 1; i <= path.Length; i++)
        {
            if (i == path.Length || path[i] == '/')
            {
                var seg = path.AsSpan(segStart, i - segStart);
                if (seg.IsEmpty || seg is "." || seg is "..")
                {
                    return false;
                }

                segStart = i + 1;
            }
            else if (path[i] == '\0')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Why <paramref name="path"/> (a key as a store holds it) is not in normal form, in a few words
    /// for an operator; <c>null</c> when it is.
    /// </summary>
    public static string? Problem(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (IsNormalized(path))
        {
            return null;
        }

        if (path.Length == 0 || path[0] != '/')
        {
            return "it does not start with '/'";
        }

        if (path.Contains('\0', StringComparison.Ordinal))
        {
            return "it contains a NUL character";
        }

        var segments = path[1..].Split('/');
        if (segments.Any(s => s is "." or ".."))
        {
            return $"it has a '{segments.First(s => s is "." or "..")}' segment";
        }

        return path[^1] == '/' && !path.Contains("//", StringComparison.Ordinal) ? "it ends with '/'" : "it has an empty segment ('//')";
    }

    /// <summary>Joins two paths: <c>Join("/a", "b/c")</c> is <c>/a/b/c</c>; the root joins to the other side.</summary>
    public static string Join(string left, string right)
    {
        var l = Normalize(left);
        var r = Normalize(right);
        if (l == Root)
        {
            return r;
        }

        return r == Root ? l : l + r;
    }

    /// <summary>True when <paramref name="key"/> equals <paramref name="prefix"/> or lies below it (path semantics).</summary>
    public static bool IsUnder(string key, string prefix)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix == Root)
        {
            return true;
        }

        return key.StartsWith(prefix, StringComparison.Ordinal)
            && (key.Length == prefix.Length || key[prefix.Length] == '/');
    }

    /// <summary>
    /// The part of <paramref name="key"/> below <paramref name="prefix"/>, as an absolute path
    /// (<c>Relative("/a/b/c", "/a")</c> is <c>/b/c</c>; the prefix itself gives <c>/</c>).
    /// </summary>
    public static string Relative(string key, string prefix)
    {
        if (!IsUnder(key, prefix))
        {
            throw new ArgumentException($"Key '{key}' is not under '{prefix}'.", nameof(key));
        }

        if (prefix == Root)
        {
            return key;
        }

        return key.Length == prefix.Length ? Root : key[prefix.Length..];
    }

    /// <summary>The parent path (<c>/a/b</c> → <c>/a</c>; <c>/a</c> → <c>/</c>; the root has none and gives <c>/</c>).</summary>
    public static string Parent(string key)
    {
        int i = key.LastIndexOf('/');
        return i <= 0 ? Root : key[..i];
    }

    /// <summary>The last segment (<c>/a/b</c> → <c>b</c>; the root gives an empty string).</summary>
    public static string Name(string key)
    {
        int i = key.LastIndexOf('/');
        return key[(i + 1)..];
    }

    private static void Validate(string path, string segment)
    {
        if (segment is "." or "..")
        {
            throw new ArgumentException($"Key path '{path}' has a '{segment}' segment.", nameof(path));
        }

        if (segment.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Key path '{path}' contains a NUL character.", nameof(path));
        }
    }
}
