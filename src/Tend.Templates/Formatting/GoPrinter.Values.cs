using System.Collections;
using Tend.Templates.Execution;

namespace Tend.Templates.Formatting;

// Values of every kind (%v and its relatives), element by element.
internal sealed partial class GoPrinter
{
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
            case TemplateNilPointer nil:
                _arg = nil;
                FmtNilPointer(nil, verb);
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

    /// <summary>Go's fmtPointer for a nil pointer: &lt;nil&gt; (or (*T)(nil) for %#v), 0x0 for %p, 0 for the integer verbs.</summary>
    private void FmtNilPointer(TemplateNilPointer nil, int verb)
    {
        switch (verb)
        {
            case 'v':
                if (_sharpV)
                {
                    _buf.Append('(').Append(nil.TypeName).Append(")(nil)");
                }
                else
                {
                    PadString("<nil>");
                }
                return;
            case 'p':
                {
                    bool sharp = _sharp;
                    _sharp = !sharp;
                    FmtInteger(0, 16, 'v', Ldigits);
                    _sharp = sharp;
                    return;
                }
            case 'b':
                FmtInteger(0, 2, verb, Ldigits);
                return;
            case 'o':
                FmtInteger(0, 8, verb, Ldigits);
                return;
            case 'd':
                FmtInteger(0, 10, verb, Ldigits);
                return;
            case 'x':
                FmtInteger(0, 16, verb, Ldigits);
                return;
            case 'X':
                FmtInteger(0, 16, verb, Udigits);
                return;
            default:
                _arg = nil;
                BadVerb(verb);
                return;
        }
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
}
