using System.Collections;
using System.Globalization;

namespace Tend.Templates.Execution;

/// <summary>
/// A nil that is nonetheless a valid value: Go's nil interface read out of a map or a slice. It
/// only lives inside a field chain, a range element or a function argument; a finished pipeline
/// turns it into "no value" (null), as Go's evalPipeline does.
/// </summary>
internal sealed class GoNil
{
    public static readonly GoNil Instance = new();

    private GoNil()
    {
    }
}

/// <summary>A value with Go's String() method (fmt prints it through that).</summary>
internal interface IGoStringer
{
    string GoString();
}

/// <summary>Kinds of values, the way Go's reflect would classify the oracle's data mapping.</summary>
internal enum GoKind
{
    Invalid,
    Nil,
    Bool,
    Int,
    Uint,
    Float,
    Complex,
    String,
    Map,
    Slice,
    Struct,
    Func,
    Pointer,
}

/// <summary>Shared helpers over the value model: kinds, Go type names, truth, maps and lists.</summary>
internal static class GoValues
{
    private static readonly object[] SmallInts = CreateSmallInts();

    private static object[] CreateSmallInts()
    {
        var a = new object[1280];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = (long)(i - 256);
        }
        return a;
    }

    /// <summary>Boxes a long, reusing cached boxes for small values.</summary>
    public static object Box(long v) => v >= -256 && v < 1024 ? SmallInts[v + 256] : v;

    public static readonly object True = true;
    public static readonly object False = false;

    public static object Box(bool b) => b ? True : False;

    private static readonly object[] Bytes = CreateBytes();

    private static object[] CreateBytes()
    {
        var a = new object[256];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = (byte)i;
        }
        return a;
    }

    /// <summary>Boxes a Go uint8 (a byte of a string, as index yields it); the boxes are cached.</summary>
    public static object BoxByte(byte b) => Bytes[b];

    /// <summary>Normalises CLR numerics to the two numeric representations of the engine.</summary>
    public static object? Normalize(object? v) => v switch
    {
        null => GoNil.Instance,
        int i => Box(i),
        short s => Box(s),
        sbyte sb => Box(sb),
        byte b => BoxByte(b),
        ushort us => Box(us),
        uint ui => Box(ui),
        ulong ul when ul <= long.MaxValue => Box((long)ul),
        float f => (double)f,
        decimal m => (double)m,
        char c => Box(c),
        _ => v,
    };

    public static GoKind Kind(object? v) => v switch
    {
        null => GoKind.Invalid,
        GoNil => GoKind.Nil,
        string => GoKind.String,
        long => GoKind.Int,
        byte => GoKind.Uint,
        bool => GoKind.Bool,
        double => GoKind.Float,
        System.Numerics.Complex => GoKind.Complex,
        TemplateFunction => GoKind.Func,
        IDictionary or IReadOnlyDictionary<string, object?> or IDictionary<string, object?> => GoKind.Map,
        IList => GoKind.Slice,
        TemplateNilPointer => GoKind.Pointer,
        _ => GoKind.Struct,
    };

    public static string TypeName(object? v)
    {
        switch (v)
        {
            case null or GoNil:
                return "<nil>";
            case long:
                return "int";
            case byte:
                return "uint8";
            case double:
                return "float64";
            case string:
                return "string";
            case bool:
                return "bool";
            case System.Numerics.Complex:
                return "complex128";
            case TemplateFunction:
                return "func(...interface {}) (interface {}, error)";
            case ITemplateStruct ts:
                return ts.TemplateType.Name;
            case TemplateNilPointer p:
                return p.TypeName;
        }
        var t = v.GetType();
        if (t.IsArray || t.IsGenericType)
        {
            return TypeNameOf(t);
        }
        // Other collection types are named by the interface they implement (a type test, not reflection).
        return v switch
        {
            IReadOnlyDictionary<string, object?> or IDictionary<string, object?> => "map[string]interface {}",
            IReadOnlyDictionary<string, string> or IDictionary<string, string> => "map[string]string",
            IDictionary => "map[string]interface {}",
            IReadOnlyList<string> => "[]string",
            IList => "[]interface {}",
            _ => t.Name,
        };
    }

    public static string TypeNameOf(Type t)
    {
        if (t == typeof(long) || t == typeof(int))
        {
            return "int";
        }
        if (t == typeof(byte))
        {
            return "uint8";
        }
        if (t == typeof(double))
        {
            return "float64";
        }
        if (t == typeof(string))
        {
            return "string";
        }
        if (t == typeof(bool))
        {
            return "bool";
        }
        if (t == typeof(object))
        {
            return "interface {}";
        }
        if (t == typeof(KVPair))
        {
            return "memkv.KVPair";
        }
        if (t.IsArray)
        {
            return "[]" + TypeNameOf(t.GetElementType()!);
        }
        if (t.IsGenericType)
        {
            var def = t.GetGenericTypeDefinition();
            var args = t.GetGenericArguments();
            if (def == typeof(List<>) || def == typeof(IList<>) || def == typeof(IReadOnlyList<>))
            {
                return "[]" + TypeNameOf(args[0]);
            }
            if (def == typeof(Dictionary<,>) || def == typeof(IDictionary<,>) || def == typeof(IReadOnlyDictionary<,>)
                || def == typeof(SortedDictionary<,>))
            {
                return "map[" + TypeNameOf(args[0]) + "]" + TypeNameOf(args[1]);
            }
        }
        return t.Name;
    }

    /// <summary>Whether elements of this collection are Go interface values (so a nil one prints as &lt;nil&gt;).</summary>
    public static bool ElementsAreInterfaces(object collection)
    {
        if (collection is List<object?> or object?[] or Dictionary<string, object?>)
        {
            return true;
        }
        if (collection is string[] or List<string> or long[] or KVPair[])
        {
            return false;
        }
        var t = collection.GetType();
        if (t.IsArray)
        {
            return t.GetElementType() == typeof(object);
        }
        if (t.IsGenericType)
        {
            var args = t.GetGenericArguments();
            return args[^1] == typeof(object);
        }
        return true;
    }

    /// <summary>Go's isTrue; ok is false for values Go cannot judge.</summary>
    public static bool IsTrue(object? v)
    {
        switch (v)
        {
            case null or GoNil or TemplateNilPointer:
                return false;
            case bool b:
                return b;
            case string s:
                return s.Length > 0;
            case long l:
                return l != 0;
            case byte u8:
                return u8 != 0;
            case double d:
                return d != 0;
            case System.Numerics.Complex c:
                return c != System.Numerics.Complex.Zero;
            case ICollection c:
                return c.Count > 0;
            case IReadOnlyCollection<KeyValuePair<string, object?>> rc:
                return rc.Count > 0;
            default:
                return true;
        }
    }

    /// <summary>Map keys in Go's fmtsort order (strings by bytes, numbers by value).</summary>
    public static List<KeyValuePair<object, object?>> SortedEntries(object map)
    {
        var list = new List<KeyValuePair<object, object?>>();
        switch (map)
        {
            case IReadOnlyDictionary<string, object?> rd:
                foreach (var kv in rd)
                {
                    list.Add(new(kv.Key, kv.Value));
                }
                break;
            case IDictionary d:
                foreach (DictionaryEntry e in d)
                {
                    list.Add(new(e.Key, e.Value));
                }
                break;
            case IDictionary<string, object?> gd:
                foreach (var kv in gd)
                {
                    list.Add(new(kv.Key, kv.Value));
                }
                break;
        }
        list.Sort(static (a, b) => CompareKeys(a.Key, b.Key));
        return list;
    }

    private static int CompareKeys(object a, object b)
    {
        if (a is string sa && b is string sb)
        {
            return string.CompareOrdinal(sa, sb);
        }
        if (a is IComparable ca && a.GetType() == b.GetType())
        {
            return ca.CompareTo(b);
        }
        return string.CompareOrdinal(Convert.ToString(a, CultureInfo.InvariantCulture), Convert.ToString(b, CultureInfo.InvariantCulture));
    }

    public static int MapCount(object map) => map switch
    {
        ICollection c => c.Count,
        IReadOnlyCollection<KeyValuePair<string, object?>> rc => rc.Count,
        ICollection<KeyValuePair<string, object?>> gc => gc.Count,
        _ => 0,
    };

    /// <summary>Looks a string key up in a map value. Found keys holding null come back as <see cref="GoNil"/>.</summary>
    public static bool TryMapIndex(object map, string key, out object? value)
    {
        switch (map)
        {
            case Dictionary<string, object?> d:
                if (d.TryGetValue(key, out value))
                {
                    value = value is null ? GoNil.Instance : value;
                    return true;
                }
                return false;
            case IReadOnlyDictionary<string, object?> rd:
                if (rd.TryGetValue(key, out value))
                {
                    value = value is null ? GoNil.Instance : Normalize(value);
                    return true;
                }
                return false;
            case IDictionary<string, object?> gd:
                if (gd.TryGetValue(key, out value))
                {
                    value = value is null ? GoNil.Instance : Normalize(value);
                    return true;
                }
                return false;
            case IDictionary nd:
                if (nd.Contains(key))
                {
                    value = Normalize(nd[key]);
                    return true;
                }
                value = null;
                return false;
        }
        value = null;
        return false;
    }

    /// <summary>The zero value of a map's element type (what missingkey=zero yields).</summary>
    public static object? MapZero(object map)
    {
        var t = map.GetType();
        if (t.IsGenericType && t.GetGenericArguments() is [_, var elem])
        {
            return ZeroOf(elem);
        }
        return map switch
        {
            IReadOnlyDictionary<string, string> or IDictionary<string, string> => "",
            IReadOnlyDictionary<string, long> or IDictionary<string, long> => Box(0),
            IReadOnlyDictionary<string, double> or IDictionary<string, double> => 0.0,
            IReadOnlyDictionary<string, bool> or IDictionary<string, bool> => False,
            _ => GoNil.Instance,
        };
    }

    public static object? ZeroOf(Type? t)
    {
        if (t is null || t == typeof(object))
        {
            return GoNil.Instance;
        }
        if (t == typeof(string))
        {
            return "";
        }
        if (t == typeof(long) || t == typeof(int))
        {
            return Box(0);
        }
        if (t == typeof(double))
        {
            return 0.0;
        }
        if (t == typeof(bool))
        {
            return False;
        }
        return GoNil.Instance;
    }

    public static object? ListElement(IList list, int i)
    {
        var v = list[i];
        return v is null ? GoNil.Instance : Normalize(v);
    }
}
