using System.Collections;
using System.Globalization;
using System.Text;
using Tend.Templates.Execution;

namespace Tend.Templates.Formatting;

/// <summary>
/// Go's fmt package (Sprint, Sprintln, Sprintf) over the engine's value model: same verbs, flags,
/// padding and error annotations (%!d(string=x), %!(EXTRA ...), %!d(MISSING)).
/// </summary>
internal sealed class GoPrinter
{
    private const string Ldigits = "0123456789abcdefx";
    private const string Udigits = "0123456789ABCDEFX";

    [ThreadStatic]
    private static GoPrinter? t_cached;

    private readonly StringBuilder _buf = new(64);
    private bool _plus;
    private bool _minus;
    private bool _sharp;
    private bool _space;
    private bool _zero;
    private bool _plusV;
    private bool _sharpV;
    private int _wid;
    private int _prec;
    private bool _widPresent;
    private bool _precPresent;
    private object? _arg;
    private bool _reordered;
    private bool _goodArgNum;

    // The most characters the buffer may hold: what is left of the render's memory budget.
    private long _limit = long.MaxValue;

    public static GoPrinter Rent()
    {
        var p = t_cached ?? new GoPrinter();
        t_cached = null;
        p._buf.Clear();
        p.ClearFlags();
        p._limit = ExecState.Current?.PrintLimit ?? long.MaxValue;
        return p;
    }

    /// <summary>Checked between verbs, operands and elements: each adds at most a bounded amount (Go caps widths at 10⁶).</summary>
    private void CheckRoom()
    {
        if (_buf.Length > _limit)
        {
            throw new BudgetExceededException(TemplateLimitKind.Memory, ExecState.Current?.PrintLimitDetail() ?? "formatted text too large");
        }
    }

    public void Return()
    {
        if (_buf.Capacity <= 4096)
        {
            t_cached = this;
        }
    }

    public StringBuilder Buffer => _buf;

    public string ToStringAndReturn()
    {
        string s = _buf.ToString();
        Return();
        return s;
    }

    public static string Sprint(ReadOnlySpan<object?> args)
    {
        var p = Rent();
        p.DoPrint(args);
        return p.ToStringAndReturn();
    }

    public static string Sprintln(ReadOnlySpan<object?> args)
    {
        var p = Rent();
        p.DoPrintln(args);
        return p.ToStringAndReturn();
    }

    public static string Sprintf(string format, ReadOnlySpan<object?> args)
    {
        var p = Rent();
        p.DoPrintf(format, args);
        return p.ToStringAndReturn();
    }

    private void ClearFlags()
    {
        _plus = _minus = _sharp = _space = _zero = _plusV = _sharpV = false;
        _widPresent = _precPresent = false;
        _wid = _prec = 0;
    }

    public void DoPrint(ReadOnlySpan<object?> a)
    {
        bool prevString = false;
        for (int i = 0; i < a.Length; i++)
        {
            CheckRoom();
            object? arg = a[i];
            bool isString = arg is string;
            if (i > 0 && !isString && !prevString)
            {
                _buf.Append(' ');
            }
            ClearFlags();
            PrintArg(arg, 'v');
            prevString = isString;
        }
    }

    public void DoPrintln(ReadOnlySpan<object?> a)
    {
        for (int i = 0; i < a.Length; i++)
        {
            CheckRoom();
            if (i > 0)
            {
                _buf.Append(' ');
            }
            ClearFlags();
            PrintArg(a[i], 'v');
        }
        _buf.Append('\n');
    }

    private static bool TooLarge(int x) => x > 1_000_000 || x < -1_000_000;

    private static (int Num, bool IsNum, int NewI) ParseNum(string s, int start, int end)
    {
        if (start >= end)
        {
            return (0, false, end);
        }
        int num = 0;
        bool isnum = false;
        int newi = start;
        for (; newi < end && s[newi] >= '0' && s[newi] <= '9'; newi++)
        {
            if (TooLarge(num))
            {
                return (0, false, end);
            }
            num = (num * 10) + (s[newi] - '0');
            isnum = true;
        }
        return (num, isnum, newi);
    }

    private static (int Index, int Wid, bool Ok) ParseArgNumber(string format, int at)
    {
        if (format.Length - at < 3)
        {
            return (0, 1, false);
        }
        for (int i = at + 1; i < format.Length; i++)
        {
            if (format[i] == ']')
            {
                var (width, ok, newi) = ParseNum(format, at + 1, i);
                if (!ok || newi != i)
                {
                    return (0, i - at + 1, false);
                }
                return (width - 1, i - at + 1, true);
            }
        }
        return (0, 1, false);
    }

    private (int ArgNum, int I, bool Found) ArgNumber(int argNum, string format, int i, int numArgs)
    {
        if (format.Length <= i || format[i] != '[')
        {
            return (argNum, i, false);
        }
        _reordered = true;
        var (index, wid, ok) = ParseArgNumber(format, i);
        if (ok && index >= 0 && index < numArgs)
        {
            return (index, i + wid, true);
        }
        _goodArgNum = false;
        return (argNum, i + wid, ok);
    }

    private static (int Num, bool IsInt, int NewArgNum) IntFromArg(ReadOnlySpan<object?> a, int argNum)
    {
        int newArgNum = argNum;
        int num = 0;
        bool isInt = false;
        if (argNum < a.Length)
        {
            if (a[argNum] is long l && l >= int.MinValue && l <= int.MaxValue)
            {
                num = (int)l;
                isInt = true;
            }
            else if (a[argNum] is byte u8)
            {
                num = u8;
                isInt = true;
            }
            newArgNum = argNum + 1;
            if (TooLarge(num))
            {
                num = 0;
                isInt = false;
            }
        }
        return (num, isInt, newArgNum);
    }

    public void DoPrintf(string format, ReadOnlySpan<object?> a)
    {
        int end = format.Length;
        int argNum = 0;
        bool afterIndex;
        _reordered = false;
        int i = 0;
        while (i < end)
        {
            CheckRoom();
            _goodArgNum = true;
            int lasti = i;
            while (i < end && format[i] != '%')
            {
                i++;
            }
            if (i > lasti)
            {
                _buf.Append(format, lasti, i - lasti);
            }
            if (i >= end)
            {
                break;
            }
            i++;
            ClearFlags();
            bool simpleDone = false;
            for (; i < end; i++)
            {
                char c = format[i];
                if (c == '#')
                {
                    _sharp = true;
                }
                else if (c == '0')
                {
                    _zero = !_minus;
                }
                else if (c == '+')
                {
                    _plus = true;
                }
                else if (c == '-')
                {
                    _minus = true;
                    _zero = false;
                }
                else if (c == ' ')
                {
                    _space = true;
                }
                else
                {
                    if (c >= 'a' && c <= 'z' && argNum < a.Length)
                    {
                        if (c == 'v')
                        {
                            _sharpV = _sharp;
                            _sharp = false;
                            _plusV = _plus;
                            _plus = false;
                        }
                        PrintArg(a[argNum], c);
                        argNum++;
                        i++;
                        simpleDone = true;
                    }
                    break;
                }
            }
            if (simpleDone)
            {
                continue;
            }
            (argNum, i, afterIndex) = ArgNumber(argNum, format, i, a.Length);
            if (i < end && format[i] == '*')
            {
                i++;
                (_wid, _widPresent, argNum) = IntFromArg(a, argNum);
                if (!_widPresent)
                {
                    _buf.Append("%!(BADWIDTH)");
                }
                if (_wid < 0)
                {
                    _wid = -_wid;
                    _minus = true;
                    _zero = false;
                }
                afterIndex = false;
            }
            else
            {
                (_wid, _widPresent, i) = ParseNum(format, i, end);
                if (afterIndex && _widPresent)
                {
                    _goodArgNum = false;
                }
            }
            if (i + 1 < end && format[i] == '.')
            {
                i++;
                if (afterIndex)
                {
                    _goodArgNum = false;
                }
                (argNum, i, afterIndex) = ArgNumber(argNum, format, i, a.Length);
                if (i < end && format[i] == '*')
                {
                    i++;
                    (_prec, _precPresent, argNum) = IntFromArg(a, argNum);
                    if (_prec < 0)
                    {
                        _prec = 0;
                        _precPresent = false;
                    }
                    if (!_precPresent)
                    {
                        _buf.Append("%!(BADPREC)");
                    }
                    afterIndex = false;
                }
                else
                {
                    (_prec, _precPresent, i) = ParseNum(format, i, end);
                    if (!_precPresent)
                    {
                        _prec = 0;
                        _precPresent = true;
                    }
                }
            }
            if (!afterIndex)
            {
                (argNum, i, afterIndex) = ArgNumber(argNum, format, i, a.Length);
            }
            if (i >= end)
            {
                _buf.Append("%!(NOVERB)");
                break;
            }
            int verb = format[i];
            int size = 1;
            if (char.IsHighSurrogate(format[i]) && i + 1 < end && char.IsLowSurrogate(format[i + 1]))
            {
                verb = char.ConvertToUtf32(format[i], format[i + 1]);
                size = 2;
            }
            i += size;
            if (verb == '%')
            {
                _buf.Append('%');
            }
            else if (!_goodArgNum)
            {
                BadArgNum(verb);
            }
            else if (argNum >= a.Length)
            {
                _buf.Append("%!");
                GoStrings.AppendRune(_buf, verb);
                _buf.Append("(MISSING)");
            }
            else
            {
                if (verb == 'v')
                {
                    _sharpV = _sharp;
                    _sharp = false;
                    _plusV = _plus;
                    _plus = false;
                }
                PrintArg(a[argNum], verb);
                argNum++;
            }
        }
        if (!_reordered && argNum < a.Length)
        {
            ClearFlags();
            _buf.Append("%!(EXTRA ");
            for (int k = argNum; k < a.Length; k++)
            {
                if (k > argNum)
                {
                    _buf.Append(", ");
                }
                var arg = a[k];
                if (arg is null or GoNil)
                {
                    _buf.Append("<nil>");
                }
                else
                {
                    _buf.Append(GoValues.TypeName(arg)).Append('=');
                    PrintArg(arg, 'v');
                }
            }
            _buf.Append(')');
        }
    }

    private void BadArgNum(int verb)
    {
        _buf.Append("%!");
        GoStrings.AppendRune(_buf, verb);
        _buf.Append("(BADINDEX)");
    }

    private void BadVerb(int verb)
    {
        _buf.Append("%!");
        GoStrings.AppendRune(_buf, verb);
        _buf.Append('(');
        if (_arg is not null and not GoNil)
        {
            _buf.Append(GoValues.TypeName(_arg)).Append('=');
            PrintArg(_arg, 'v');
        }
        else
        {
            _buf.Append("<nil>");
        }
        _buf.Append(')');
    }

    public void PrintArg(object? arg, int verb)
    {
        if (arg is GoNil)
        {
            arg = null;
        }
        _arg = arg;
        if (arg is null)
        {
            if (verb is 'T' or 'v')
            {
                PadString("<nil>");
            }
            else
            {
                BadVerb(verb);
            }
            return;
        }
        if (verb == 'T')
        {
            FmtS(GoValues.TypeName(arg));
            return;
        }
        if (verb == 'p')
        {
            BadVerb(verb);
            return;
        }
        switch (arg)
        {
            case bool b:
                FmtBool(b, verb);
                return;
            case long l:
                FmtIntegerVerb(l, verb);
                return;
            case byte u8:
                FmtUnsignedVerb(u8, verb);
                return;
            case double d:
                FmtFloatVerb(d, verb);
                return;
            case string s:
                FmtString(s, verb);
                return;
            case System.Numerics.Complex c:
                FmtComplex(c, verb);
                return;
        }
        if (!HandleMethods(arg, verb))
        {
            PrintValue(arg, verb, 0);
        }
    }

    private bool HandleMethods(object arg, int verb)
    {
        if (_sharpV)
        {
            return false;
        }
        if (arg is IGoStringer gs && verb is 'v' or 's' or 'x' or 'X' or 'q')
        {
            FmtString(gs.GoString(), verb);
            return true;
        }
        return false;
    }

    private void PrintValue(object? value, int verb, int depth)
    {
        if (depth > 0 && value is not null and not GoNil)
        {
            _arg = value;
            if (HandleMethods(value, verb))
            {
                return;
            }
        }
        _arg = null;
        switch (value)
        {
            case null or GoNil:
                if (depth == 0)
                {
                    _buf.Append("<invalid reflect.Value>");
                }
                else if (verb == 'v')
                {
                    _buf.Append("<nil>");
                }
                else
                {
                    BadVerb(verb);
                }
                return;
            case bool b:
                _arg = b;
                FmtBool(b, verb);
                return;
            case long l:
                _arg = value;
                FmtIntegerVerb(l, verb);
                return;
            case byte u8:
                _arg = value;
                FmtUnsignedVerb(u8, verb);
                return;
            case double d:
                _arg = value;
                FmtFloatVerb(d, verb);
                return;
            case string s:
                _arg = s;
                FmtString(s, verb);
                return;
        }
        var kind = GoValues.Kind(value);
        if (kind == GoKind.Map)
        {
            if (_sharpV)
            {
                _buf.Append(GoValues.TypeName(value)).Append('{');
            }
            else
            {
                _buf.Append("map[");
            }
            bool ifaces = GoValues.ElementsAreInterfaces(value);
            int i = 0;
            foreach (var kv in GoValues.SortedEntries(value))
            {
                CheckRoom();
                if (i++ > 0)
                {
                    _buf.Append(_sharpV ? ", " : " ");
                }
                PrintValue(kv.Key, verb, depth + 1);
                _buf.Append(':');
                PrintElement(kv.Value, ifaces, verb, depth + 1);
            }
            _buf.Append(_sharpV ? '}' : ']');
            return;
        }
        if (kind == GoKind.Slice)
        {
            var list = (IList)value;
            bool ifaces = GoValues.ElementsAreInterfaces(value);
            if (_sharpV)
            {
                _buf.Append(GoValues.TypeName(value)).Append('{');
                for (int i = 0; i < list.Count; i++)
                {
                    CheckRoom();
                    if (i > 0)
                    {
                        _buf.Append(", ");
                    }
                    PrintElement(list[i], ifaces, verb, depth + 1);
                }
                _buf.Append('}');
                return;
            }
            _buf.Append('[');
            for (int i = 0; i < list.Count; i++)
            {
                CheckRoom();
                if (i > 0)
                {
                    _buf.Append(' ');
                }
                PrintElement(list[i], ifaces, verb, depth + 1);
            }
            _buf.Append(']');
            return;
        }
        if (kind == GoKind.Func)
        {
            _buf.Append("0x1");
            return;
        }
        // A struct prints its declared fields in order; any other CLR object is a struct without fields.
        if (_sharpV)
        {
            _buf.Append(GoValues.TypeName(value));
        }
        _buf.Append('{');
        if (value is ITemplateStruct ts)
        {
            var fields = ts.TemplateType.Fields;
            for (int i = 0; i < fields.Count; i++)
            {
                if (i > 0)
                {
                    _buf.Append(_sharpV ? ", " : " ");
                }
                if (_plusV || _sharpV)
                {
                    _buf.Append(fields[i].Name).Append(':');
                }
                PrintValue(GoValues.Normalize(fields[i].Get(value)), verb, depth + 1);
            }
        }
        _buf.Append('}');
    }

    private void PrintElement(object? e, bool isInterface, int verb, int depth)
    {
        if (e is null or GoNil)
        {
            if (isInterface)
            {
                _buf.Append(_sharpV ? "interface {}(nil)" : "<nil>");
                return;
            }
            PrintValue(null, verb, depth);
            return;
        }
        PrintValue(GoValues.Normalize(e), verb, depth);
    }

    // ---- padding ----
    private void WritePadding(int n)
    {
        if (n <= 0)
        {
            return;
        }
        _buf.Append(_zero ? '0' : ' ', n);
    }

    private static int RuneCount(string s)
    {
        int n = 0;
        for (int i = 0; i < s.Length; i++)
        {
            if (!(char.IsLowSurrogate(s[i]) && i > 0 && char.IsHighSurrogate(s[i - 1])))
            {
                n++;
            }
        }
        return n;
    }

    private void PadString(string s)
    {
        if (!_widPresent || _wid == 0)
        {
            _buf.Append(s);
            return;
        }
        int width = _wid - RuneCount(s);
        if (!_minus)
        {
            WritePadding(width);
            _buf.Append(s);
        }
        else
        {
            _buf.Append(s);
            WritePadding(width);
        }
    }

    private void PadChars(ReadOnlySpan<char> s)
    {
        if (!_widPresent || _wid == 0)
        {
            _buf.Append(s);
            return;
        }
        int width = _wid - s.Length;
        if (!_minus)
        {
            WritePadding(width);
            _buf.Append(s);
        }
        else
        {
            _buf.Append(s);
            WritePadding(width);
        }
    }

    private void FmtBool(bool b, int verb)
    {
        if (verb is 't' or 'v')
        {
            PadString(b ? "true" : "false");
        }
        else
        {
            BadVerb(verb);
        }
    }

    private string TruncateString(string s)
    {
        if (_precPresent)
        {
            int n = _prec;
            for (int i = 0; i < s.Length; i++)
            {
                if (char.IsLowSurrogate(s[i]) && i > 0 && char.IsHighSurrogate(s[i - 1]))
                {
                    continue;
                }
                n--;
                if (n < 0)
                {
                    return s[..i];
                }
            }
        }
        return s;
    }

    private void FmtS(string s) => PadString(TruncateString(s));

    private void FmtString(string s, int verb)
    {
        switch (verb)
        {
            case 'v':
                if (_sharpV)
                {
                    FmtQ(s);
                }
                else
                {
                    FmtS(s);
                }
                return;
            case 's':
                FmtS(s);
                return;
            case 'x':
                FmtSx(s, Ldigits);
                return;
            case 'X':
                FmtSx(s, Udigits);
                return;
            case 'q':
                FmtQ(s);
                return;
            default:
                BadVerb(verb);
                return;
        }
    }

    private void FmtQ(string s)
    {
        s = TruncateString(s);
        if (_sharp && GoStrings.CanBackquote(s))
        {
            PadString("`" + s + "`");
            return;
        }
        var sb = t_tmp ??= new StringBuilder(64);
        sb.Clear();
        GoStrings.AppendQuoted(sb, s, '"', asciiOnly: _plus);
        if (!_widPresent || _wid == 0)
        {
            _buf.Append(sb);
            return;
        }
        PadString(sb.ToString());
    }

    private void FmtSx(string s, string digits)
    {
        byte[] b = Encoding.UTF8.GetBytes(s);
        int length = b.Length;
        if (_precPresent && _prec < length)
        {
            length = _prec;
        }
        int width = 2 * length;
        if (width > 0)
        {
            if (_space)
            {
                if (_sharp)
                {
                    width *= 2;
                }
                width += length - 1;
            }
            else if (_sharp)
            {
                width += 2;
            }
        }
        else
        {
            if (_widPresent)
            {
                WritePadding(_wid);
            }
            return;
        }
        if (_widPresent && _wid > width && !_minus)
        {
            WritePadding(_wid - width);
        }
        if (_sharp)
        {
            _buf.Append('0').Append(digits[16]);
        }
        for (int i = 0; i < length; i++)
        {
            if (_space && i > 0)
            {
                _buf.Append(' ');
                if (_sharp)
                {
                    _buf.Append('0').Append(digits[16]);
                }
            }
            _buf.Append(digits[b[i] >> 4]).Append(digits[b[i] & 0xF]);
        }
        if (_widPresent && _wid > width && _minus)
        {
            WritePadding(_wid - width);
        }
    }

    /// <summary>An unsigned integer (uint8): as an int, except that %#v prints it in hex (0x61).</summary>
    private void FmtUnsignedVerb(byte v, int verb)
    {
        if (verb == 'v' && _sharpV)
        {
            bool oldSharp = _sharp;
            _sharp = true;
            FmtInteger(v, 16, verb, Ldigits);
            _sharp = oldSharp;
            return;
        }
        FmtIntegerVerb(v, verb);
    }

    private void FmtIntegerVerb(long v, int verb)
    {
        switch (verb)
        {
            case 'v' or 'd':
                FmtInteger(v, 10, verb, Ldigits);
                return;
            case 'b':
                FmtInteger(v, 2, verb, Ldigits);
                return;
            case 'o' or 'O':
                FmtInteger(v, 8, verb, Ldigits);
                return;
            case 'x':
                FmtInteger(v, 16, verb, Ldigits);
                return;
            case 'X':
                FmtInteger(v, 16, verb, Udigits);
                return;
            case 'c':
                {
                    int r = v is < 0 or > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) ? 0xFFFD : (int)v;
                    // Go pads %c but never truncates it by precision.
                    PadString(r < 0x10000 ? GoStrings.AsciiOrChar((char)r) : char.ConvertFromUtf32(r));
                    return;
                }
            case 'q':
                {
                    int r = v is < 0 or > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) ? 0xFFFD : (int)v;
                    var sb = new StringBuilder(4);
                    if (_sharp && r != '\'' && GoStrings.IsPrint(r) && r != 0xFFFD)
                    {
                        sb.Append('\'');
                        GoStrings.AppendRune(sb, r);
                        sb.Append('\'');
                    }
                    else
                    {
                        sb.Append('\'');
                        GoStrings.AppendEscapedRune(sb, r, '\'', _plus);
                        sb.Append('\'');
                    }
                    PadString(sb.ToString());
                    return;
                }
            case 'U':
                {
                    var sb = new StringBuilder(12);
                    if (_precPresent && _prec > 4)
                    {
                        string hex = v.ToString("X", CultureInfo.InvariantCulture);
                        sb.Append("U+").Append('0', Math.Max(0, _prec - hex.Length)).Append(hex);
                        if (_sharp && v is >= 0 and <= 0x10FFFF && GoStrings.IsPrint((int)v))
                        {
                            sb.Append(" '");
                            GoStrings.AppendRune(sb, (int)v);
                            sb.Append('\'');
                        }
                    }
                    else
                    {
                        GoStrings.AppendU(sb, v, _sharp);
                    }
                    bool oldZero = _zero;
                    _zero = false;
                    PadString(sb.ToString());
                    _zero = oldZero;
                    return;
                }
            default:
                BadVerb(verb);
                return;
        }
    }

    private void FmtInteger(long value, int b, int verb, string digits)
    {
        bool negative = value < 0;
        ulong u = negative ? (ulong)(-(value + 1)) + 1 : (ulong)value;
        Span<char> buf = stackalloc char[96];
        int prec = 0;
        if (_precPresent)
        {
            prec = _prec;
            if (prec == 0 && u == 0)
            {
                bool oldZero = _zero;
                _zero = false;
                WritePadding(_wid);
                _zero = oldZero;
                return;
            }
        }
        else if (_zero && _widPresent)
        {
            prec = _wid;
            if (negative || _plus || _space)
            {
                prec--;
            }
        }
        if (prec > 64)
        {
            buf = new char[prec + 32];
        }
        int i = buf.Length;
        if (b == 10)
        {
            while (u >= 10)
            {
                i--;
                ulong next = u / 10;
                buf[i] = (char)('0' + (int)(u - (next * 10)));
                u = next;
            }
        }
        else
        {
            int shift = b == 16 ? 4 : b == 8 ? 3 : 1;
            ulong mask = (ulong)b - 1;
            while (u >= (ulong)b)
            {
                i--;
                buf[i] = digits[(int)(u & mask)];
                u >>= shift;
            }
        }
        i--;
        buf[i] = digits[(int)u];
        while (i > 0 && prec > buf.Length - i)
        {
            i--;
            buf[i] = '0';
        }
        if (_sharp)
        {
            switch (b)
            {
                case 2:
                    buf[--i] = 'b';
                    buf[--i] = '0';
                    break;
                case 8:
                    if (buf[i] != '0')
                    {
                        buf[--i] = '0';
                    }
                    break;
                case 16:
                    buf[--i] = digits[16];
                    buf[--i] = '0';
                    break;
            }
        }
        if (verb == 'O')
        {
            buf[--i] = 'o';
            buf[--i] = '0';
        }
        if (negative)
        {
            buf[--i] = '-';
        }
        else if (_plus)
        {
            buf[--i] = '+';
        }
        else if (_space)
        {
            buf[--i] = ' ';
        }
        bool oz = _zero;
        _zero = false;
        PadChars(buf[i..]);
        _zero = oz;
    }

    private void FmtComplex(System.Numerics.Complex v, int verb)
    {
        if (verb is not ('v' or 'b' or 'g' or 'G' or 'x' or 'X' or 'f' or 'F' or 'e' or 'E'))
        {
            BadVerb(verb);
            return;
        }
        bool oldPlus = _plus;
        _buf.Append('(');
        FmtFloatVerb(v.Real, verb);
        _plus = true;
        FmtFloatVerb(v.Imaginary, verb);
        _buf.Append("i)");
        _plus = oldPlus;
    }

    private void FmtFloatVerb(double v, int verb)
    {
        switch (verb)
        {
            case 'v':
                FmtFloat(v, 'g', -1);
                return;
            case 'g' or 'G' or 'x' or 'X' or 'b':
                FmtFloat(v, (char)verb, -1);
                return;
            case 'f' or 'F':
                FmtFloat(v, 'f', 6);
                return;
            case 'e' or 'E':
                FmtFloat(v, (char)verb, 6);
                return;
            default:
                BadVerb(verb);
                return;
        }
    }

    [ThreadStatic]
    private static StringBuilder? t_tmp;

    private void FmtFloat(double v, char verb, int prec)
    {
        if (_precPresent)
        {
            prec = _prec;
        }
        var tmp = t_tmp ??= new StringBuilder(64);
        tmp.Clear();
        tmp.Append('+');
        GoFloat.Append(tmp, v, verb, prec);
        int start = tmp[1] is '-' or '+' ? 1 : 0;
        if (_space && tmp[start] == '+' && !_plus)
        {
            tmp[start] = ' ';
        }
        int len = tmp.Length - start;
        if (len > 1 && tmp[start + 1] is 'I' or 'N')
        {
            bool oldZero = _zero;
            _zero = false;
            if (tmp[start + 1] == 'N' && !_space && !_plus)
            {
                start++;
                len--;
            }
            PadBuilder(tmp, start, len);
            _zero = oldZero;
            return;
        }
        if (_sharp && verb != 'b')
        {
            string sharp = SharpFloat(tmp.ToString(start, len), verb, prec);
            tmp.Clear().Append(sharp);
            start = 0;
            len = tmp.Length;
        }
        if (_plus || tmp[start] != '+')
        {
            if (_zero && _widPresent && _wid > len)
            {
                _buf.Append(tmp[start]);
                WritePadding(_wid - len);
                _buf.Append(tmp, start + 1, len - 1);
                return;
            }
            PadBuilder(tmp, start, len);
            return;
        }
        PadBuilder(tmp, start + 1, len - 1);
    }

    // Padding for ASCII-only text held in a scratch builder (formatted numbers).
    private void PadBuilder(StringBuilder src, int start, int count)
    {
        if (!_widPresent || _wid == 0)
        {
            _buf.Append(src, start, count);
            return;
        }
        int width = _wid - count;
        if (!_minus)
        {
            WritePadding(width);
            _buf.Append(src, start, count);
        }
        else
        {
            _buf.Append(src, start, count);
            WritePadding(width);
        }
    }

    // The '#' flag keeps the decimal point (and, for %g, trailing zeros).
    private static string SharpFloat(string num, char verb, int prec)
    {
        int digits = 0;
        if (verb is 'v' or 'g' or 'G' or 'x')
        {
            digits = prec == -1 ? 6 : prec;
        }
        string tail = "";
        bool hasDot = false;
        bool sawNonzero = false;
        for (int i = 1; i < num.Length; i++)
        {
            char c = num[i];
            if (c == '.')
            {
                hasDot = true;
                continue;
            }
            if (c is 'p' or 'P' || (c is 'e' or 'E' && verb is not ('x' or 'X')))
            {
                tail = num[i..];
                num = num[..i];
                break;
            }
            if (c != '0')
            {
                sawNonzero = true;
            }
            if (sawNonzero)
            {
                digits--;
            }
        }
        if (!hasDot)
        {
            if (num.Length == 2 && num[1] == '0')
            {
                digits--;
            }
            num += ".";
        }
        if (digits > 0)
        {
            num += new string('0', digits);
        }
        return num + tail;
    }

}
