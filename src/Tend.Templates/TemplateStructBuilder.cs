namespace Tend.Templates;

/// <summary>
/// Declares a <see cref="TemplateStructType"/> with typed accessors:
/// <c>new TemplateStructBuilder&lt;Server&gt;("main.Server").Field("Name", s =&gt; s.Name).Method("Url", [TemplateParameterType.String], (s, a) =&gt; s.Url((string)a[0]!)).Build()</c>.
/// </summary>
/// <typeparam name="T">The CLR type described.</typeparam>
public sealed class TemplateStructBuilder<T>
    where T : notnull
{
    private readonly string _name;
    private readonly List<TemplateField> _fields = [];
    private readonly List<TemplateMethod> _methods = [];

    /// <summary>Starts a type with its Go type name (what <c>%T</c> prints).</summary>
    public TemplateStructBuilder(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        _name = name;
    }

    /// <summary>Adds a field of a concrete type (string, number, bool, list, map or struct).</summary>
    public TemplateStructBuilder<T> Field(string name, Func<T, object?> get)
    {
        ArgumentNullException.ThrowIfNull(get);
        _fields.Add(new TemplateField(name, o => get((T)o)));
        return this;
    }

    /// <summary>Adds a field of Go type <c>interface {}</c> (any value, possibly nil).</summary>
    public TemplateStructBuilder<T> InterfaceField(string name, Func<T, object?> get)
    {
        ArgumentNullException.ThrowIfNull(get);
        _fields.Add(new TemplateField(name, o => get((T)o), isInterface: true));
        return this;
    }

    /// <summary>
    /// Adds a field of Go type <c>*E</c>, a pointer to the struct <paramref name="elementType"/> declares: a non-null
    /// value reads as that struct, <c>null</c> as the typed nil pointer (<see cref="TemplateNilPointer"/>).
    /// </summary>
    public TemplateStructBuilder<T> PointerField(string name, TemplateStructType elementType, Func<T, object?> get)
    {
        ArgumentNullException.ThrowIfNull(get);
        var nil = new TemplateNilPointer(elementType);
        _fields.Add(new TemplateField(name, o => get((T)o) ?? nil));
        return this;
    }

    /// <summary>Adds a method without parameters.</summary>
    public TemplateStructBuilder<T> Method(string name, Func<T, object?> invoke)
    {
        ArgumentNullException.ThrowIfNull(invoke);
        _methods.Add(new TemplateMethod(name, [], false, (o, _) => invoke((T)o)));
        return this;
    }

    /// <summary>Adds a method with parameters (arguments arrive checked and converted, see <see cref="TemplateMethod"/>).</summary>
    public TemplateStructBuilder<T> Method(string name, IReadOnlyList<TemplateParameterType> parameters, Func<T, object?[], object?> invoke, bool variadic = false)
    {
        ArgumentNullException.ThrowIfNull(invoke);
        _methods.Add(new TemplateMethod(name, parameters, variadic, (o, a) => invoke((T)o, a)));
        return this;
    }

    /// <summary>The finished type.</summary>
    public TemplateStructType Build() => new(_name, _fields, _methods);
}
