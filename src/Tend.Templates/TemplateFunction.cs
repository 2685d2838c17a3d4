namespace Tend.Templates;

/// <summary>
/// A function callable from templates: its name, Go-style signature, a one-line description,
/// parameter types and implementation. Arguments arrive already checked and converted to the
/// declared types (variadic arguments are the trailing array elements).
/// </summary>
public sealed class TemplateFunction
{
    /// <summary>Creates a function.</summary>
    /// <param name="name">The name templates call it by.</param>
    /// <param name="signature">Go-style signature shown to users, e.g. <c>getv(key string, default ...string) string</c>.</param>
    /// <param name="description">One line saying what it does.</param>
    /// <param name="parameters">Parameter types; with <paramref name="variadic"/> the last one is the element type of the variadic tail.</param>
    /// <param name="variadic">Whether the last parameter takes any number of arguments.</param>
    /// <param name="invoke">The implementation; throw <see cref="TemplateFunctionException"/> to fail the call.</param>
    public TemplateFunction(string name, string signature, string description, IReadOnlyList<TemplateParameterType> parameters, bool variadic, Func<object?[], object?> invoke)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(invoke);
        if (variadic && parameters.Count == 0)
        {
            throw new ArgumentException("A variadic function needs at least one parameter type.", nameof(parameters));
        }
        Name = name;
        Signature = signature ?? name;
        Description = description ?? "";
        Parameters = parameters.ToArray();
        IsVariadic = variadic;
        Invoke = invoke;
    }

    /// <summary>The name templates call it by.</summary>
    public string Name { get; }

    /// <summary>Go-style signature, e.g. <c>split(s string, sep string) []string</c>.</summary>
    public string Signature { get; }

    /// <summary>One-line description.</summary>
    public string Description { get; }

    /// <summary>Parameter types (the last is the variadic element type when <see cref="IsVariadic"/>).</summary>
    public IReadOnlyList<TemplateParameterType> Parameters { get; }

    /// <summary>Whether the last parameter is variadic.</summary>
    public bool IsVariadic { get; }

    /// <summary>The implementation.</summary>
    public Func<object?[], object?> Invoke { get; }

    /// <summary>Set for the builtins that the engine evaluates itself (and, or) or may print directly (print, printf, println).</summary>
    internal string? Special { get; init; }

    /// <summary>The implementation never keeps the argument array, so the engine may reuse it.</summary>
    internal bool PoolArguments { get; init; }
}
