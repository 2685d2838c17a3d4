using System.Globalization;
using System.Text;

namespace Tend.Core.Config.Hcl;

/// <summary>
/// Reads the subset of HCL (version 1, as consul-template's files are written) those files use:
/// <c>key = value</c> and <c>key [label …] { … }</c> entries separated by new lines or commas; strings with
/// escapes (<c>${…}</c> kept as written), heredocs (<c>&lt;&lt;EOF</c>, and <c>&lt;&lt;-EOF</c> which strips the
/// common indentation), numbers, <c>true</c>/<c>false</c>, lists and objects; <c>#</c>, <c>//</c> and
/// <c>/* */</c> comments. Every error is a <see cref="ConfigException"/> at <c>file:line:column</c>.
/// </summary>
public sealed class HclParser
{
    private const int MaxDepth = 64;
    private readonly string _file;
    private readonly string _text;
    private int _pos;
    private int _line = 1;
    private int _lineStart;
    private int _depth;

    private HclParser(string file, string text)
    {
        _file = file;
        _text = text;
    }

    /// <summary>Parses a whole file's text.</summary>
    /// <exception cref="ConfigException">The text is not valid HCL.</exception>
    public static HclObject Parse(string file, string text)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(text);
        var parser = new HclParser(file, text.Replace("\r\n", "\n", StringComparison.Ordinal));
        var body = parser.ParseBody(topLevel: true);
        return body;
    }

    private int Column => _pos - _lineStart + 1;

    private char Peek(int ahead = 0) => _pos + ahead < _text.Length ? _text[_pos + ahead] : '\0';

    private bool AtEnd => _pos >= _text.Length;

    private ConfigException Error(int line, int column, string reason) => new(_file, line, column, reason);

    private ConfigException Error(string reason) => Error(_line, Column, reason);

    private void Advance()
    {
        if (_text[_pos] == '\n')
        {
            _line++;
            _lineStart = _pos + 1;
        }

        _pos++;
    }

    /// <summary>Skips blanks and comments; with <paramref name="newlines"/>, new lines too. True when a new line was skipped.</summary>
    private bool SkipTrivia(bool newlines)
    {
        bool sawNewline = false;
        while (!AtEnd)
        {
            char c = Peek();
            if (c is ' ' or '\t' or '\r')
            {
                Advance();
            }
            else if (c == '\n')
            {
                if (!newlines)
                {
                    return sawNewline;
                }

                sawNewline = true;
                Advance();
            }
            else if (c == '#' || (c == '/' && Peek(1) == '/'))
            {
                while (!AtEnd && Peek() != '\n')
                {
                    Advance();
                }
            }
            else if (c == '/' && Peek(1) == '*')
            {
                int line = _line, column = Column;
                Advance();
                Advance();
                while (!(Peek() == '*' && Peek(1) == '/'))
                {
                    if (AtEnd)
                    {
                        throw Error(line, column, "comment /* is never closed with */");
                    }

                    Advance();
                }

                Advance();
                Advance();
            }
            else
            {
                break;
            }
        }

        return sawNewline;
    }

    private HclObject ParseBody(bool topLevel)
    {
        var entries = new List<HclEntry>();
        while (true)
        {
            SkipTrivia(newlines: true);
            if (AtEnd)
            {
                return new HclObject(entries);
            }

            if (Peek() == '}')
            {
                if (topLevel)
                {
                    throw Error("unexpected '}': no block is open here");
                }

                return new HclObject(entries);
            }

            entries.Add(ParseEntry());

            // An entry ends with a new line, a comma, the closing brace or the end of the file.
            bool newline = SkipTrivia(newlines: false);
            if (Peek() == ',')
            {
                Advance();
            }
            else if (!newline && !AtEnd && Peek() is not '\n' and not '}')
            {
                throw Error($"unexpected {Describe(Peek())} after the value of \"{entries[^1].Key}\": put each entry on its own line");
            }
        }
    }

    private HclEntry ParseEntry()
    {
        int line = _line, column = Column;
        var key = ParseKey("a key");
        SkipTrivia(newlines: false);
        if (Peek() == '=')
        {
            Advance();
            SkipTrivia(newlines: false);
            if (AtEnd || Peek() == '\n')
            {
                throw Error($"\"{key}\" has no value after '='");
            }

            return new HclEntry(key, ParseValue(), line, column);
        }

        // A block: key [label …] { … } is key = { label = { … } }.
        var labels = new List<(string Label, int Line, int Column)>();
        while (Peek() is '"' || IsIdentifierStart(Peek()))
        {
            int labelLine = _line, labelColumn = Column;
            labels.Add((ParseKey("a label"), labelLine, labelColumn));
            SkipTrivia(newlines: false);
        }

        if (Peek() != '{')
        {
            throw Error(AtEnd || Peek() == '\n'
                ? $"\"{key}\" needs '=' and a value, or a {{ block }}"
                : $"expected '=' or '{{' after \"{key}\", found {Describe(Peek())}");
        }

        int blockLine = _line, blockColumn = Column;
        var value = ParseObject();
        for (int i = labels.Count - 1; i >= 0; i--)
        {
            value = HclValue.Obj(new HclObject([new HclEntry(labels[i].Label, value, labels[i].Line, labels[i].Column)]), blockLine, blockColumn);
        }

        return new HclEntry(key, value, line, column);
    }

    private string ParseKey(string what)
    {
        if (Peek() == '"')
        {
            int line = _line, column = Column;
            var key = ParseQuoted();
            return key.Length > 0 ? key : throw Error(line, column, $"{what} must not be empty");
        }

        if (!IsIdentifierStart(Peek()))
        {
            throw Error($"expected {what}, found {Describe(Peek())}");
        }

        int start = _pos;
        while (!AtEnd && IsIdentifierPart(Peek()))
        {
            Advance();
        }

        return _text[start.._pos];
    }

    private HclValue ParseValue()
    {
        int line = _line, column = Column;
        char c = Peek();
        if (c == '"')
        {
            return HclValue.String(ParseQuoted(), line, column);
        }

        if (c == '<' && Peek(1) == '<')
        {
            return HclValue.String(ParseHeredoc(), line, column);
        }

        if (c == '[')
        {
            return ParseList();
        }

        if (c == '{')
        {
            return ParseObject();
        }

        if (c == '-' || char.IsAsciiDigit(c))
        {
            return HclValue.Number(ParseNumber(), line, column);
        }

        if (IsIdentifierStart(c))
        {
            int start = _pos;
            while (!AtEnd && IsIdentifierPart(Peek()))
            {
                Advance();
            }

            var word = _text[start.._pos];
            return word switch
            {
                "true" => HclValue.Boolean(true, line, column),
                "false" => HclValue.Boolean(false, line, column),
                _ => throw Error(line, column, $"unexpected word '{word}': a string value needs double quotes (\"{word}\")"),
            };
        }

        throw Error($"expected a value, found {Describe(c)}");
    }

    private HclValue ParseObject()
    {
        int line = _line, column = Column;
        if (++_depth > MaxDepth)
        {
            throw Error($"nesting deeper than {MaxDepth} levels");
        }

        Advance();
        var body = ParseBody(topLevel: false);
        if (AtEnd)
        {
            throw Error(line, column, "'{' is never closed with '}'");
        }

        Advance();
        _depth--;
        return HclValue.Obj(body, line, column);
    }

    private HclValue ParseList()
    {
        int line = _line, column = Column;
        if (++_depth > MaxDepth)
        {
            throw Error($"nesting deeper than {MaxDepth} levels");
        }

        Advance();
        var items = new List<HclValue>();
        while (true)
        {
            SkipTrivia(newlines: true);
            if (AtEnd)
            {
                throw Error(line, column, "'[' is never closed with ']'");
            }

            if (Peek() == ']')
            {
                Advance();
                _depth--;
                return HclValue.List(items, line, column);
            }

            items.Add(ParseValue());
            SkipTrivia(newlines: true);
            if (Peek() == ',')
            {
                Advance();
            }
            else if (Peek() != ']')
            {
                throw AtEnd ? Error(line, column, "'[' is never closed with ']'") : Error($"expected ',' or ']' in the list, found {Describe(Peek())}");
            }
        }
    }

    private string ParseNumber()
    {
        int start = _pos;
        if (Peek() == '-')
        {
            Advance();
        }

        if (!char.IsAsciiDigit(Peek()))
        {
            throw Error("expected a digit after '-'");
        }

        while (!AtEnd && (char.IsAsciiLetterOrDigit(Peek()) || Peek() == '.' || ((Peek() is '+' or '-') && _text[_pos - 1] is 'e' or 'E')))
        {
            Advance();
        }

        var text = _text[start.._pos];
        var probe = HclValue.Number(text, 0, 0);
        if (!probe.TryInteger(out _) && !double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out _))
        {
            throw Error(_line, start - _lineStart + 1, $"'{text}' is not a number");
        }

        return text;
    }

    private string ParseQuoted()
    {
        int line = _line, column = Column;
        Advance();
        var sb = new StringBuilder();
        int interpolation = 0;
        while (true)
        {
            if (AtEnd || Peek() == '\n')
            {
                throw Error(line, column, "string is not closed with '\"' on its line (use a <<EOF heredoc for several lines)");
            }

            char c = Peek();
            if (interpolation > 0)
            {
                // Inside ${ … } quotes and braces belong to the expression, kept as written.
                interpolation += c == '{' ? 1 : c == '}' ? -1 : 0;
                sb.Append(c);
                Advance();
                continue;
            }

            if (c == '"')
            {
                Advance();
                return sb.ToString();
            }

            if (c == '$' && Peek(1) == '{')
            {
                sb.Append("${");
                Advance();
                Advance();
                interpolation = 1;
                continue;
            }

            if (c != '\\')
            {
                sb.Append(c);
                Advance();
                continue;
            }

            int escLine = _line, escColumn = Column;
            Advance();
            char e = Peek();
            switch (e)
            {
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'v': sb.Append('\v'); break;
                case '"': sb.Append('"'); break;
                case '\\': sb.Append('\\'); break;
                case 'u' or 'U':
                    int digits = e == 'u' ? 4 : 8;
                    var hex = _pos + 1 + digits <= _text.Length ? _text.Substring(_pos + 1, digits) : string.Empty;
                    if (hex.Length != digits || !int.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code)
                        || code > 0x10FFFF || code is >= 0xD800 and <= 0xDFFF)
                    {
                        throw Error(escLine, escColumn, $"\\{e} needs {digits} hex digits of a Unicode code point");
                    }

                    sb.Append(char.ConvertFromUtf32(code));
                    for (int i = 0; i < digits; i++)
                    {
                        Advance();
                    }

                    break;
                default:
                    throw Error(escLine, escColumn, AtEnd || e == '\n' ? "string ends in a lone backslash" : $"unknown escape \\{e} (use \\\\ for a backslash)");
            }

            Advance();
        }
    }

    private string ParseHeredoc()
    {
        int line = _line, column = Column;
        Advance();
        Advance();
        bool indented = Peek() == '-';
        if (indented)
        {
            Advance();
        }

        int start = _pos;
        while (!AtEnd && IsIdentifierPart(Peek()))
        {
            Advance();
        }

        var marker = _text[start.._pos];
        if (marker.Length == 0)
        {
            throw Error("a heredoc needs a marker word after <<, as in <<EOF");
        }

        SkipTrivia(newlines: false);
        if (Peek() != '\n')
        {
            throw Error($"nothing may follow the heredoc marker {marker} on its line");
        }

        Advance();
        var lines = new List<string>();
        while (true)
        {
            if (AtEnd)
            {
                throw Error(line, column, $"heredoc is never closed with a line holding only {marker}");
            }

            int lineStart = _pos;
            while (!AtEnd && Peek() != '\n')
            {
                Advance();
            }

            var text = _text[lineStart.._pos];
            if ((indented ? text.Trim() : text.TrimEnd()) == marker)
            {
                break;
            }

            lines.Add(text);
            if (!AtEnd)
            {
                Advance();
            }
        }

        if (indented)
        {
            int strip = lines.Where(l => l.Trim().Length > 0).Select(l => l.Length - l.TrimStart(' ', '\t').Length).DefaultIfEmpty(0).Min();
            lines = lines.Select(l => l.Length >= strip ? l[strip..] : l.TrimStart(' ', '\t')).ToList();
        }

        return lines.Count == 0 ? string.Empty : string.Join('\n', lines) + "\n";
    }

    private static bool IsIdentifierStart(char c) => char.IsLetter(c) || c == '_';

    private static bool IsIdentifierPart(char c) => char.IsLetterOrDigit(c) || c is '_' or '-' or '.';

    private static string Describe(char c) => c switch
    {
        '\0' => "the end of the file",
        '\n' => "the end of the line",
        _ => $"'{c}'",
    };
}
