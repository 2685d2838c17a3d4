using System.Text;
using Tend.Core.Kv;

namespace Tend.Stores.Consul;

/// <summary>
/// Tend's key paths ↔ Consul's keys: <c>/a/b</c> is <c>a/b</c> (the leading slash dropped, as confd does),
/// the root is the empty key. Consul's keys are plain strings, so keys that are not normalised paths
/// (<c>a//b</c>, a folder marker <c>a/</c>) are not Tend keys and are skipped when read.
/// </summary>
internal static class ConsulKeys
{
    /// <summary>The Consul key of a normalised Tend key.</summary>
    public static string ToConsul(string key) => key.Length <= 1 ? string.Empty : key[1..];

    /// <summary>The Consul prefix of everything strictly below <paramref name="prefix"/> (<c>a/b/</c>; empty for the root).</summary>
    public static string ChildrenOf(string prefix) => prefix == KeyPath.Root ? string.Empty : ToConsul(prefix) + "/";

    /// <summary>The Tend key of a Consul key, or null when it is not a normalised path.</summary>
    public static string? FromConsul(string consulKey)
    {
        if (consulKey.Length == 0)
        {
            return null;
        }

        var key = "/" + consulKey;
        return KeyPath.IsNormalized(key) ? key : null;
    }

    /// <summary>
    /// True for what Consul's UI calls a folder: a key ending in <c>/</c> without a value, which only groups the
    /// keys below it and holds nothing a template could read (so it is skipped without a report).
    /// </summary>
    public static bool IsFolder(Wire.RawEntry entry) => entry.Key.EndsWith('/') && entry.Value.Length == 0;

    /// <summary>The nearest Tend path of any Consul key (empty segments dropped), to tell which prefix it is below.</summary>
    public static string Nearest(string consulKey)
    {
        var segments = consulKey.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s is not ("." or "..")).ToArray();
        return segments.Length == 0 ? KeyPath.Root : "/" + string.Join('/', segments);
    }

    /// <summary>The URL path of a Consul key below <paramref name="api"/> (<c>/v1/kv/</c>), every segment escaped.</summary>
    public static string UrlPath(string api, string consulKey)
    {
        var sb = new StringBuilder(api, api.Length + consulKey.Length + 8);
        int start = 0;
        while (true)
        {
            int slash = consulKey.IndexOf('/', start);
            var segment = slash < 0 ? consulKey[start..] : consulKey[start..slash];
            sb.Append(Uri.EscapeDataString(segment));
            if (slash < 0)
            {
                break;
            }

            sb.Append('/');
            start = slash + 1;
        }

        return sb.ToString();
    }
}
