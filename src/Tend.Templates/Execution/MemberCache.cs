using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;

namespace Tend.Templates.Execution;

internal enum MemberKind
{
    None,
    Property,
    Method,
}

/// <summary>How a field name resolves on a CLR type: a compiled property getter or a method.</summary>
internal sealed class MemberAccessor
{
    public MemberKind Kind { get; init; }

    public Func<object, object?>? Getter { get; init; }

    public bool PropertyIsInterface { get; init; }

    public MethodInfo? Method { get; init; }

    public TemplateParameterType[] Parameters { get; init; } = [];

    public Type[] ClrParameters { get; init; } = [];

    public bool Variadic { get; init; }
}

/// <summary>Per CLR type and name, the resolved member, built once and shared by every render.</summary>
internal static class MemberCache
{
    private static readonly ConcurrentDictionary<(Type, string), MemberAccessor> Cache = new();
    private static readonly MemberAccessor NoneAccessor = new() { Kind = MemberKind.None };

    public static MemberAccessor Get(Type type, string name) => Cache.GetOrAdd((type, name), static k => Build(k.Item1, k.Item2));

    private static MemberAccessor Build(Type type, string name)
    {
        // .Key and .Value of a KVPair are what nearly every confd template reads: plain delegates
        // for those spare a onetime run loading and running the expression compiler.
        if (type == typeof(KVPair) && name is "Key" or "Value")
        {
            return new MemberAccessor
            {
                Kind = MemberKind.Property,
                Getter = name == "Key" ? static o => ((KVPair)o).Key : static o => ((KVPair)o).Value,
            };
        }

        var methods = type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.Name == name && !m.IsSpecialName && !m.IsGenericMethodDefinition && m.DeclaringType != typeof(object))
            .ToArray();
        if (methods.Length > 0)
        {
            var m = methods.OrderBy(x => x.GetParameters().Length).First();
            var ps = m.GetParameters();
            bool variadic = ps.Length > 0 && ps[^1].IsDefined(typeof(ParamArrayAttribute));
            var kinds = ps.Select((p, i) => MapType(variadic && i == ps.Length - 1 ? p.ParameterType.GetElementType()! : p.ParameterType)).ToArray();
            return new MemberAccessor
            {
                Kind = MemberKind.Method,
                Method = m,
                Parameters = kinds,
                ClrParameters = ps.Select(p => p.ParameterType).ToArray(),
                Variadic = variadic,
            };
        }
        var prop = type.GetProperty(name, BindingFlags.Public | BindingFlags.Instance);
        if (prop is not null && prop.GetIndexParameters().Length == 0 && prop.GetMethod is not null)
        {
            var obj = Expression.Parameter(typeof(object), "o");
            var body = Expression.Convert(Expression.Property(Expression.Convert(obj, type), prop), typeof(object));
            var getter = Expression.Lambda<Func<object, object?>>(body, obj).Compile();
            return new MemberAccessor { Kind = MemberKind.Property, Getter = getter, PropertyIsInterface = prop.PropertyType == typeof(object) };
        }
        return NoneAccessor;
    }

    public static TemplateParameterType MapType(Type t)
    {
        if (t == typeof(string))
        {
            return TemplateParameterType.String;
        }
        if (t == typeof(long) || t == typeof(int))
        {
            return TemplateParameterType.Integer;
        }
        if (t == typeof(double) || t == typeof(float))
        {
            return TemplateParameterType.Float;
        }
        if (t == typeof(bool))
        {
            return TemplateParameterType.Boolean;
        }
        if (t == typeof(string[]) || t == typeof(IReadOnlyList<string>) || t == typeof(List<string>))
        {
            return TemplateParameterType.StringList;
        }
        return TemplateParameterType.Any;
    }

    public static object? ConvertArg(object? value, Type clr)
    {
        if (value is long l)
        {
            if (clr == typeof(int))
            {
                return checked((int)l);
            }
            if (clr == typeof(object) || clr == typeof(long))
            {
                return l;
            }
        }
        if (value is double d && clr == typeof(float))
        {
            return (float)d;
        }
        if (value is IReadOnlyList<string> list && clr == typeof(string[]))
        {
            return list.ToArray();
        }
        return value;
    }
}

/// <summary>Public properties of a type, in declaration order (how Go prints a struct).</summary>
internal static class PropertyCache
{
    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> Cache = new();

    public static PropertyInfo[] For(Type t) => Cache.GetOrAdd(t, static x => GoValues.PublicProperties(x));
}
