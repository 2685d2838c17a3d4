using System.Text;

namespace Tend.Modules.Health;

/// <summary>
/// Substitutes <c>@ENV</c>, <c>@HOST</c> and <c>@ROLE</c> in a trigger. For the shell (a command, or
/// a <c>#!</c> script run by a POSIX shell) each placeholder becomes a quoted reference to an
/// environment variable holding the value (<c>"${TEND_ENV}"</c>), chosen for where the shell reads it:
/// bare, inside <c>'…'</c> (the quote is closed around it), inside <c>"…"</c>, or in a here-document.
/// The shell inserts an expanded variable as data and never parses it again, so no value — with
/// <c>;</c>, <c>$(…)</c>, backticks or quotes — can run as a command. Scripts for another
/// interpreter get the value itself, and only a value of plain characters: anything else refuses to run.
/// </summary>
internal static class TriggerPlaceholders
{
    /// <summary>Each placeholder and the variable that carries its value.</summary>
    public static readonly (string Placeholder, string Variable)[] Names = [("@ENV", "TEND_ENV"), ("@HOST", "TEND_HOST"), ("@ROLE", "TEND_ROLE")];

    /// <summary>The text with every placeholder a quoted variable reference, for <c>/bin/sh</c>.</summary>
    public static string ForShell(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sb = new StringBuilder(text.Length + 32);
        var state = Quote.None;
        var heredocs = new Queue<(string Delimiter, bool Literal, bool StripTabs)>();
        int i = 0;
        while (i < text.Length)
        {
            if (state == Quote.Heredoc)
            {
                // One line of a here-document body; the body ends at a line equal to the delimiter.
                int eol = text.IndexOf('\n', i);
                var line = eol < 0 ? text[i..] : text[i..eol];
                var (delimiter, literal, strip) = heredocs.Peek();
                bool end = string.Equals(strip ? line.TrimStart('\t') : line, delimiter, StringComparison.Ordinal);
                sb.Append(end || literal ? line : ReplaceAll(line, v => "${" + v + "}"));
                if (eol >= 0)
                {
                    sb.Append('\n');
                }

                i = eol < 0 ? text.Length : eol + 1;
                if (end)
                {
                    heredocs.Dequeue();
                    state = heredocs.Count > 0 ? Quote.Heredoc : Quote.None;
                }

                continue;
            }

            if (Placeholder(text, i) is { } p)
            {
                sb.Append(state switch
                {
                    Quote.Single => "'\"${" + p.Variable + "}\"'",
                    Quote.Double => "${" + p.Variable + "}",
                    _ => "\"${" + p.Variable + "}\"",
                });
                i += p.Placeholder.Length;
                continue;
            }

            char c = text[i];
            sb.Append(c);
            i++;
            switch (state)
            {
                case Quote.None when c == '\\' && i < text.Length:
                    sb.Append(text[i++]);
                    break;
                case Quote.None when c == '\'':
                    state = Quote.Single;
                    break;
                case Quote.None when c == '"':
                    state = Quote.Double;
                    break;
                case Quote.None when c == '#' && (i == 1 || char.IsWhiteSpace(text[i - 2])):
                    // A comment runs to the end of the line; its text is never run.
                    int nl = text.IndexOf('\n', i);
                    int stop = nl < 0 ? text.Length : nl;
                    sb.Append(text, i, stop - i);
                    i = stop;
                    break;
                case Quote.None when c == '<' && i < text.Length && text[i] == '<':
                    sb.Append('<');
                    i = ReadHeredocStart(text, i + 1, sb, heredocs);
                    break;
                case Quote.None when c == '\n' && heredocs.Count > 0:
                    state = Quote.Heredoc;
                    break;
                case Quote.Single when c == '\'':
                    state = Quote.None;
                    break;
                case Quote.Double when c == '\\' && i < text.Length:
                    sb.Append(text[i++]);
                    break;
                case Quote.Double when c == '"':
                    state = Quote.None;
                    break;
            }
        }

        return sb.ToString();
    }

    /// <summary>The text with each placeholder replaced by its value, for a script of another interpreter; <c>null</c> with the refused value when one is not plain.</summary>
    public static string? ForOtherInterpreter(string text, IReadOnlyDictionary<string, string> values, out string? refused)
    {
        ArgumentNullException.ThrowIfNull(values);
        refused = null;
        foreach (var (placeholder, variable) in Names)
        {
            if (text.Contains(placeholder, StringComparison.Ordinal) && !values[variable].All(IsPlain))
            {
                refused = $"{placeholder} = \"{values[variable]}\"";
                return null;
            }
        }

        return ReplaceAll(text, v => values[v]);
    }

    /// <summary>True when <paramref name="script"/>'s <c>#!</c> line names a POSIX shell (directly or through <c>env</c>).</summary>
    public static bool IsShellScript(string script)
    {
        var first = script.AsSpan(2);
        int nl = first.IndexOf('\n');
        var words = (nl < 0 ? first : first[..nl]).ToString().Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0)
        {
            return false;
        }

        var program = Path.GetFileName(words[0]);
        if (program == "env")
        {
            program = words.Skip(1).FirstOrDefault(w => !w.StartsWith('-')) is { } w ? Path.GetFileName(w) : string.Empty;
        }

        return program is "sh" or "bash" or "dash" or "ksh" or "mksh" or "zsh" or "ash" or "busybox";
    }

    private static int ReadHeredocStart(string text, int i, StringBuilder sb, Queue<(string, bool, bool)> heredocs)
    {
        // After "<<": "<" is a here-string (<<<), "-" strips tabs; then the delimiter word, quoted (literal body) or not.
        if (i < text.Length && text[i] == '<')
        {
            sb.Append('<');
            return i + 1;
        }

        bool strip = i < text.Length && text[i] == '-';
        int start = i;
        if (strip)
        {
            i++;
        }

        while (i < text.Length && text[i] is ' ' or '\t')
        {
            i++;
        }

        var word = new StringBuilder();
        bool literal = false;
        while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ';' and not '|' and not '&' and not '<' and not '>' and not ')')
        {
            char c = text[i];
            if (c is '\'' or '"')
            {
                literal = true;
                int end = text.IndexOf(c, i + 1);
                end = end < 0 ? text.Length - 1 : end;
                word.Append(text, i + 1, Math.Max(0, end - i - 1));
                i = end + 1;
            }
            else if (c == '\\' && i + 1 < text.Length)
            {
                literal = true;
                word.Append(text[i + 1]);
                i += 2;
            }
            else
            {
                word.Append(c);
                i++;
            }
        }

        sb.Append(text, start, i - start);
        if (word.Length > 0)
        {
            heredocs.Enqueue((word.ToString(), literal, strip));
        }

        return i;
    }

    private static (string Placeholder, string Variable)? Placeholder(string text, int i)
    {
        if (text[i] != '@')
        {
            return null;
        }

        foreach (var n in Names)
        {
            if (string.CompareOrdinal(text, i, n.Placeholder, 0, n.Placeholder.Length) == 0)
            {
                return n;
            }
        }

        return null;
    }

    private static string ReplaceAll(string text, Func<string, string> value)
    {
        foreach (var (placeholder, variable) in Names)
        {
            text = text.Replace(placeholder, value(variable), StringComparison.Ordinal);
        }

        return text;
    }

    private static bool IsPlain(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '+' or ',' or ':' or '@' or '%' or '=';

    private enum Quote
    {
        None,
        Single,
        Double,
        Heredoc,
    }
}
