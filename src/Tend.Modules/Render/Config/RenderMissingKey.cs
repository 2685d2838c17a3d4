namespace Tend.Modules.Render.Config;

/// <summary>What a template gets when it indexes a map with a key that is not there (Go's <c>missingkey</c>).</summary>
public enum RenderMissingKey
{
    /// <summary>The render fails and the old file stays (<c>missing_key = "error"</c>, the default).</summary>
    Error,

    /// <summary>The zero value, i.e. an empty string (<c>missing_key = "zero"</c>).</summary>
    Zero,

    /// <summary>Go's <c>&lt;no value&gt;</c> (<c>missing_key = "default"</c>).</summary>
    Default,
}
