namespace Tend.Core.Config.Ini;

/// <summary>
/// Parses INI files in the style read by Python's configparser (as zk_watcher uses):
/// <list type="bullet">
/// <item><c>[section]</c> headers; every key must be inside a section; a section may appear only once.</item>
/// <item><c>key = value</c> or <c>key: value</c>; the first <c>=</c> or <c>:</c> separates; key and value are trimmed; the value may be empty.</item>
/// <item>Lines whose first non-blank character is <c>#</c> or <c>;</c> are comments. There are no inline comments.</item>
/// <item>A line indented deeper than its key continues that key's value (joined with <c>\n</c>).</item>
/// <item>A key may appear once per section, compared without regard to case.</item>
/// </list>
/// </summary>
public static class IniParser
{
    /// <summary>Parses <paramref name="text"/>; LF, CRLF and CR line endings are accepted.</summary>
    /// <exception cref="IniException">The text breaks one of the rules above.</exception>
    public static IniDocument Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }

        var document = new IniDocument();
        IniSection? section = null;
        IniEntry? entry = null;
        var pendingBlankLines = 0;
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var lineNumber = i + 1;
            var raw = lines[i];
            var trimmed = raw.Trim();
            if (trimmed.Length == 0)
            {
                // A blank line only belongs to a value if more continuation lines follow it.
                pendingBlankLines++;
                continue;
            }

            if (trimmed[0] is '#' or ';')
            {
                continue;
            }

            var indent = raw.Length - raw.TrimStart().Length;
            if (entry is not null && indent > entry.Indent)
            {
                AppendContinuation(entry, trimmed, lineNumber, pendingBlankLines);
                pendingBlankLines = 0;
                continue;
            }

            pendingBlankLines = 0;
            if (trimmed[0] == '[')
            {
                section = ParseSectionHeader(trimmed, lineNumber);
                if (!document.TryAdd(section))
                {
                    document.TryGetSection(section.Name, out var first);
                    throw new IniException(lineNumber, $"duplicate section [{section.Name}] (first defined on line {first!.Line})");
                }

                entry = null;
                continue;
            }

            entry = ParseEntry(trimmed, indent, lineNumber);
            if (section is null)
            {
                throw new IniException(lineNumber, $"key \"{entry.Key}\" appears before any [section] header");
            }

            if (!section.TryAdd(entry))
            {
                section.TryGetEntry(entry.Key, out var first);
                throw new IniException(lineNumber, $"duplicate key \"{entry.Key}\" in [{section.Name}] (first defined on line {first!.Line})");
            }
        }

        return document;
    }

    private static void AppendContinuation(IniEntry entry, string text, int lineNumber, int blankLines)
    {
        if (entry.Value.Length == 0 && entry.ValueLine == entry.Line)
        {
            // "key:" followed by indented lines. configparser would keep a leading "\n" here; we trim it,
            // since no caller wants a value that starts with a newline.
            entry.Value = text;
            entry.ValueLine = lineNumber;
            return;
        }

        entry.Value = entry.Value + new string('\n', blankLines + 1) + text;
    }

    private static IniSection ParseSectionHeader(string trimmed, int lineNumber)
    {
        if (trimmed[^1] != ']')
        {
            throw new IniException(lineNumber, "section header must end with ']'");
        }

        var name = trimmed[1..^1].Trim();
        if (name.Length == 0)
        {
            throw new IniException(lineNumber, "section name is empty");
        }

        return new IniSection(name, lineNumber);
    }

    private static IniEntry ParseEntry(string trimmed, int indent, int lineNumber)
    {
        var separator = trimmed.AsSpan().IndexOfAny(':', '=');
        if (separator < 0)
        {
            throw new IniException(lineNumber, $"expected \"key = value\" or \"key: value\", found \"{trimmed}\"");
        }

        var key = trimmed[..separator].Trim();
        if (key.Length == 0)
        {
            throw new IniException(lineNumber, $"missing key before '{trimmed[separator]}'");
        }

        var value = trimmed[(separator + 1)..].Trim();
        return new IniEntry(key, value, lineNumber, lineNumber, indent);
    }
}
