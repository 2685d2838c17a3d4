using Tend.Core.Kv;

namespace Tend.Stores.Files;

/// <summary>
/// A fast path for the shape most data files have: nested block maps of plain, single-line
/// scalars (<c>hosts:\n  web1: 10.0.0.1</c>), indented with spaces, with comment and blank lines.
/// It reads such a file several times faster than the general YAML parser, which matters for a
/// onetime render of a large host list. Anything outside that shape — sequences, quotes, flow
/// collections, anchors, tags, block scalars, continuation lines, comments after a value, tabs,
/// non-ASCII text, document markers, duplicate or odd keys — makes it decline, and the caller
/// parses the whole file with <see cref="YamlFlattener"/>, which also reports every error.
/// </summary>
internal static class PlainYamlReader
{
    /// <summary>Appends the pairs of <paramref name="text"/> when it has the plain shape; false (and nothing appended) otherwise.</summary>
    public static bool TryFlatten(string text, List<KvPair> pairs) =>
        TryFlatten("data.yaml", text, pairs, new DataFileLoad(DataFileLimits.Default));

    /// <summary>As <see cref="TryFlatten(string, List{KvPair})"/>, counting the keys against <paramref name="load"/>.</summary>
    /// <exception cref="FileStoreFormatException">The file holds more keys than the load may still take.</exception>
    public static bool TryFlatten(string file, string text, List<KvPair> pairs, DataFileLoad load)
    {
        var found = new List<KvPair>();
        int budget = load.Limits.MaxKeys - load.Keys;
        int lineNumber = 0;
        var levels = new List<Level>();
        string? pendingKey = null; // a "key:" line whose value is a nested map or empty
        int pendingIndent = -1;
        bool lastHadValue = false;
        int lastIndent = -1;
        int pos = 0;
        while (pos < text.Length)
        {
            int end = text.IndexOf('\n', pos);
            if (end < 0)
            {
                end = text.Length;
            }

            var line = text.AsSpan(pos, end - pos);
            pos = end + 1;
            lineNumber++;
            if (found.Count > budget)
            {
                load.Count(file, lineNumber, found.Count); // throws: past max_keys
            }

            int indent = 0;
            while (indent < line.Length && line[indent] == ' ')
            {
                indent++;
            }

            var content = line[indent..];
            if (content.IsEmpty || content[0] == '#')
            {
                continue;
            }

            if (!IsPlainAscii(content))
            {
                return false;
            }

            // A deeper line after "key: value" would continue that scalar (YAML folds it in).
            if (lastHadValue && indent > lastIndent)
            {
                return false;
            }

            if (pendingKey is not null)
            {
                if (indent > pendingIndent)
                {
                    if (levels.Count >= DataFileLimits.MaxDepth)
                    {
                        return false; // the full parser reports the depth
                    }

                    levels.Add(new Level(indent, pendingKey));
                }
                else if (load.Values == FileStoreValues.AsWritten)
                {
                    found.Add(new KvPair(pendingKey, string.Empty)); // confd: an empty value is null, no key
                }

                pendingKey = null;
            }

            if (levels.Count == 0)
            {
                levels.Add(new Level(indent, KeyPath.Root));
            }

            while (levels.Count > 1 && indent < levels[^1].Indent)
            {
                levels.RemoveAt(levels.Count - 1);
            }

            if (indent != levels[^1].Indent)
            {
                return false; // between two levels, or left of the first key
            }

            var level = levels[^1];
            int colon = content.IndexOf(':');
            if (colon <= 0 || !IsKey(content[..colon]) || (colon + 1 < content.Length && content[colon + 1] != ' '))
            {
                return false;
            }

            var name = content[..colon].ToString();
            if (!level.Names.Add(name))
            {
                return false;
            }

            if (!DataKeys.TryChild(level.Path, name, out var key, out _))
            {
                return false; // the full parser reports the key
            }

            var value = content[(colon + 1)..].Trim(' ');
            lastIndent = indent;
            if (value.IsEmpty)
            {
                pendingKey = key;
                pendingIndent = indent;
                lastHadValue = false;
                continue;
            }

            if (!IsPlainValue(value))
            {
                return false;
            }

            if (load.Values == FileStoreValues.AsWritten)
            {
                found.Add(new KvPair(key, value is "null" or "Null" or "NULL" ? string.Empty : value.ToString()));
            }
            else if (ConfdScalar.Plain(value.ToString()) is { } resolved)
            {
                found.Add(new KvPair(key, resolved));
            }

            lastHadValue = true;
        }

        if (pendingKey is not null && load.Values == FileStoreValues.AsWritten)
        {
            found.Add(new KvPair(pendingKey, string.Empty));
        }

        load.Count(file, lineNumber, found.Count);
        pairs.AddRange(found);
        return true;
    }

    private static bool IsPlainAscii(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (c is < ' ' or > '~')
            {
                return false; // tabs, CR, control characters and anything non-ASCII take the full parser
            }
        }

        return true;
    }

    /// <summary>A map key: letters, digits and <c>_ . / -</c>, starting with a letter, digit, <c>_</c> or <c>/</c>.</summary>
    private static bool IsKey(ReadOnlySpan<char> s)
    {
        if (!(char.IsAsciiLetterOrDigit(s[0]) || s[0] is '_' or '/'))
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '/' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// A value YAML reads as exactly its text: it starts with a letter, digit, <c>_ . /</c> or a
    /// <c>-</c> before a digit, holds no quote, bracket, brace, <c>#</c>, backslash or other indicator, and
    /// a <c>:</c> only inside a word (<c>10.0.0.1:80</c>, <c>http://x</c>).
    /// </summary>
    private static bool IsPlainValue(ReadOnlySpan<char> s)
    {
        char first = s[0];
        if (!(char.IsAsciiLetterOrDigit(first) || first is '_' or '.' or '/' || (first == '-' && s.Length > 1 && char.IsAsciiDigit(s[1]))))
        {
            return false;
        }

        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '/' or '-' or '+' or '=' or '@' or '(' or ')' or '%' or '^' or '~')
            {
                continue;
            }

            if (c == ' ' && i + 1 < s.Length && s[i + 1] != ' ')
            {
                continue; // single spaces between words; runs of spaces are left to the full parser
            }

            if (c == ':' && i + 1 < s.Length && s[i + 1] != ' ')
            {
                continue;
            }

            return false;
        }

        return true;
    }

    private sealed class Level(int indent, string path)
    {
        public int Indent { get; } = indent;

        public string Path { get; } = path;

        public HashSet<string> Names { get; } = new(StringComparer.Ordinal);
    }
}
