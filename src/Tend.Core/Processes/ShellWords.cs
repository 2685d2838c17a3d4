using System.Text;

namespace Tend.Core.Processes;

/// <summary>Quoting values for <c>/bin/sh</c>, and splitting an argument string into words as the shell would, without expanding anything.</summary>
public static class ShellWords
{
    /// <summary><paramref name="value"/> as one shell word: as it is when it holds no metacharacter, else single-quoted.</summary>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Length > 0 && value.All(IsPlain) ? value : "'" + value.Replace("'", @"'\''", StringComparison.Ordinal) + "'";
    }

    /// <summary>A command line that runs <paramref name="program"/> with <paramref name="arguments"/>, each quoted.</summary>
    public static string CommandLine(string program, IEnumerable<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        return string.Join(' ', arguments.Prepend(program).Select(Quote));
    }

    /// <summary>
    /// Splits <paramref name="text"/> into words: blanks separate, <c>'…'</c> and <c>"…"</c> quote, a
    /// backslash escapes. Nothing is expanded: <c>$x</c>, <c>$(…)</c>, backticks and <c>;</c> are plain characters.
    /// </summary>
    /// <exception cref="FormatException">A quote is not closed.</exception>
    public static IReadOnlyList<string> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = new List<string>();
        var word = new StringBuilder();
        bool inWord = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c is ' ' or '\t' or '\n')
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }

                continue;
            }

            inWord = true;
            if (c == '\\' && i + 1 < text.Length)
            {
                word.Append(text[++i]);
            }
            else if (c is '\'' or '"')
            {
                int end = text.IndexOf(c, i + 1);
                if (end < 0)
                {
                    throw new FormatException($"unclosed {c} in \"{text}\"");
                }

                word.Append(text, i + 1, end - i - 1);
                i = end;
            }
            else
            {
                word.Append(c);
            }
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return words;
    }

    private static bool IsPlain(char c) => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or '+' or ',' or ':' or '@' or '%' or '=';
}
