namespace Tend.Templates;

/// <summary>
/// What templates see of a CLR type: its Go type name, its fields in declaration order (how
/// <c>{{.}}</c> and <c>printf "%+v"</c> print it) and its methods. Build one with
/// <see cref="TemplateStructBuilder{T}"/> and return it from <see cref="ITemplateStruct.TemplateType"/>.
/// </summary>
public sealed class TemplateStructType
{
    private readonly Dictionary<string, TemplateField> _fields;
    private readonly Dictionary<string, TemplateMethod> _methods;

    /// <summary>Creates a type; names must be unique across fields and methods (a Go struct cannot have both).</summary>
    /// <param name="name">The Go type name shown by <c>%T</c> and in errors, e.g. <c>memkv.KVPair</c>.</param>
    /// <param name="fields">Fields, in the order they print.</param>
    /// <param name="methods">Methods.</param>
    public TemplateStructType(string name, IReadOnlyList<TemplateField> fields, IReadOnlyList<TemplateMethod> methods)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(methods);
        Name = name;
        Fields = fields.ToArray();
        _fields = new Dictionary<string, TemplateField>(StringComparer.Ordinal);
        _methods = new Dictionary<string, TemplateMethod>(StringComparer.Ordinal);
        foreach (var f in Fields)
        {
            if (!_fields.TryAdd(f.Name, f))
            {
                throw new ArgumentException($"{name} declares the field {f.Name} twice.", nameof(fields));
            }
        }
        foreach (var m in methods)
        {
            if (_fields.ContainsKey(m.Name) || !_methods.TryAdd(m.Name, m))
            {
                throw new ArgumentException($"{name} declares the member {m.Name} twice.", nameof(methods));
            }
        }
        Methods = methods.ToArray();
    }

    /// <summary>The Go type name.</summary>
    public string Name { get; }

    /// <summary>Fields in print order.</summary>
    public IReadOnlyList<TemplateField> Fields { get; }

    /// <summary>Methods.</summary>
    public IReadOnlyList<TemplateMethod> Methods { get; }

    /// <summary>Looks a field up by name.</summary>
    public bool TryGetField(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TemplateField? field) =>
        _fields.TryGetValue(name, out field);

    /// <summary>Looks a method up by name.</summary>
    public bool TryGetMethod(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TemplateMethod? method) =>
        _methods.TryGetValue(name, out method);
}
