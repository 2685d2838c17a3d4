using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;

namespace Tend.Templates.Functions;

/// <summary>
/// Go regexp (RE2) for regexMatch and regexReplaceAll: matched without backtracking (linear time,
/// like RE2, so a template cannot stall the render), groups numbered left to right including named
/// ones (<c>(?P&lt;name&gt;…)</c>), and Go's <c>$1</c>/<c>${name}</c> replacement expansion.
/// </summary>
internal sealed class GoRegex
{
    private const int CacheLimit = 256;
    private static readonly ConcurrentDictionary<string, GoRegex> Cache = new(StringComparer.Ordinal);

    private readonly Regex _regex;
    private readonly Dictionary<string, int> _names;

    private GoRegex(Regex regex, Dictionary<string, int> names)
    {
        _regex = regex;
        _names = names;
    }

    public static GoRegex Get(string pattern)
    {
        if (Cache.TryGetValue(pattern, out var cached))
        {
            return cached;
        }

        var (translated, names) = Translate(pattern);
        Regex regex;
        try
        {
            regex = new Regex(translated, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            throw new TemplateFunctionException($"error parsing regexp: {ex.Message}", ex);
        }

        var result = new GoRegex(regex, names);
        if (Cache.Count >= CacheLimit)
        {
            Cache.Clear();
        }

        Cache[pattern] = result;
        return result;
    }

    public bool IsMatch(string s) => _regex.IsMatch(s);

    public static string ReplaceAll(string pattern, string replacement, string s)
    {
        var re = Get(pattern);
        return re._regex.Replace(s, m => re.Expand(replacement, m));
    }

    /// <summary>Go's Regexp.Expand: <c>$$</c> is a dollar, <c>$name</c> takes the longest name, a bad reference is a literal dollar.</summary>
    private string Expand(string template, Match m)
    {
        var sb = new StringBuilder();
        int i = 0;
        while (i < template.Length)
        {
            int dollar = template.IndexOf('$', i);
            if (dollar < 0)
            {
                break;
            }

            sb.Append(template, i, dollar - i);
            i = dollar + 1;
            if (i < template.Length && template[i] == '$')
            {
                sb.Append('$');
                i++;
                continue;
            }

            if (!Extract(template, i, out string name, out int num, out int rest))
            {
                sb.Append('$');
                continue;
            }

            i = rest;
            Group? g = null;
            if (num >= 0)
            {
                g = num < m.Groups.Count ? m.Groups[num] : null;
            }
            else if (_names.TryGetValue(name, out int index))
            {
                g = m.Groups[index];
            }

            if (g is { Success: true })
            {
                sb.Append(g.Value);
            }
        }

        sb.Append(template, i, template.Length - i);
        return sb.ToString();
    }

    private static bool Extract(string s, int start, out string name, out int num, out int rest)
    {
        name = "";
        num = -1;
        rest = start;
        int i = start;
        bool brace = i < s.Length && s[i] == '{';
        if (brace)
        {
            i++;
        }

        int nameStart = i;
        while (i < s.Length)
        {
            if (char.IsSurrogatePair(s, i) ? char.IsLetterOrDigit(s, i) : char.IsLetterOrDigit(s[i]) || s[i] == '_')
            {
                i += char.IsSurrogatePair(s, i) ? 2 : 1;
                continue;
            }

            break;
        }

        if (i == nameStart)
        {
            return false;
        }

        name = s[nameStart..i];
        if (brace)
        {
            if (i >= s.Length || s[i] != '}')
            {
                return false;
            }

            i++;
        }

        num = 0;
        foreach (char c in name)
        {
            if (c is < '0' or > '9' || num >= 100_000_000)
            {
                num = -1;
                break;
            }

            num = (num * 10) + (c - '0');
        }

        if (name[0] == '0' && name.Length > 1)
        {
            num = -1;
        }

        rest = i;
        return true;
    }

    /// <summary>Rewrites RE2's named groups as plain ones, remembering their numbers (so every group is numbered in order, as in Go).</summary>
    private static (string Pattern, Dictionary<string, int> Names) Translate(string pattern)
    {
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        var sb = new StringBuilder(pattern.Length);
        int groups = 0;
        bool inClass = false;
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                sb.Append(c).Append(pattern[++i]);
                continue;
            }

            if (inClass)
            {
                inClass = c != ']';
                sb.Append(c);
                continue;
            }

            if (c == '[')
            {
                inClass = true;
                sb.Append(c);
                if (i + 1 < pattern.Length && pattern[i + 1] == '^')
                {
                    sb.Append(pattern[++i]);
                }

                if (i + 1 < pattern.Length && pattern[i + 1] == ']')
                {
                    // A ']' first in a class is a literal.
                    sb.Append("\\]");
                    i++;
                }

                continue;
            }

            if (c == '(')
            {
                if (string.CompareOrdinal(pattern, i + 1, "?P<", 0, 3) == 0 && pattern.IndexOf('>', i + 4) is int close and > 0)
                {
                    names.TryAdd(pattern[(i + 4)..close], ++groups);
                    sb.Append('(');
                    i = close;
                    continue;
                }

                if (i + 1 >= pattern.Length || pattern[i + 1] != '?')
                {
                    groups++;
                }
            }

            sb.Append(c);
        }

        return (sb.ToString(), names);
    }
}
