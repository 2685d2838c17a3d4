using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Tend.Core.Config.Toml;

/// <summary>
/// Recursive-descent reader for one TOML 1.0 document. Works on UTF-16 text and reports positions as
/// 1-based line and code-point column.
/// </summary>
internal sealed partial class TomlReader
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
}
