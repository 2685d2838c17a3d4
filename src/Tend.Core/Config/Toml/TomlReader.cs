using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace Tend.Core.Config.Toml;

/// <summary>
/// Recursive-descent reader for one TOML 1.0 document. Works on UTF-16 text and reports positions as
/// 1-based line and code-point column.
/// </summary>
internal sealed class TomlReader
{
    // Arrays and inline tables recurse; bounding the depth turns hostile input into an error instead of
    // a stack overflow, which cannot be caught.
    internal const int MaxNestingDepth = 128;

    // Dotted keys also create nesting (and recursion when sealing or writing), so they are bounded too.
    internal const int MaxKeyParts = 128;

    private readonly string _s;
    private readonly List<int> _lineStarts = [0];
    private readonly TomlTable _root = new(TomlTableOrigin.Root, 1, 1);
    private TomlTable _current;
    private int _pos;
    private (int Index, int Line, int Column) _lastPosition;

    private TomlReader(string text)
    {
        _s = text;
        _current = _root;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                _lineStarts.Add(i + 1);
            }
        }
    }

    /// <param name="text">The document.</param>
    /// <param name="skipByteOrderMark">
    /// False when the caller already removed the mark (from bytes); a second mark is then content, and invalid.
    /// </param>
    public static TomlTable Read(string text, bool skipByteOrderMark)
    {
        if (skipByteOrderMark && text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }

        var reader = new TomlReader(text);
        reader.CheckSurrogates();
        reader.ParseDocument();
        return reader._root;
    }

    /// <summary>Decodes strictly; a malformed sequence becomes a positioned <see cref="TomlException"/>.</summary>
    public static string DecodeUtf8(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length >= 3 && utf8[0] == 0xEF && utf8[1] == 0xBB && utf8[2] == 0xBF)
        {
            utf8 = utf8[3..];
        }

        var buffer = new char[utf8.Length];
        var status = Utf8.ToUtf16(utf8, buffer, out _, out var written, replaceInvalidSequences: false);
        if (status != OperationStatus.Done)
        {
            // Position the error just after the valid prefix by reading that prefix as a document text.
            var prefix = new TomlReader(new string(buffer, 0, written));
            throw prefix.Error(written, "invalid UTF-8 byte sequence");
        }

        return new string(buffer, 0, written);
    }

    private void CheckSurrogates()
    {
        for (var i = 0; i < _s.Length; i++)
        {
            var c = _s[i];
            if (char.IsHighSurrogate(c) && i + 1 < _s.Length && char.IsLowSurrogate(_s[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                throw Error(i, "unpaired UTF-16 surrogate (text is not valid Unicode)");
            }
        }
    }

    // ---- positions and errors ----

    private (int Line, int Column) PositionOf(int index)
    {
        index = Math.Clamp(index, 0, _s.Length);

        // Values are positioned as they are parsed, mostly moving forward; continuing from the last
        // answer keeps a long single-line document linear instead of quadratic.
        if (_lastPosition.Line > 0 && index >= _lastPosition.Index && index < LineEnd(_lastPosition.Line))
        {
            var col = _lastPosition.Column + CountCodePoints(_lastPosition.Index, index);
            _lastPosition = (index, _lastPosition.Line, col);
            return (_lastPosition.Line, col);
        }

        var lo = 0;
        var hi = _lineStarts.Count - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (_lineStarts[mid] <= index)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        var column = 1 + CountCodePoints(_lineStarts[lo], index);
        _lastPosition = (index, lo + 1, column);
        return (lo + 1, column);
    }

    /// <summary>Index just past the last character of a 1-based line (its '\n' or the end of text).</summary>
    private int LineEnd(int line) => line < _lineStarts.Count ? _lineStarts[line] : _s.Length + 1;

    private int CountCodePoints(int from, int to)
    {
        var count = 0;
        for (var i = from; i < to; i++)
        {
            // Count code points, not UTF-16 units, so a column matches what an editor shows.
            if (!(char.IsLowSurrogate(_s[i]) && i > from && char.IsHighSurrogate(_s[i - 1])))
            {
                count++;
            }
        }

        return count;
    }

    private TomlException Error(int index, string reason)
    {
        var (line, column) = PositionOf(index);
        return new TomlException(line, column, reason);
    }

    private static string Describe(int c) => c switch
    {
        -1 => "end of input",
        '\n' => "end of line",
        '\r' => "carriage return",
        '\t' => "tab",
        < 0x20 or 0x7F => $"control character U+{c:X4}",
        _ => $"'{(char)c}'",
    };

    private int Peek(int offset = 0)
    {
        var i = _pos + offset;
        return i < _s.Length ? _s[i] : -1;
    }

    private static bool IsControl(int c) => (c < 0x20 && c != '\t' && c >= 0) || c == 0x7F;

    // ---- document structure ----

    private void ParseDocument()
    {
        while (true)
        {
            SkipWhitespace();
            var c = Peek();
            if (c == '[')
            {
                ParseTableHeader();
            }
            else if (c != '#' && c != '\n' && c != '\r' && c != -1)
            {
                ParseKeyValue(_current);
            }

            SkipWhitespace();
            if (Peek() == '#')
            {
                SkipComment();
            }

            c = Peek();
            if (c == -1)
            {
                return;
            }

            if (!TryConsumeNewline())
            {
                throw Error(_pos, $"expected end of line, found {Describe(c)}");
            }
        }
    }

    private void SkipWhitespace()
    {
        while (_pos < _s.Length && (_s[_pos] == ' ' || _s[_pos] == '\t'))
        {
            _pos++;
        }
    }

    private bool TryConsumeNewline()
    {
        var c = Peek();
        if (c == '\n')
        {
            _pos++;
            return true;
        }

        if (c == '\r')
        {
            if (Peek(1) != '\n')
            {
                throw Error(_pos, "carriage return must be followed by a line feed");
            }

            _pos += 2;
            return true;
        }

        return false;
    }

    private void SkipComment()
    {
        _pos++; // '#'
        while (_pos < _s.Length)
        {
            var c = _s[_pos];
            if (c == '\n' || (c == '\r' && Peek(1) == '\n'))
            {
                return;
            }

            if (IsControl(c))
            {
                throw Error(_pos, $"{Describe(c)} is not allowed in a comment");
            }

            _pos++;
        }
    }

    /// <summary>Inside arrays: whitespace, comments and newlines may appear between elements.</summary>
    private void SkipWhitespaceCommentsAndNewlines()
    {
        while (true)
        {
            SkipWhitespace();
            if (Peek() == '#')
            {
                SkipComment();
            }
            else if (!TryConsumeNewline())
            {
                return;
            }
        }
    }

    private void Expect(char expected, string context)
    {
        if (Peek() != expected)
        {
            throw Error(_pos, $"expected '{expected}' {context}, found {Describe(Peek())}");
        }

        _pos++;
    }

    // ---- keys ----

    private readonly record struct KeyPart(string Name, int Index, int Line, int Column);

    private List<KeyPart> ParseKey()
    {
        var parts = new List<KeyPart>();
        while (true)
        {
            if (parts.Count == MaxKeyParts)
            {
                throw Error(_pos, $"a dotted key may have at most {MaxKeyParts} parts");
            }

            parts.Add(ParseSimpleKey());
            SkipWhitespace();
            if (Peek() != '.')
            {
                return parts;
            }

            _pos++;
            SkipWhitespace();
        }
    }

    private KeyPart ParseSimpleKey()
    {
        var start = _pos;
        var c = Peek();
        if (c == '"' || c == '\'')
        {
            if (Peek(1) == c && Peek(2) == c)
            {
                throw Error(start, "a multi-line string cannot be used as a key");
            }

            var name = c == '"' ? ParseBasicString() : ParseLiteralString();
            return MakeKeyPart(name, start);
        }

        while (_pos < _s.Length && IsBareKeyChar(_s[_pos]))
        {
            _pos++;
        }

        if (_pos == start)
        {
            throw Error(start, $"expected a key, found {Describe(c)}");
        }

        return MakeKeyPart(_s[start.._pos], start);
    }

    // Positions are taken while reading forward (see PositionOf), not after the value has been parsed.
    private KeyPart MakeKeyPart(string name, int start)
    {
        var (line, column) = PositionOf(start);
        return new KeyPart(name, start, line, column);
    }

    private static bool IsBareKeyChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_' || c == '-';

    private string JoinKey(List<KeyPart> parts, int count)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                sb.Append('.');
            }

            var name = parts[i].Name;
            sb.Append(name.Length > 0 && name.All(IsBareKeyChar) ? name : $"\"{name}\"");
        }

        return sb.ToString();
    }

    // ---- tables and key/value pairs ----

    private void ParseTableHeader()
    {
        var start = _pos;
        var (line, column) = PositionOf(start);
        var isArray = Peek(1) == '[';
        _pos += isArray ? 2 : 1;
        SkipWhitespace();
        var parts = ParseKey();
        SkipWhitespace();
        if (isArray)
        {
            if (Peek() != ']' || Peek(1) != ']')
            {
                throw Error(_pos, $"expected ']]' to close the array-of-tables header, found {Describe(Peek())}");
            }

            _pos += 2;
        }
        else
        {
            Expect(']', "to close the table header");
        }

        var table = _root;
        for (var i = 0; i < parts.Count - 1; i++)
        {
            var part = parts[i];
            if (!table.TryGetEntry(part.Name, out var entry))
            {
                var (kl, kc) = (part.Line, part.Column);
                var created = new TomlTable(TomlTableOrigin.Implicit, kl, kc);
                table.Add(new TomlEntry(part.Name, created, kl, kc));
                table = created;
            }
            else if (entry.Value is TomlTable existing && !existing.IsSealed)
            {
                table = existing;
            }
            else if (entry.Value is TomlArray { IsArrayOfTables: true } tables)
            {
                table = (TomlTable)tables[^1];
            }
            else
            {
                throw Error(part.Index, $"cannot define a table under \"{JoinKey(parts, i + 1)}\": it is {DescribeExisting(entry.Value)}");
            }
        }

        var last = parts[^1];
        var (keyLine, keyColumn) = (last.Line, last.Column);
        var fullName = JoinKey(parts, parts.Count);
        table.TryGetEntry(last.Name, out var lastEntry);
        if (isArray)
        {
            TomlArray array;
            if (lastEntry is null)
            {
                array = new TomlArray(isArrayOfTables: true, line, column);
                table.Add(new TomlEntry(last.Name, array, keyLine, keyColumn));
            }
            else if (lastEntry.Value is TomlArray { IsArrayOfTables: true } existingArray)
            {
                array = existingArray;
            }
            else
            {
                throw Error(last.Index, $"cannot define array of tables \"{fullName}\": it is already {DescribeExisting(lastEntry.Value)}");
            }

            var element = new TomlTable(TomlTableOrigin.ArrayElement, line, column);
            array.Add(element);
            _current = element;
            return;
        }

        if (lastEntry is null)
        {
            var created = new TomlTable(TomlTableOrigin.Header, line, column);
            table.Add(new TomlEntry(last.Name, created, keyLine, keyColumn));
            _current = created;
        }
        else if (lastEntry.Value is TomlTable { Origin: TomlTableOrigin.Implicit, IsSealed: false } implicitTable)
        {
            implicitTable.Origin = TomlTableOrigin.Header;
            implicitTable.Line = line;
            implicitTable.Column = column;
            _current = implicitTable;
        }
        else
        {
            throw Error(last.Index, $"cannot define table \"{fullName}\": it is already {DescribeExisting(lastEntry.Value)}");
        }
    }

    private static string DescribeExisting(TomlValue value) => value switch
    {
        TomlTable { IsSealed: true } => "an inline table, which cannot be extended",
        TomlTable { Origin: TomlTableOrigin.Header or TomlTableOrigin.ArrayElement } t => $"a table defined at line {t.Line}",
        TomlTable { Origin: TomlTableOrigin.DottedKey } t => $"a table defined by dotted keys at line {t.Line}",
        TomlTable t => $"a table created implicitly at line {t.Line}",
        TomlArray { IsArrayOfTables: true } a => $"an array of tables defined at line {a.Line}",
        _ => $"a value of type {value.Kind} defined at line {value.Line}",
    };

    private void ParseKeyValue(TomlTable target, int depth = 0)
    {
        var keyStart = _pos;
        var parts = ParseKey();
        SkipWhitespace();
        Expect('=', "after the key");
        SkipWhitespace();

        // Each dotted segment but the last adds a level of table nesting, just like an inline table does.
        depth += parts.Count - 1;
        if (depth > MaxNestingDepth)
        {
            throw Error(keyStart, $"tables and arrays are nested more than {MaxNestingDepth} deep");
        }

        var value = ParseValue(depth);

        var table = target;
        for (var i = 0; i < parts.Count - 1; i++)
        {
            var part = parts[i];
            if (!table.TryGetEntry(part.Name, out var entry))
            {
                var (kl, kc) = (part.Line, part.Column);
                var created = new TomlTable(TomlTableOrigin.DottedKey, kl, kc);
                table.Add(new TomlEntry(part.Name, created, kl, kc));
                table = created;
            }
            else if (entry.Value is TomlTable { Origin: TomlTableOrigin.DottedKey, IsSealed: false } dotted)
            {
                table = dotted;
            }
            else
            {
                // Tables from headers (even implicit ones) may not be re-opened with dotted keys; see
                // toml-lang/toml#846.
                throw Error(part.Index, $"cannot add keys to \"{JoinKey(parts, i + 1)}\" with a dotted key: it is {DescribeExisting(entry.Value)}");
            }
        }

        var last = parts[^1];
        if (table.TryGetEntry(last.Name, out var duplicate))
        {
            throw Error(last.Index, $"duplicate key \"{JoinKey(parts, parts.Count)}\": already {DescribeExisting(duplicate.Value)}");
        }

        table.Add(new TomlEntry(last.Name, value, last.Line, last.Column));
    }

    // ---- values ----

    /// <param name="depth">How many tables and arrays enclose the value within the current section.</param>
    private TomlValue ParseValue(int depth)
    {
        if ((Peek() == '[' || Peek() == '{') && depth + 1 > MaxNestingDepth)
        {
            throw Error(_pos, $"tables and arrays are nested more than {MaxNestingDepth} deep");
        }

        var start = _pos;
        var (line, column) = PositionOf(start);
        switch (Peek())
        {
            case '"':
                return new TomlString(
                    Peek(1) == '"' && Peek(2) == '"' ? ParseMultilineBasicString() : ParseBasicString(), line, column);
            case '\'':
                return new TomlString(
                    Peek(1) == '\'' && Peek(2) == '\'' ? ParseMultilineLiteralString() : ParseLiteralString(), line, column);
            case '[':
                return ParseArray(depth + 1, line, column);
            case '{':
                return ParseInlineTable(depth + 1, line, column);
            default:
                return ParseScalar(line, column);
        }
    }

    private TomlArray ParseArray(int depth, int line, int column)
    {
        var open = _pos;
        _pos++;
        var array = new TomlArray(isArrayOfTables: false, line, column);
        while (true)
        {
            SkipWhitespaceCommentsAndNewlines();
            if (Peek() == ']')
            {
                _pos++;
                return array;
            }

            if (Peek() == -1)
            {
                throw Error(open, "unterminated array");
            }

            array.Add(ParseValue(depth));
            SkipWhitespaceCommentsAndNewlines();
            var c = Peek();
            if (c == ',')
            {
                _pos++;
            }
            else if (c != ']')
            {
                throw Error(_pos, $"expected ',' or ']' in array, found {Describe(c)}");
            }
        }
    }

    private TomlTable ParseInlineTable(int depth, int line, int column)
    {
        _pos++;
        var table = new TomlTable(TomlTableOrigin.Inline, line, column);
        SkipWhitespace();
        if (Peek() == '}')
        {
            _pos++;
        }
        else
        {
            while (true)
            {
                SkipWhitespace();
                ParseKeyValue(table, depth);
                SkipWhitespace();
                var c = Peek();
                if (c == '}')
                {
                    _pos++;
                    break;
                }

                if (c != ',')
                {
                    throw Error(_pos, $"expected ',' or '}}' in inline table, found {Describe(c)}");
                }

                _pos++;
            }
        }

        Seal(table);
        return table;
    }

    private static void Seal(TomlTable table)
    {
        if (table.IsSealed)
        {
            return;
        }

        table.IsSealed = true;
        foreach (var entry in table.Entries)
        {
            if (entry.Value is TomlTable child)
            {
                Seal(child);
            }
        }
    }

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

    // ---- scalars: booleans, numbers, date-times ----

    private static int HexValue(char c) => char.IsAsciiDigit(c) ? c - '0' : (char.ToLowerInvariant(c) - 'a' + 10);

    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c == '_' || c == '+' || c == '-' || c == '.' || c == ':';

    private TomlValue ParseScalar(int line, int column)
    {
        var start = _pos;
        while (_pos < _s.Length && IsTokenChar(_s[_pos]))
        {
            _pos++;
        }

        if (_pos == start)
        {
            throw Error(start, $"expected a value, found {Describe(Peek())}");
        }

        var token = _s[start.._pos];

        // A date and a time may be separated by a single space: "1979-05-27 07:32:00".
        if (token.Length == 10 && LooksLikeDate(token) && Peek() == ' ' && Peek(1) >= '0' && Peek(1) <= '9')
        {
            _pos++;
            var timeStart = _pos;
            while (_pos < _s.Length && IsTokenChar(_s[_pos]))
            {
                _pos++;
            }

            token = token + "T" + _s[timeStart.._pos];
        }

        switch (token)
        {
            case "true":
                return new TomlBoolean(true, line, column);
            case "false":
                return new TomlBoolean(false, line, column);
            case "inf" or "+inf":
                return new TomlFloat(double.PositiveInfinity, line, column);
            case "-inf":
                return new TomlFloat(double.NegativeInfinity, line, column);
            case "nan" or "+nan" or "-nan":
                return new TomlFloat(double.NaN, line, column);
        }

        if ((token.Length >= 3 && token[2] == ':') || LooksLikeDate(token))
        {
            return ParseDateTime(token, start, line, column);
        }

        if (token.Length >= 2 && token[0] == '0' && token[1] is 'x' or 'o' or 'b')
        {
            return new TomlInteger(ParseRadixInteger(token, start), line, column);
        }

        if (token.Contains('.', StringComparison.Ordinal) || token.Contains('e', StringComparison.Ordinal) || token.Contains('E', StringComparison.Ordinal))
        {
            return new TomlFloat(ParseFloat(token, start), line, column);
        }

        return new TomlInteger(ParseDecimalInteger(token, start), line, column);
    }

    private static bool LooksLikeDate(string t) =>
        t.Length >= 10 && char.IsAsciiDigit(t[0]) && char.IsAsciiDigit(t[1]) && char.IsAsciiDigit(t[2])
        && char.IsAsciiDigit(t[3]) && t[4] == '-';

    /// <summary>
    /// Scans digits in which each underscore must sit between two digits. Returns false if there is no
    /// leading digit or an underscore is misplaced.
    /// </summary>
    private static bool ScanDigits(string t, ref int i, Func<char, bool> isDigit)
    {
        if (i >= t.Length || !isDigit(t[i]))
        {
            return false;
        }

        i++;
        while (i < t.Length)
        {
            if (isDigit(t[i]))
            {
                i++;
            }
            else if (t[i] == '_')
            {
                if (i + 1 >= t.Length || !isDigit(t[i + 1]))
                {
                    return false;
                }

                i++;
            }
            else
            {
                break;
            }
        }

        return true;
    }

    private long ParseDecimalInteger(string t, int start)
    {
        var i = t[0] is '+' or '-' ? 1 : 0;
        var digitsStart = i;
        if (!ScanDigits(t, ref i, char.IsAsciiDigit) || i != t.Length)
        {
            throw Error(start, $"invalid value '{t}'");
        }

        if (t[digitsStart] == '0' && i - digitsStart > 1)
        {
            throw Error(start, $"leading zeros are not allowed in integer '{t}'");
        }

        if (!long.TryParse(t.Replace("_", "", StringComparison.Ordinal), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw Error(start, $"integer '{t}' is outside the 64-bit signed range");
        }

        return value;
    }

    private long ParseRadixInteger(string t, int start)
    {
        var (radix, isDigit) = t[1] switch
        {
            'x' => (16, (Func<char, bool>)char.IsAsciiHexDigit),
            'o' => (8, c => c is >= '0' and <= '7'),
            _ => (2, c => c is '0' or '1'),
        };
        var i = 2;
        if (!ScanDigits(t, ref i, isDigit) || i != t.Length)
        {
            throw Error(start, $"invalid base-{radix} integer '{t}'");
        }

        long value = 0;
        for (var j = 2; j < t.Length; j++)
        {
            if (t[j] == '_')
            {
                continue;
            }

            var d = HexValue(t[j]);
            if (value > (long.MaxValue - d) / radix)
            {
                throw Error(start, $"integer '{t}' is outside the 64-bit signed range");
            }

            value = (value * radix) + d;
        }

        return value;
    }

    private double ParseFloat(string t, int start)
    {
        var i = t[0] is '+' or '-' ? 1 : 0;
        var intStart = i;
        var ok = ScanDigits(t, ref i, char.IsAsciiDigit);
        if (ok && t[intStart] == '0' && i - intStart > 1)
        {
            throw Error(start, $"leading zeros are not allowed in float '{t}'");
        }

        if (ok && i < t.Length && t[i] == '.')
        {
            i++;
            ok = ScanDigits(t, ref i, char.IsAsciiDigit);
        }

        if (ok && i < t.Length && t[i] is 'e' or 'E')
        {
            i++;
            if (i < t.Length && t[i] is '+' or '-')
            {
                i++;
            }

            ok = ScanDigits(t, ref i, char.IsAsciiDigit);
        }

        if (!ok || i != t.Length)
        {
            throw Error(start, $"invalid float '{t}'");
        }

        return double.Parse(t.Replace("_", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    private TomlValue ParseDateTime(string t, int start, int line, int column)
    {
        var i = 0;
        if (t.Length >= 3 && t[2] == ':')
        {
            var (time, digits) = ParseTime(t, ref i, start);
            if (i != t.Length)
            {
                throw Error(start, $"invalid local time '{t}'");
            }

            return new TomlLocalTime(TimeOnly.FromTimeSpan(time), digits, line, column);
        }

        var date = ParseDate(t, start);
        if (t.Length == 10)
        {
            return new TomlLocalDate(date, line, column);
        }

        if (t[10] is not ('T' or 't'))
        {
            throw Error(start, $"invalid date-time '{t}'");
        }

        i = 11;
        var (timeOfDay, fractionDigits) = ParseTime(t, ref i, start);
        var local = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified) + timeOfDay;
        if (i == t.Length)
        {
            return new TomlLocalDateTime(local, fractionDigits, line, column);
        }

        TimeSpan offset;
        if (t[i] is 'Z' or 'z' && i + 1 == t.Length)
        {
            offset = TimeSpan.Zero;
        }
        else if (t[i] is '+' or '-' && i + 6 == t.Length && t[i + 3] == ':'
            && TwoDigits(t, i + 1, out var oh) && TwoDigits(t, i + 4, out var om))
        {
            if (oh > 23 || om > 59)
            {
                throw Error(start, $"offset out of range in '{t}'");
            }

            offset = new TimeSpan(oh, om, 0);
            if (t[i] == '-')
            {
                offset = -offset;
            }
        }
        else
        {
            throw Error(start, $"invalid date-time '{t}'");
        }

        // DateTimeOffset only holds offsets up to ±14:00 and instants within years 1..9999.
        if (offset.Duration() > TimeSpan.FromHours(14))
        {
            throw Error(start, $"offset in '{t}' is beyond ±14:00, which is not supported");
        }

        var utcTicks = local.Ticks - offset.Ticks;
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
        {
            throw Error(start, $"date-time '{t}' is out of the supported range");
        }

        return new TomlOffsetDateTime(new DateTimeOffset(local, offset), fractionDigits, line, column);
    }

    private static bool TwoDigits(string t, int i, out int value)
    {
        value = 0;
        if (i + 1 >= t.Length || !char.IsAsciiDigit(t[i]) || !char.IsAsciiDigit(t[i + 1]))
        {
            return false;
        }

        value = ((t[i] - '0') * 10) + (t[i + 1] - '0');
        return true;
    }

    private DateOnly ParseDate(string t, int start)
    {
        if (t.Length < 10 || !TwoDigits(t, 0, out var y1) || !TwoDigits(t, 2, out var y2) || t[4] != '-'
            || !TwoDigits(t, 5, out var month) || t[7] != '-' || !TwoDigits(t, 8, out var day))
        {
            throw Error(start, $"invalid date '{t}' (expected YYYY-MM-DD)");
        }

        var year = (y1 * 100) + y2;
        if (year < 1 || month < 1 || month > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            throw Error(start, $"date '{t[..10]}' does not exist");
        }

        return new DateOnly(year, month, day);
    }

    private (TimeSpan Time, int FractionDigits) ParseTime(string t, ref int i, int start)
    {
        if (!TwoDigits(t, i, out var hour) || i + 2 >= t.Length || t[i + 2] != ':'
            || !TwoDigits(t, i + 3, out var minute) || i + 5 >= t.Length || t[i + 5] != ':'
            || !TwoDigits(t, i + 6, out var second))
        {
            throw Error(start, $"invalid time in '{t}' (expected HH:MM:SS)");
        }

        if (hour > 23 || minute > 59 || second > 59)
        {
            throw Error(start, $"time in '{t}' is out of range");
        }

        i += 8;
        long ticks = 0;
        var digits = 0;
        if (i < t.Length && t[i] == '.')
        {
            i++;
            while (i < t.Length && char.IsAsciiDigit(t[i]))
            {
                // Keep 7 digits (100 ns ticks); TOML lets parsers truncate extra precision.
                if (digits < 7)
                {
                    ticks = (ticks * 10) + (t[i] - '0');
                }

                digits++;
                i++;
            }

            if (digits == 0)
            {
                throw Error(start, $"missing digits after '.' in '{t}'");
            }

            for (var d = digits; d < 7; d++)
            {
                ticks *= 10;
            }
        }

        return (new TimeSpan(hour, minute, second) + TimeSpan.FromTicks(ticks), digits);
    }
}
