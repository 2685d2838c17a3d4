using System.Text;

namespace Tend.Core.Config.Toml;

// Basic, literal and multi-line strings and their escapes.
internal sealed partial class TomlReader
{
    // ---- strings ----

    private string ParseBasicString()
    {
        var open = _pos;
        _pos++;
        var sb = new StringBuilder();
        while (true)
        {
            var c = Peek();
            switch (c)
            {
                case -1:
                case '\n':
                    throw Error(c == -1 ? open : _pos, "unterminated string");
                case '"':
                    _pos++;
                    return sb.ToString();
                case '\\':
                    ParseEscape(sb);
                    break;
                default:
                    if (IsControl(c))
                    {
                        throw Error(_pos, $"{Describe(c)} must be escaped in a string");
                    }

                    sb.Append((char)c);
                    _pos++;
                    break;
            }
        }
    }

    private string ParseMultilineBasicString()
    {
        var open = _pos;
        _pos += 3;
        TryConsumeNewline();
        var sb = new StringBuilder();
        while (true)
        {
            var c = Peek();
            if (c == -1)
            {
                throw Error(open, "unterminated multi-line string");
            }

            if (c == '"')
            {
                if (ConsumeQuotes('"', sb))
                {
                    return sb.ToString();
                }
            }
            else if (c == '\\')
            {
                var j = _pos + 1;
                while (j < _s.Length && (_s[j] == ' ' || _s[j] == '\t'))
                {
                    j++;
                }

                if (j < _s.Length && (_s[j] == '\n' || _s[j] == '\r'))
                {
                    // Line-ending backslash: drop the newline and all whitespace up to the next content.
                    _pos = j;
                    while (TryConsumeNewline())
                    {
                        SkipWhitespace();
                    }
                }
                else
                {
                    ParseEscape(sb);
                }
            }
            else if (TryConsumeNewline())
            {
                sb.Append('\n');
            }
            else if (IsControl(c))
            {
                throw Error(_pos, $"{Describe(c)} must be escaped in a string");
            }
            else
            {
                sb.Append((char)c);
                _pos++;
            }
        }
    }

    /// <summary>
    /// At a run of quote characters inside a multi-line string: up to two quotes are content, three end
    /// the string, and one or two more right before the closing three are content too.
    /// </summary>
    private bool ConsumeQuotes(char quote, StringBuilder sb)
    {
        var start = _pos;
        var n = 0;
        while (Peek() == quote)
        {
            n++;
            _pos++;
        }

        if (n < 3)
        {
            sb.Append(quote, n);
            return false;
        }

        if (n > 5)
        {
            throw Error(start + 5, "too many quotes at the end of a multi-line string");
        }

        sb.Append(quote, n - 3);
        return true;
    }

    private string ParseLiteralString()
    {
        var open = _pos;
        _pos++;
        var start = _pos;
        while (true)
        {
            var c = Peek();
            if (c == -1 || c == '\n')
            {
                throw Error(c == -1 ? open : _pos, "unterminated literal string");
            }

            if (c == '\'')
            {
                var text = _s[start.._pos];
                _pos++;
                return text;
            }

            if (IsControl(c))
            {
                throw Error(_pos, $"{Describe(c)} is not allowed in a literal string");
            }

            _pos++;
        }
    }

    private string ParseMultilineLiteralString()
    {
        var open = _pos;
        _pos += 3;
        TryConsumeNewline();
        var sb = new StringBuilder();
        while (true)
        {
            var c = Peek();
            if (c == -1)
            {
                throw Error(open, "unterminated multi-line literal string");
            }

            if (c == '\'')
            {
                if (ConsumeQuotes('\'', sb))
                {
                    return sb.ToString();
                }
            }
            else if (TryConsumeNewline())
            {
                sb.Append('\n');
            }
            else if (IsControl(c))
            {
                throw Error(_pos, $"{Describe(c)} is not allowed in a literal string");
            }
            else
            {
                sb.Append((char)c);
                _pos++;
            }
        }
    }

    private void ParseEscape(StringBuilder sb)
    {
        var start = _pos;
        _pos++; // backslash
        var c = Peek();
        _pos++;
        switch (c)
        {
            case 'b': sb.Append('\b'); return;
            case 't': sb.Append('\t'); return;
            case 'n': sb.Append('\n'); return;
            case 'f': sb.Append('\f'); return;
            case 'r': sb.Append('\r'); return;
            case '"': sb.Append('"'); return;
            case '\\': sb.Append('\\'); return;
            case 'u':
            case 'U':
                var digits = c == 'u' ? 4 : 8;
                var code = 0L;
                for (var i = 0; i < digits; i++)
                {
                    var h = Peek();
                    if (h == -1 || !char.IsAsciiHexDigit((char)h))
                    {
                        throw Error(start, $"\\{(char)c} escape needs {digits} hexadecimal digits");
                    }

                    code = (code * 16) + HexValue((char)h);
                    _pos++;
                }

                if (code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
                {
                    throw Error(start, $"\\{(char)c} escape U+{code:X} is not a Unicode scalar value");
                }

                sb.Append(char.ConvertFromUtf32((int)code));
                return;
            default:
                throw Error(start, c == -1 ? "unterminated escape sequence" : $"invalid escape sequence '\\{(char)c}'");
        }
    }
}
