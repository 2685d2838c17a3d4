namespace Tend.Templates;

/// <summary>A field templates read with <c>.Name</c>: its name and getter.</summary>
public sealed class TemplateField
{
    /// <summary>Creates a field.</summary>
    /// <param name="name">The name templates use, e.g. <c>Key</c>.</param>
    /// <param name="get">Reads the field from a value of the declaring type.</param>
    /// <param name="isInterface">Whether the field is Go <c>interface {}</c> rather than a concrete type (it decides Go's error messages and how a nil prints).</param>
    public TemplateField(string name, Func<object, object?> get, bool isInterface = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(get);
        Name = name;
        Get = get;
        IsInterface = isInterface;
    }

    /// <summary>The name templates use.</summary>
    public string Name { get; }

    /// <summary>Reads the field.</summary>
    public Func<object, object?> Get { get; }

    /// <summary>Whether the field holds a Go <c>interface {}</c>.</summary>
    public bool IsInterface { get; }
}
