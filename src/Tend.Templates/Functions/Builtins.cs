using System.Collections;
using System.Text;
using Tend.Templates.Execution;
using Tend.Templates.Formatting;
using P = Tend.Templates.TemplateParameterType;

namespace Tend.Templates.Functions;

/// <summary>Go text/template's predefined functions, with Go's semantics and error texts.</summary>
internal static class Builtins
{
    public static IEnumerable<TemplateFunction> All() => Declared().Select(f => new TemplateFunction(f.Name, f.Signature, f.Description, f.Parameters, f.IsVariadic, f.Invoke)
    {
        Special = f.Special,
        PoolArguments = true,
    });

    private static IEnumerable<TemplateFunction> Declared()
    {
        yield return new TemplateFunction("and", "and(arg0 any, args ...any) any", "First empty argument or the last one; stops evaluating at the first empty one.", [P.Value, P.Value], true, _ => null) { Special = "and" };
        yield return new TemplateFunction("or", "or(arg0 any, args ...any) any", "First non-empty argument or the last one; stops evaluating at the first non-empty one.", [P.Value, P.Value], true, _ => null) { Special = "or" };
        yield return new TemplateFunction("not", "not(arg any) bool", "Boolean negation of the argument's truth.", [P.Value], false, a => GoValues.Box(!GoValues.IsTrue(a[0])));
        yield return new TemplateFunction("len", "len(item any) (int, error)", "Length of a string (bytes), slice or map.", [P.Value], false, a => Len(a[0]));
        yield return new TemplateFunction("index", "index(item any, indexes ...any) (any, error)", "Element of a slice, string or map: index x 1 2 is x[1][2].", [P.Value, P.Value], true, Index);
        yield return new TemplateFunction("slice", "slice(item any, indexes ...any) (any, error)", "Slice of a string or slice: slice x 1 2 is x[1:2].", [P.Value, P.Value], true, Slice);
        yield return new TemplateFunction("call", "call(fn any, args ...any) (any, error)", "Calls a function value with the remaining arguments.", [P.Value, P.Value], true, Call);
        yield return new TemplateFunction("html", "html(args ...any) string", "HTML-escaped text of the arguments.", [P.Any], true, a => HtmlEscape(Escapable(EvalArgs(a), "html")));
        yield return new TemplateFunction("js", "js(args ...any) string", "JavaScript-escaped text of the arguments.", [P.Any], true, a => JsEscape(Escapable(EvalArgs(a), "js")));
        yield return new TemplateFunction("urlquery", "urlquery(args ...any) string", "Text of the arguments escaped for a URL query.", [P.Any], true, a => QueryEscape(Escapable(EvalArgs(a), "urlquery")));
        yield return new TemplateFunction("print", "print(args ...any) string", "fmt.Sprint: spaces between operands when neither is a string.", [P.Any], true, a => GoPrinter.Sprint(a)) { Special = "print" };
        yield return new TemplateFunction("printf", "printf(format string, args ...any) string", "fmt.Sprintf.", [P.String, P.Any], true, a => GoPrinter.Sprintf((string)a[0]!, a.AsSpan(1))) { Special = "printf" };
        yield return new TemplateFunction("println", "println(args ...any) string", "fmt.Sprintln: spaces between operands and a trailing newline.", [P.Any], true, a => GoPrinter.Sprintln(a)) { Special = "println" };
        yield return new TemplateFunction("eq", "eq(arg1 any, arg2 ...any) (bool, error)", "arg1 == arg2 (true if equal to any of several arguments).", [P.Value, P.Value], true, a => GoValues.Box(Eq(a[0], a.AsSpan(1))));
        yield return new TemplateFunction("ne", "ne(arg1 any, arg2 any) (bool, error)", "arg1 != arg2.", [P.Value, P.Value], false, a => GoValues.Box(!Eq(a[0], a.AsSpan(1))));
        yield return new TemplateFunction("lt", "lt(arg1 any, arg2 any) (bool, error)", "arg1 < arg2.", [P.Value, P.Value], false, a => GoValues.Box(Lt(a[0], a[1])));
        yield return new TemplateFunction("le", "le(arg1 any, arg2 any) (bool, error)", "arg1 <= arg2.", [P.Value, P.Value], false, a => GoValues.Box(Lt(a[0], a[1]) || Eq(a[0], a.AsSpan(1, 1))));
        yield return new TemplateFunction("gt", "gt(arg1 any, arg2 any) (bool, error)", "arg1 > arg2.", [P.Value, P.Value], false, a => GoValues.Box(!(Lt(a[0], a[1]) || Eq(a[0], a.AsSpan(1, 1)))));
        yield return new TemplateFunction("ge", "ge(arg1 any, arg2 any) (bool, error)", "arg1 >= arg2.", [P.Value, P.Value], false, a => GoValues.Box(!Lt(a[0], a[1])));
    }

    private static object? Unwrap(object? v) => v is GoNil ? null : v;

    private static object Len(object? item)
    {
        switch (item)
        {
            case null:
                throw new TemplateFunctionException("reflect: call of reflect.Value.Type on zero Value");
            case GoNil or TemplateNilPointer:
                throw new TemplateFunctionException("len of nil pointer");
            case string s:
                return GoValues.Box(Encoding.UTF8.GetByteCount(s));
            case IList l:
                return GoValues.Box(l.Count);
        }
        if (GoValues.Kind(item) == GoKind.Map)
        {
            return GoValues.Box(GoValues.MapCount(item));
        }
        throw new TemplateFunctionException($"len of type {GoValues.TypeName(item)}");
    }

    private static int IndexArg(object? index, int cap)
    {
        long x;
        switch (index)
        {
            case long l:
                x = l;
                break;
            case byte u8:
                x = u8;
                break;
            case null:
                throw new TemplateFunctionException("cannot index slice/array with nil");
            default:
                throw new TemplateFunctionException($"cannot index slice/array with type {GoValues.TypeName(index)}");
        }
        if (x < 0 || x > cap)
        {
            throw new TemplateFunctionException($"index out of range: {x}");
        }
        return (int)x;
    }

    private static object? Index(object?[] a)
    {
        object? item = Unwrap(a[0]);
        if (item is null)
        {
            throw new TemplateFunctionException("index of untyped nil");
        }
        for (int k = 1; k < a.Length; k++)
        {
            object? index = Unwrap(a[k]);
            if (item is GoNil or TemplateNilPointer)
            {
                throw new TemplateFunctionException("index of nil pointer");
            }
            switch (item)
            {
                case string s:
                    {
                        byte[] bytes = Encoding.UTF8.GetBytes(s);
                        int x = IndexArg(index, bytes.Length);
                        if (x == bytes.Length)
                        {
                            throw new TemplateFunctionException("reflect: string index out of range");
                        }
                        item = GoValues.BoxByte(bytes[x]);
                        continue;
                    }
                case IList list:
                    {
                        int x = IndexArg(index, list.Count);
                        if (x == list.Count)
                        {
                            throw new TemplateFunctionException("reflect: slice index out of range");
                        }
                        item = GoValues.ListElement(list, x);
                        continue;
                    }
            }
            if (GoValues.Kind(item) == GoKind.Map)
            {
                if (index is null)
                {
                    throw new TemplateFunctionException("value is nil; should be of type string");
                }
                if (index is not string key)
                {
                    throw new TemplateFunctionException($"value has type {GoValues.TypeName(index)}; should be string");
                }
                item = GoValues.TryMapIndex(item!, key, out var v) ? v : GoValues.MapZero(item!);
                continue;
            }
            throw new TemplateFunctionException($"can't index item of type {GoValues.TypeName(item)}");
        }
        return item;
    }

    private static object? Slice(object?[] a)
    {
        object? item = Unwrap(a[0]);
        if (item is null)
        {
            throw new TemplateFunctionException("slice of untyped nil");
        }
        int nidx = a.Length - 1;
        if (nidx > 3)
        {
            throw new TemplateFunctionException($"too many slice indexes: {nidx}");
        }
        int cap;
        int len;
        byte[]? bytes = null;
        switch (item)
        {
            case string s:
                if (nidx == 3)
                {
                    throw new TemplateFunctionException("cannot 3-index slice a string");
                }
                bytes = Encoding.UTF8.GetBytes(s);
                cap = len = bytes.Length;
                break;
            case IList l:
                cap = len = l.Count;
                break;
            default:
                throw new TemplateFunctionException($"can't slice item of type {GoValues.TypeName(item)}");
        }
        int[] idx = [0, len, 0];
        for (int i = 0; i < nidx; i++)
        {
            idx[i] = IndexArg(Unwrap(a[i + 1]), cap);
        }
        if (idx[0] > idx[1])
        {
            throw new TemplateFunctionException($"invalid slice index: {idx[0]} > {idx[1]}");
        }
        if (nidx == 3 && idx[1] > idx[2])
        {
            throw new TemplateFunctionException($"invalid slice index: {idx[1]} > {idx[2]}");
        }
        if (bytes is not null)
        {
            return Encoding.UTF8.GetString(bytes, idx[0], idx[1] - idx[0]);
        }
        var src = (IList)item;
        var result = new List<object?>(idx[1] - idx[0]);
        for (int i = idx[0]; i < idx[1]; i++)
        {
            result.Add(src[i]);
        }
        return result;
    }

    /// <summary>
    /// Go's call: a function value (a <see cref="TemplateFunction"/> in the data) with arguments
    /// checked against its declared parameters the way Go's prepareArg checks them.
    /// </summary>
    private static object? Call(object?[] a)
    {
        object? fn = Unwrap(a[0]);
        if (fn is null)
        {
            throw new TemplateFunctionException("call of nil");
        }
        if (fn is not TemplateFunction f)
        {
            throw new TemplateFunctionException($"non-function of type {GoValues.TypeName(fn)}");
        }
        var ps = f.Parameters;
        int given = a.Length - 1;
        if (f.IsVariadic && given < ps.Count - 1)
        {
            throw new TemplateFunctionException($"wrong number of args: got {given} want at least {ps.Count - 1}");
        }
        if (!f.IsVariadic && given != ps.Count)
        {
            throw new TemplateFunctionException($"wrong number of args: got {given} want {ps.Count}");
        }
        var args = new object?[given];
        for (int i = 0; i < given; i++)
        {
            var type = f.IsVariadic && i >= ps.Count - 1 ? ps[^1] : ps[i];
            args[i] = PrepareArg(i, a[i + 1], type);
        }
        return f.Invoke(args);
    }

    private static object? PrepareArg(int index, object? value, TemplateParameterType type)
    {
        if (type == P.Value)
        {
            return value;
        }
        value = Unwrap(value);
        if (value is null)
        {
            return type switch
            {
                P.Any => null,
                P.StringList => Array.Empty<string>(),
                P.KVPairList => Array.Empty<KVPair>(),
                _ => throw new TemplateFunctionException($"arg {index}: value is nil; should be of type {Compiler.GoTypeName(type)}"),
            };
        }
        bool ok = type switch
        {
            P.String => value is string,
            P.Integer => value is long,
            P.Float => value is double,
            P.Boolean => value is bool,
            P.StringList => value is IReadOnlyList<string>,
            P.KVPairList => value is IReadOnlyList<KVPair>,
            _ => true,
        };
        return ok ? value : throw new TemplateFunctionException($"arg {index}: value has type {GoValues.TypeName(value)}; should be {Compiler.GoTypeName(type)}");
    }

    // Escaping can make text six times longer (\u003C for <): refused before it allocates when that would not fit.
    private static string Escapable(string s, string name)
    {
        if (s.Length > 4096)
        {
            ExecState.Current?.Reserve(s.Length * 12L, $"{name} of {s.Length} characters");
        }
        return s;
    }

    private static string EvalArgs(object?[] args)
    {
        if (args.Length == 1 && args[0] is string s)
        {
            return s;
        }
        var copy = new object?[args.Length];
        for (int i = 0; i < args.Length; i++)
        {
            copy[i] = args[i] ?? "<no value>";
        }
        return GoPrinter.Sprint(copy);
    }

    private static string HtmlEscape(string s)
    {
        if (s.AsSpan().IndexOfAny("'\"&<>\0") < 0)
        {
            return s;
        }
        var sb = new StringBuilder(s.Length + 16);
        foreach (char c in s)
        {
            switch (c)
            {
                case '\0': sb.Append('\uFFFD'); break;
                case '"': sb.Append("&#34;"); break;
                case '\'': sb.Append("&#39;"); break;
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }

    private static string JsEscape(string s)
    {
        var sb = new StringBuilder(s.Length + 16);
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c < 0x80)
            {
                switch (c)
                {
                    case '\\': sb.Append(@"\\"); break;
                    case '\'': sb.Append(@"\'"); break;
                    case '"': sb.Append("\\\""); break;
                    case '<': sb.Append(@"\u003C"); break;
                    case '>': sb.Append(@"\u003E"); break;
                    case '&': sb.Append(@"\u0026"); break;
                    case '=': sb.Append(@"\u003D"); break;
                    default:
                        if (c < ' ')
                        {
                            sb.Append(@"\u00").Append("0123456789ABCDEF"[c >> 4]).Append("0123456789ABCDEF"[c & 0xF]);
                        }
                        else
                        {
                            sb.Append(c);
                        }
                        break;
                }
                continue;
            }
            int r = c;
            int width = 1;
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                r = char.ConvertToUtf32(c, s[i + 1]);
                width = 2;
            }
            else if (char.IsSurrogate(c))
            {
                r = 0xFFFD;
            }
            if (GoStrings.IsPrint(r))
            {
                sb.Append(s, i, width);
            }
            else
            {
                sb.Append("\\u").Append(r.ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
            }
            i += width - 1;
        }
        return sb.ToString();
    }

    private static string QueryEscape(string s)
    {
        var sb = new StringBuilder(s.Length + 16);
        foreach (byte b in Encoding.UTF8.GetBytes(s))
        {
            char c = (char)b;
            if (c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '-' or '_' or '.' or '~')
            {
                sb.Append(c);
            }
            else if (c == ' ')
            {
                sb.Append('+');
            }
            else
            {
                sb.Append('%').Append("0123456789ABCDEF"[b >> 4]).Append("0123456789ABCDEF"[b & 0xF]);
            }
        }
        return sb.ToString();
    }

    private enum BasicKind
    {
        Invalid,
        Bool,
        Int,
        Uint,
        Float,
        Complex,
        String,
    }

    private static BasicKind Basic(object? v) => v switch
    {
        bool => BasicKind.Bool,
        long => BasicKind.Int,
        byte => BasicKind.Uint,
        double => BasicKind.Float,
        System.Numerics.Complex => BasicKind.Complex,
        string => BasicKind.String,
        _ => BasicKind.Invalid,
    };

    private static bool Eq(object? arg1, ReadOnlySpan<object?> rest)
    {
        arg1 = Unwrap(arg1);
        if (rest.Length == 0)
        {
            throw new TemplateFunctionException("missing argument for comparison");
        }
        var k1 = Basic(arg1);
        foreach (var raw in rest)
        {
            var arg = Unwrap(raw);
            var k2 = Basic(arg);
            bool truth = false;
            if (IsIntegerPair(k1, k2))
            {
                // Go compares integers regardless of the sign of their types; a uint8 fits a long.
                truth = AsLong(arg1) == AsLong(arg);
            }
            else if (k1 != k2)
            {
                if (arg1 is not null && arg is not null)
                {
                    throw new TemplateFunctionException("incompatible types for comparison");
                }
            }
            else
            {
                switch (k1)
                {
                    case BasicKind.Bool: truth = (bool)arg1! == (bool)arg!; break;
                    case BasicKind.Int: truth = (long)arg1! == (long)arg!; break;
                    case BasicKind.Uint: truth = (byte)arg1! == (byte)arg!; break;
                    case BasicKind.Float: truth = (double)arg1! == (double)arg!; break;
                    case BasicKind.Complex: truth = (System.Numerics.Complex)arg1! == (System.Numerics.Complex)arg!; break;
                    case BasicKind.String: truth = (string)arg1! == (string)arg!; break;
                    default:
                        {
                            var g1 = GoValues.Kind(arg1);
                            var g2 = GoValues.Kind(arg);
                            if (g1 != g2 && arg1 is not null && arg is not null)
                            {
                                throw new TemplateFunctionException(
                                    $"non-comparable types {Fmt(arg1, 's')}: {GoValues.TypeName(arg1)}, {GoValues.TypeName(arg)}: {Fmt(arg, 'v')}");
                            }
                            bool nil1 = arg1 is null or TemplateNilPointer;
                            bool nil2 = arg is null or TemplateNilPointer;
                            if (nil1 || nil2)
                            {
                                // Go's eq: a nil on either side is equal only to another nil (untyped, or a nil pointer).
                                truth = nil1 && nil2;
                            }
                            else
                            {
                                if (g2 is GoKind.Map or GoKind.Slice or GoKind.Func)
                                {
                                    throw new TemplateFunctionException($"non-comparable type {Fmt(arg, 's')}: {GoValues.TypeName(arg)}");
                                }
                                truth = Equals(arg1, arg);
                            }
                            break;
                        }
                }
            }
            if (truth)
            {
                return true;
            }
        }
        return false;
    }

    private static string Fmt(object? v, char verb) => GoPrinter.Sprintf("%" + verb, [v]);

    private static bool Lt(object? arg1, object? arg2)
    {
        arg1 = Unwrap(arg1);
        arg2 = Unwrap(arg2);
        var k1 = Basic(arg1);
        if (k1 == BasicKind.Invalid)
        {
            throw new TemplateFunctionException("invalid type for comparison");
        }
        var k2 = Basic(arg2);
        if (k2 == BasicKind.Invalid)
        {
            throw new TemplateFunctionException("invalid type for comparison");
        }
        if (IsIntegerPair(k1, k2))
        {
            return AsLong(arg1) < AsLong(arg2);
        }
        if (k1 != k2)
        {
            throw new TemplateFunctionException("incompatible types for comparison");
        }
        return k1 switch
        {
            BasicKind.Bool or BasicKind.Complex => throw new TemplateFunctionException("invalid type for comparison"),
            BasicKind.Int => (long)arg1! < (long)arg2!,
            BasicKind.Uint => (byte)arg1! < (byte)arg2!,
            BasicKind.Float => (double)arg1! < (double)arg2!,
            _ => string.CompareOrdinal((string)arg1!, (string)arg2!) < 0,
        };
    }

    /// <summary>Two integers of different signedness (int and uint8), which Go compares by value.</summary>
    private static bool IsIntegerPair(BasicKind k1, BasicKind k2) =>
        (k1 == BasicKind.Int && k2 == BasicKind.Uint) || (k1 == BasicKind.Uint && k2 == BasicKind.Int);

    private static long AsLong(object? v) => v is byte u8 ? u8 : (long)v!;
}
