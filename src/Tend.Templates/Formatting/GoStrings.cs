using System.Globalization;
using System.Text;

namespace Tend.Templates.Formatting;

/// <summary>Go's strconv quoting rules (Quote, QuoteToASCII, Unquote, UnquoteChar) over .NET strings.</summary>
internal static class GoStrings
{
    private const string Hex = "0123456789abcdef";

    public static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2);
        AppendQuoted(sb, s, '"', asciiOnly: false);
        return sb.ToString();
    }

    public static void AppendQuoted(StringBuilder sb, string s, char quote, bool asciiOnly)
    {
        sb.Append(quote);
        for (int i = 0; i < s.Length;)
        {
            int r;
            if (Rune.DecodeFromUtf16(s.AsSpan(i), out var rune, out int width) == System.Buffers.OperationStatus.Done)
            {
                r = rune.Value;
            }
            else
            {
                r = 0xFFFD;
                width = 1;
            }
            i += width;
            AppendEscapedRune(sb, r, quote, asciiOnly);
        }
        sb.Append(quote);
    }

    public static void AppendEscapedRune(StringBuilder sb, int r, char quote, bool asciiOnly)
    {
        if (r == quote || r == '\\')
        {
            sb.Append('\\').Append((char)r);
            return;
        }
        if (asciiOnly)
        {
            if (r < 0x80 && IsPrint(r))
            {
                sb.Append((char)r);
                return;
            }
        }
        else if (IsPrint(r))
        {
            AppendRune(sb, r);
            return;
        }
        switch (r)
        {
            case '\a': sb.Append("\\a"); return;
            case '\b': sb.Append("\\b"); return;
            case '\f': sb.Append("\\f"); return;
            case '\n': sb.Append("\\n"); return;
            case '\r': sb.Append("\\r"); return;
            case '\t': sb.Append("\\t"); return;
            case '\v': sb.Append("\\v"); return;
        }
        if (r < ' ' || r == 0x7F)
        {
            sb.Append("\\x").Append(Hex[(r >> 4) & 0xF]).Append(Hex[r & 0xF]);
        }
        else if (r < 0x10000)
        {
            sb.Append("\\u");
            for (int s = 12; s >= 0; s -= 4)
            {
                sb.Append(Hex[(r >> s) & 0xF]);
            }
        }
        else
        {
            sb.Append("\\U");
            for (int s = 28; s >= 0; s -= 4)
            {
                sb.Append(Hex[(r >> s) & 0xF]);
            }
        }
    }

    private static readonly string[] Ascii = Enumerable.Range(0, 128).Select(c => ((char)c).ToString()).ToArray();

    /// <summary>A one-char string, cached for ASCII.</summary>
    public static string AsciiOrChar(char c) => c < 128 ? Ascii[c] : c.ToString();

    public static void AppendRune(StringBuilder sb, int r)
    {
        if (r < 0x10000)
        {
            sb.Append((char)r);
        }
        else
        {
            sb.Append(char.ConvertFromUtf32(r));
        }
    }

    /// <summary>Go's strconv.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.</summary>
    public static bool IsPrint(int r)
    {
        if (r < 0x20)
        {
            return false;
        }
        if (r < 0x7F)
        {
            return true;
        }
        if (r == 0x7F || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
        {
            return false;
        }
        switch (Rune.GetUnicodeCategory(new Rune(r)))
        {
            case UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
                or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark
                or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber
                or UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation
                or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
                or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation
                or UnicodeCategory.MathSymbol or UnicodeCategory.CurrencySymbol or UnicodeCategory.ModifierSymbol
                or UnicodeCategory.OtherSymbol:
                return true;
            default:
                return false;
        }
    }

    /// <summary>Go's %#U: U+0041 'A' (the quoted form only for printable runes).</summary>
    public static string FormatSharpU(int r)
    {
        var sb = new StringBuilder();
        AppendU(sb, r, sharp: true);
        return sb.ToString();
    }

    public static void AppendU(StringBuilder sb, long r, bool sharp)
    {
        sb.Append("U+");
        string hex = r < 0 ? unchecked((ulong)r).ToString("X", CultureInfo.InvariantCulture) : r.ToString("X", CultureInfo.InvariantCulture);
        if (hex.Length < 4)
        {
            sb.Append('0', 4 - hex.Length);
        }
        sb.Append(hex);
        if (sharp && r >= 0 && r <= 0x10FFFF && IsPrint((int)r))
        {
            sb.Append(" '");
            AppendRune(sb, (int)r);
            sb.Append('\'');
        }
    }

    public static string TruncateRunes(string s, int n)
    {
        int i = 0;
        int count = 0;
        while (i < s.Length && count < n)
        {
            i += char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]) ? 2 : 1;
            count++;
        }
        return s[..i];
    }

    public static bool CanBackquote(string s)
    {
        foreach (char c in s)
        {
            if (c == '`' || c == '\uFFFD' || (c < ' ' && c != '\t') || c == 0x7F)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Go's strconv.Unquote for "..." `...` and '...' literals.</summary>
    public static bool TryUnquote(string s, out string result)
    {
        result = "";
        if (s.Length < 2)
        {
            return false;
        }
        char quote = s[0];
        if (quote != s[^1])
        {
            return false;
        }
        string body = s[1..^1];
        if (quote == '`')
        {
            if (body.Contains('`', StringComparison.Ordinal))
            {
                return false;
            }
            result = body.Contains('\r', StringComparison.Ordinal) ? body.Replace("\r", "", StringComparison.Ordinal) : body;
            return true;
        }
        if (quote != '"' && quote != '\'')
        {
            return false;
        }
        if (body.Contains('\n', StringComparison.Ordinal))
        {
            return false;
        }
        var sb = new StringBuilder(body.Length);
        int i = 0;
        int runes = 0;
        while (i < body.Length)
        {
            if (!TryUnquoteChar(body, i, quote, out int r, out int next))
            {
                return false;
            }
            if (r < 0)
            {
                sb.Append((char)(-r - 1)); // a raw byte from \x or octal escapes
            }
            else
            {
                AppendRune(sb, r);
            }
            i = next;
            runes++;
            if (quote == '\'' && runes > 1)
            {
                return false;
            }
        }
        if (quote == '\'' && runes != 1)
        {
            return false;
        }
        result = sb.ToString();
        return true;
    }

    /// <summary>Decodes one (possibly escaped) character at <paramref name="i"/>. Byte escapes
    /// above 0x7F come back negative (-(byte+1)) so callers can tell them from runes.</summary>
    public static bool TryUnquoteChar(string s, int i, char quote, out int value, out int next)
    {
        value = 0;
        next = i;
        if (i >= s.Length)
        {
            return false;
        }
        char c = s[i];
        if (c == quote && (quote == '\'' || quote == '"'))
        {
            return false;
        }
        if (c != '\\')
        {
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                value = char.ConvertToUtf32(c, s[i + 1]);
                next = i + 2;
                return true;
            }
            value = c;
            next = i + 1;
            return true;
        }
        if (i + 1 >= s.Length)
        {
            return false;
        }
        c = s[i + 1];
        next = i + 2;
        switch (c)
        {
            case 'a': value = '\a'; return true;
            case 'b': value = '\b'; return true;
            case 'f': value = '\f'; return true;
            case 'n': value = '\n'; return true;
            case 'r': value = '\r'; return true;
            case 't': value = '\t'; return true;
            case 'v': value = '\v'; return true;
            case '\\': value = '\\'; return true;
            case 'x' or 'u' or 'U':
                {
                    int n = c == 'x' ? 2 : c == 'u' ? 4 : 8;
                    if (next + n > s.Length)
                    {
                        return false;
                    }
                    int v = 0;
                    for (int j = 0; j < n; j++)
                    {
                        int d = HexVal(s[next + j]);
                        if (d < 0)
                        {
                            return false;
                        }
                        v = (v << 4) | d;
                    }
                    next += n;
                    if (c == 'x')
                    {
                        value = v < 0x80 ? v : -v - 1;
                        return true;
                    }
                    if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) || v < 0)
                    {
                        return false;
                    }
                    value = v;
                    return true;
                }
            case >= '0' and <= '7':
                {
                    int v = c - '0';
                    if (next + 2 > s.Length)
                    {
                        return false;
                    }
                    for (int j = 0; j < 2; j++)
                    {
                        int d = s[next + j] - '0';
                        if (d < 0 || d > 7)
                        {
                            return false;
                        }
                        v = (v << 3) | d;
                    }
                    next += 2;
                    if (v > 255)
                    {
                        return false;
                    }
                    value = v < 0x80 ? v : -v - 1;
                    return true;
                }
            case '\'' or '"':
                if (c != quote)
                {
                    return false;
                }
                value = c;
                return true;
            default:
                return false;
        }
    }

    private static int HexVal(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
