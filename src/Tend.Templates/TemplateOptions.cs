namespace Tend.Templates;

/// <summary>Options for <see cref="GoTemplate.Parse"/>.</summary>
public sealed record TemplateOptions
{
    /// <summary>What a missing map key yields; Go's <c>missingkey</c> option.</summary>
    public MissingKeyMode MissingKey { get; init; } = MissingKeyMode.Default;

    /// <summary>The functions templates may call; null means Go's builtins only.</summary>
    public FunctionRegistry? Functions { get; init; }

    /// <summary>The action's opening delimiter (Go's <c>Delims</c>); null or empty means <c>{{</c>.</summary>
    public string? LeftDelimiter { get; init; }

    /// <summary>The action's closing delimiter; null or empty means <c>}}</c>.</summary>
    public string? RightDelimiter { get; init; }

    /// <summary>Parses a Go <c>missingkey</c> value: <c>default</c> or <c>invalid</c>, <c>zero</c>, <c>error</c>.</summary>
    /// <exception cref="ArgumentException">Any other value (Go: <c>unrecognized option: missingkey=VALUE</c>).</exception>
    public static MissingKeyMode ParseMissingKey(string value) => value switch
    {
        "default" or "invalid" => MissingKeyMode.Default,
        "zero" => MissingKeyMode.Zero,
        "error" => MissingKeyMode.Error,
        _ => throw new ArgumentException($"unrecognized option: missingkey={value}", nameof(value)),
    };
}
