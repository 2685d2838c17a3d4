namespace Tend.Templates;

/// <summary>
/// A method templates call with <c>.Name arg…</c>. Arguments arrive checked and converted to the
/// declared parameter types, as for a <see cref="TemplateFunction"/> (a variadic tail is the
/// trailing array elements).
/// </summary>
public sealed class TemplateMethod
{
    /// <summary>Creates a method.</summary>
    /// <param name="name">The name templates call, e.g. <c>Format</c>.</param>
    /// <param name="parameters">Parameter types; with <paramref name="variadic"/> the last one is the element type of the variadic tail.</param>
    /// <param name="variadic">Whether the last parameter takes any number of arguments.</param>
    /// <param name="invoke">The implementation: receiver and arguments; throw <see cref="TemplateFunctionException"/> to fail the call.</param>
    public TemplateMethod(string name, IReadOnlyList<TemplateParameterType> parameters, bool variadic, Func<object, object?[], object?> invoke)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(invoke);
        if (variadic && parameters.Count == 0)
        {
            throw new ArgumentException("A variadic method needs at least one parameter type.", nameof(parameters));
        }
        Name = name;
        Parameters = parameters.ToArray();
        IsVariadic = variadic;
        Invoke = invoke;
    }

    /// <summary>The name templates call.</summary>
    public string Name { get; }

    /// <summary>Parameter types (the last is the variadic element type when <see cref="IsVariadic"/>).</summary>
    public IReadOnlyList<TemplateParameterType> Parameters { get; }

    /// <summary>Whether the last parameter is variadic.</summary>
    public bool IsVariadic { get; }

    /// <summary>The implementation.</summary>
    public Func<object, object?[], object?> Invoke { get; }
}
