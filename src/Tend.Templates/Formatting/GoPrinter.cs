using System.Text;
using Tend.Templates.Execution;

namespace Tend.Templates.Formatting;

/// <summary>
/// Go's fmt package (Sprint, Sprintln, Sprintf) over the engine's value model: same verbs, flags,
/// padding and error annotations (%!d(string=x), %!(EXTRA ...), %!d(MISSING)).
/// </summary>
internal sealed partial class GoPrinter
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
        if (arg is TemplateNilPointer nil)
        {
            FmtNilPointer(nil, verb);
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
}
