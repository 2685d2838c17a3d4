using System.Text;
using Tend.Templates.Formatting;

namespace Tend.Templates.Parsing;

internal enum ItemType
{
    Error,
    Bool,
    Char,
    CharConstant,
    Comment,
    Complex,
    Assign,
    Declare,
    Eof,
    Field,
    Identifier,
    LeftDelim,
    LeftParen,
    Number,
    Pipe,
    RawString,
    RightDelim,
    RightParen,
    Space,
    String,
    Text,
    Variable,
    Keyword, // marker: everything after is a keyword
    Block,
    Break,
    Continue,
    Dot,
    Define,
    Else,
    End,
    If,
    Nil,
    Range,
    Template,
    With,
}

internal readonly record struct Item(ItemType Type, int Pos, string Val, int Line)
{
    /// <summary>Go's item.String(): how a token is quoted inside parse error messages.</summary>
    public override string ToString()
    {
        if (Type == ItemType.Eof)
        {
            return "EOF";
        }
        if (Type == ItemType.Error)
        {
            return Val;
        }
        if (Type > ItemType.Keyword)
        {
            return "<" + Val + ">";
        }
        if (Val.Length > 10)
        {
            // %.10q truncates to ten runes before quoting.
            return GoStrings.Quote(GoStrings.TruncateRunes(Val, 10)) + "...";
        }
        return GoStrings.Quote(Val);
    }
}

/// <summary>
/// A synchronous port of the state machine of Go's text/template lexer: the token stream (and
/// therefore every parse error) is the same as Go's. Positions are char offsets into the text.
/// </summary>
internal sealed class Lexer
{
    private readonly string _leftDelim;
    private readonly string _rightDelim;
    private const string LeftComment = "/*";
    private const string RightComment = "*/";
    private const int Eof = -1;

    private readonly string _input;
    private readonly Queue<Item> _items = new();
    private int _pos;
    private int _start;
    private bool _atEof;
    private int _parenDepth;
    private int _line = 1;
    private int _startLine = 1;
    private State? _state;

    private delegate State? State(Lexer l);

    public Lexer(string input, string? leftDelim = null, string? rightDelim = null)
    {
        _input = input;
        // Go's Delims: an empty delimiter means the default.
        _leftDelim = string.IsNullOrEmpty(leftDelim) ? "{{" : leftDelim;
        _rightDelim = string.IsNullOrEmpty(rightDelim) ? "}}" : rightDelim;
        _state = LexText;
    }

    public Item NextItem()
    {
        while (_items.Count == 0)
        {
            if (_state is null)
            {
                // After EOF or an error the stream ends; repeat EOF like a closed channel would give zero items.
                return new Item(ItemType.Eof, _pos, "", _line);
            }
            _state = _state(this);
        }
        return _items.Dequeue();
    }

    private int Next()
    {
        if (_pos >= _input.Length)
        {
            _atEof = true;
            return Eof;
        }
        int r = _input[_pos];
        if (char.IsHighSurrogate((char)r) && _pos + 1 < _input.Length && char.IsLowSurrogate(_input[_pos + 1]))
        {
            r = char.ConvertToUtf32((char)r, _input[_pos + 1]);
            _pos += 2;
        }
        else
        {
            _pos++;
        }
        if (r == '\n')
        {
            _line++;
        }
        return r;
    }

    private int Peek()
    {
        int r = Next();
        Backup();
        return r;
    }

    private void Backup()
    {
        if (!_atEof && _pos > 0)
        {
            char c = _input[_pos - 1];
            if (char.IsLowSurrogate(c) && _pos > 1 && char.IsHighSurrogate(_input[_pos - 2]))
            {
                _pos -= 2;
            }
            else
            {
                _pos--;
            }
            if (c == '\n')
            {
                _line--;
            }
        }
    }

    private static readonly string[] AsciiStrings = Enumerable.Range(0, 128).Select(c => ((char)c).ToString()).ToArray();

    private void Emit(ItemType t)
    {
        int len = _pos - _start;
        string val = t switch
        {
            ItemType.LeftDelim => _leftDelim,
            ItemType.RightDelim => _rightDelim,
            ItemType.Declare => ":=",
            ItemType.Eof => "",
            _ when len == 1 && _input[_start] < 128 => AsciiStrings[_input[_start]],
            _ => _input.Substring(_start, len),
        };
        Emit(t, val);
    }

    private void Emit(ItemType t, string val)
    {
        _items.Enqueue(new Item(t, _start, val, _startLine));
        _start = _pos;
        _startLine = _line;
    }

    private void Ignore()
    {
        _line += CountNewlines(_start, _pos);
        _start = _pos;
        _startLine = _line;
    }

    private int CountNewlines(int from, int to)
    {
        int n = 0;
        for (int i = from; i < to; i++)
        {
            if (_input[i] == '\n')
            {
                n++;
            }
        }
        return n;
    }

    private bool Accept(string valid)
    {
        int r = Next();
        if (r >= 0 && valid.Contains((char)r, StringComparison.Ordinal) && r < 0x10000)
        {
            return true;
        }
        Backup();
        return false;
    }

    private void AcceptRun(string valid)
    {
        while (true)
        {
            int r = Next();
            if (r < 0 || r >= 0x10000 || !valid.Contains((char)r, StringComparison.Ordinal))
            {
                break;
            }
        }
        Backup();
    }

    private State? Errorf(string message)
    {
        _items.Enqueue(new Item(ItemType.Error, _start, message, _startLine));
        return null;
    }

    private bool StartsWithAt(int pos, string s) =>
        pos <= _input.Length && string.CompareOrdinal(_input, pos, s, 0, s.Length) == 0 && pos + s.Length <= _input.Length;

    private static bool IsSpace(int r) => r is ' ' or '\t' or '\r' or '\n';

    internal static bool IsAlphaNumeric(int r) =>
        r == '_' || (r >= 0 && (Rune.IsLetter(new Rune(r)) || Rune.IsDigit(new Rune(r))));

    private bool HasLeftTrimMarker(int pos) =>
        _input.Length - pos >= 2 && _input[pos] == '-' && IsSpace(_input[pos + 1]);

    private bool HasRightTrimMarker(int pos) =>
        pos >= 0 && _input.Length - pos >= 2 && IsSpace(_input[pos]) && _input[pos + 1] == '-';

    private static State? LexText(Lexer l)
    {
        int x = l._input.IndexOf(l._leftDelim, l._pos, StringComparison.Ordinal);
        if (x >= 0)
        {
            l._pos = x;
            int trimLength = 0;
            if (l.HasLeftTrimMarker(l._pos + l._leftDelim.Length))
            {
                int end = l._pos;
                while (end > l._start && IsSpace(l._input[end - 1]))
                {
                    end--;
                }
                trimLength = l._pos - end;
            }
            l._pos -= trimLength;
            if (l._pos > l._start)
            {
                l._line += l.CountNewlines(l._start, l._pos);
                l.Emit(ItemType.Text);
            }
            l._pos += trimLength;
            l.Ignore();
            return LexLeftDelim;
        }
        l._pos = l._input.Length;
        if (l._pos > l._start)
        {
            l._line += l.CountNewlines(l._start, l._pos);
            l.Emit(ItemType.Text);
        }
        l.Emit(ItemType.Eof);
        return null;
    }

    private (bool Delim, bool Trim) AtRightDelim()
    {
        if (HasRightTrimMarker(_pos) && StartsWithAt(_pos + 2, _rightDelim))
        {
            return (true, true);
        }
        if (StartsWithAt(_pos, _rightDelim))
        {
            return (true, false);
        }
        return (false, false);
    }

    private int LeftTrimLength(int pos)
    {
        int i = pos;
        while (i < _input.Length && IsSpace(_input[i]))
        {
            i++;
        }
        return i - pos;
    }

    private static State? LexLeftDelim(Lexer l)
    {
        l._pos += l._leftDelim.Length;
        bool trimSpace = l.HasLeftTrimMarker(l._pos);
        int afterMarker = trimSpace ? 2 : 0;
        if (l.StartsWithAt(l._pos + afterMarker, LeftComment))
        {
            l._pos += afterMarker;
            l.Ignore();
            return LexComment;
        }
        l.Emit(ItemType.LeftDelim);
        l._pos += afterMarker;
        l.Ignore();
        l._parenDepth = 0;
        return LexInsideAction;
    }

    private static State? LexComment(Lexer l)
    {
        l._pos += LeftComment.Length;
        int i = l._input.IndexOf(RightComment, l._pos, StringComparison.Ordinal);
        if (i < 0)
        {
            return l.Errorf("unclosed comment");
        }
        l._pos = i + RightComment.Length;
        var (delim, trimSpace) = l.AtRightDelim();
        if (!delim)
        {
            return l.Errorf("comment ends before closing delimiter");
        }
        if (trimSpace)
        {
            l._pos += 2;
        }
        l._pos += l._rightDelim.Length;
        if (trimSpace)
        {
            l._pos += l.LeftTrimLength(l._pos);
        }
        l.Ignore();
        return LexText;
    }

    private static State? LexRightDelim(Lexer l)
    {
        bool trimSpace = l.HasRightTrimMarker(l._pos);
        if (trimSpace)
        {
            l._pos += 2;
            l.Ignore();
        }
        l._pos += l._rightDelim.Length;
        l.Emit(ItemType.RightDelim);
        if (trimSpace)
        {
            l._pos += l.LeftTrimLength(l._pos);
            l.Ignore();
        }
        return LexText;
    }

    private static State? LexInsideAction(Lexer l)
    {
        var (delim, _) = l.AtRightDelim();
        if (delim)
        {
            if (l._parenDepth == 0)
            {
                return LexRightDelim;
            }
            return l.Errorf("unclosed left paren");
        }
        int r = l.Next();
        switch (r)
        {
            case Eof:
                return l.Errorf("unclosed action");
            case ' ' or '\t' or '\r' or '\n':
                l.Backup();
                return LexSpace;
            case '=':
                l.Emit(ItemType.Assign);
                break;
            case ':':
                if (l.Next() != '=')
                {
                    return l.Errorf("expected :=");
                }
                l.Emit(ItemType.Declare);
                break;
            case '|':
                l.Emit(ItemType.Pipe);
                break;
            case '"':
                return LexQuote;
            case '`':
                return LexRawQuote;
            case '$':
                return LexVariable;
            case '\'':
                return LexChar;
            case '.':
                if (l._pos < l._input.Length)
                {
                    char c = l._input[l._pos];
                    if (c < '0' || c > '9')
                    {
                        return LexField;
                    }
                }
                l.Backup();
                return LexNumber;
            case '+' or '-' or (>= '0' and <= '9'):
                l.Backup();
                return LexNumber;
            case '(':
                l.Emit(ItemType.LeftParen);
                l._parenDepth++;
                break;
            case ')':
                l.Emit(ItemType.RightParen);
                l._parenDepth--;
                if (l._parenDepth < 0)
                {
                    return l.Errorf("unexpected right paren " + GoStrings.FormatSharpU(r));
                }
                break;
            default:
                if (IsAlphaNumeric(r))
                {
                    l.Backup();
                    return LexIdentifier;
                }
                if (r <= 0x7F && r >= 0x20 && r != 0x7F)
                {
                    l.Emit(ItemType.Char);
                    break;
                }
                return l.Errorf("unrecognized character in action: " + GoStrings.FormatSharpU(r));
        }
        return LexInsideAction;
    }

    private static State? LexSpace(Lexer l)
    {
        int numSpaces = 0;
        while (IsSpace(l.Peek()))
        {
            l.Next();
            numSpaces++;
        }
        if (l.HasRightTrimMarker(l._pos - 1) && l.StartsWithAt(l._pos - 1 + 2, l._rightDelim))
        {
            l.Backup();
            if (numSpaces == 1)
            {
                return LexRightDelim;
            }
        }
        l.Emit(ItemType.Space);
        return LexInsideAction;
    }

    private static ItemType? Keyword(string word) => word switch
    {
        "." => ItemType.Dot,
        "block" => ItemType.Block,
        "break" => ItemType.Break,
        "continue" => ItemType.Continue,
        "define" => ItemType.Define,
        "else" => ItemType.Else,
        "end" => ItemType.End,
        "if" => ItemType.If,
        "range" => ItemType.Range,
        "nil" => ItemType.Nil,
        "template" => ItemType.Template,
        "with" => ItemType.With,
        _ => null,
    };

    private static State? LexIdentifier(Lexer l)
    {
        while (true)
        {
            int r = l.Next();
            if (IsAlphaNumeric(r))
            {
                continue;
            }
            l.Backup();
            string word = l._input[l._start..l._pos];
            if (!l.AtTerminator())
            {
                return l.Errorf("bad character " + GoStrings.FormatSharpU(r));
            }
            var kw = Keyword(word);
            if (kw is { } k && k > ItemType.Keyword)
            {
                l.Emit(k, word);
            }
            else if (word[0] == '.')
            {
                l.Emit(ItemType.Field, word);
            }
            else if (word is "true" or "false")
            {
                l.Emit(ItemType.Bool, word);
            }
            else
            {
                l.Emit(ItemType.Identifier, word);
            }
            return LexInsideAction;
        }
    }

    private static State? LexField(Lexer l) => l.LexFieldOrVariable(ItemType.Field);

    private static State? LexVariable(Lexer l)
    {
        if (l.AtTerminator())
        {
            l.Emit(ItemType.Variable);
            return LexInsideAction;
        }
        return l.LexFieldOrVariable(ItemType.Variable);
    }

    private State? LexFieldOrVariable(ItemType typ)
    {
        if (AtTerminator())
        {
            Emit(typ == ItemType.Variable ? ItemType.Variable : ItemType.Dot);
            return LexInsideAction;
        }
        int r;
        while (true)
        {
            r = Next();
            if (!IsAlphaNumeric(r))
            {
                Backup();
                break;
            }
        }
        if (!AtTerminator())
        {
            return Errorf("bad character " + GoStrings.FormatSharpU(r));
        }
        Emit(typ);
        return LexInsideAction;
    }

    private bool AtTerminator()
    {
        int r = Peek();
        if (IsSpace(r))
        {
            return true;
        }
        switch (r)
        {
            case Eof or '.' or ',' or '|' or ':' or ')' or '(':
                return true;
        }
        return StartsWithAt(_pos, _rightDelim);
    }

    private static State? LexChar(Lexer l) => LexQuoted(l, '\'', ItemType.CharConstant, "unterminated character constant");

    /// <summary>Scans a char constant or an interpreted string up to its closing quote; a backslash escapes the next character.</summary>
    private static State? LexQuoted(Lexer l, char close, ItemType type, string unterminated)
    {
        while (true)
        {
            int r = l.Next();
            if (r == '\\')
            {
                int n = l.Next();
                if (n != Eof && n != '\n')
                {
                    continue;
                }
                return l.Errorf(unterminated);
            }
            if (r is Eof or '\n')
            {
                return l.Errorf(unterminated);
            }
            if (r == close)
            {
                break;
            }
        }
        l.Emit(type);
        return LexInsideAction;
    }

    private static State? LexNumber(Lexer l)
    {
        if (!l.ScanNumber())
        {
            return l.Errorf("bad number syntax: " + GoStrings.Quote(l._input[l._start..l._pos]));
        }
        int sign = l.Peek();
        if (sign is '+' or '-')
        {
            if (!l.ScanNumber() || l._input[l._pos - 1] != 'i')
            {
                return l.Errorf("bad number syntax: " + GoStrings.Quote(l._input[l._start..l._pos]));
            }
            l.Emit(ItemType.Complex);
        }
        else
        {
            l.Emit(ItemType.Number);
        }
        return LexInsideAction;
    }

    private bool ScanNumber()
    {
        Accept("+-");
        string digits = "0123456789_";
        if (Accept("0"))
        {
            if (Accept("xX"))
            {
                digits = "0123456789abcdefABCDEF_";
            }
            else if (Accept("oO"))
            {
                digits = "01234567_";
            }
            else if (Accept("bB"))
            {
                digits = "01_";
            }
        }
        AcceptRun(digits);
        if (Accept("."))
        {
            AcceptRun(digits);
        }
        if (digits.Length == 11 && Accept("eE"))
        {
            Accept("+-");
            AcceptRun("0123456789_");
        }
        if (digits.Length == 23 && Accept("pP"))
        {
            Accept("+-");
            AcceptRun("0123456789_");
        }
        Accept("i");
        if (IsAlphaNumeric(Peek()))
        {
            Next();
            return false;
        }
        return true;
    }

    private static State? LexQuote(Lexer l) => LexQuoted(l, '"', ItemType.String, "unterminated quoted string");

    private static State? LexRawQuote(Lexer l)
    {
        while (true)
        {
            int r = l.Next();
            if (r == Eof)
            {
                return l.Errorf("unterminated raw quoted string");
            }
            if (r == '`')
            {
                break;
            }
        }
        l.Emit(ItemType.RawString);
        return LexInsideAction;
    }
}
