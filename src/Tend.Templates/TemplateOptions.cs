namespace Tend.Templates;

/// <summary>Options for <see cref="GoTemplate.Parse"/>.</summary>
public sealed record TemplateOptions
{
    /// <summary>What a missing map key yields; Go's <c>missingkey</c> option.</summary>
    public MissingKeyMode MissingKey { get; init; } = MissingKeyMode.Default;

    /// <summary>The functions templates may call; null means Go's builtins only.</summary>
    public FunctionRegistry? Functions { get; init; }
}
