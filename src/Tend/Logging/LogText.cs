using System.Globalization;
using System.Text;

namespace Tend.Logging;

/// <summary>
/// Makes text safe for a one-line-per-event log: store keys and values, template output and command output
/// end up in messages, and a newline or a terminal escape in them must not forge a log line or rewrite what
/// a terminal shows. Control characters (C0, DEL, C1) and the Unicode line and paragraph separators become
/// visible escapes (<c>\n</c>, <c>\r</c>, <c>\t</c>, <c>\e</c>, <c>\x07</c>, <c>\u2028</c>); everything else is
/// kept as it is.
/// </summary>
internal static class LogText
{
    /// <summary><paramref name="text"/> with every character that could break the line escaped; the same string when there is none.</summary>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int first = IndexOfUnsafe(text);
        if (first < 0)
        {
            return text;
        }

        var sb = new StringBuilder(text.Length + 16);
        sb.Append(text, 0, first);
        for (int i = first; i < text.Length; i++)
        {
            char c = text[i];
            if (!IsUnsafe(c))
            {
                sb.Append(c);
                continue;
            }

            switch (c)
            {
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\r':
                    sb.Append("\\r");
                    break;
                case '\t':
                    sb.Append("\\t");
                    break;
                case '\x1b':
                    sb.Append("\\e");
                    break;
                case < '\u0100':
                    sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    break;
                default:
                    sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
            }
        }

        return sb.ToString();
    }

    private static int IndexOfUnsafe(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (IsUnsafe(text[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool IsUnsafe(char c) => c < ' ' || c is >= '\u007f' and <= '\u009f' || c is '\u2028' or '\u2029';
}
