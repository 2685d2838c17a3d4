namespace Tend.Templates;

/// <summary>What a lookup of a missing map key yields (Go's <c>missingkey</c> option).</summary>
public enum MissingKeyMode
{
    /// <summary>"no value": prints as <c>&lt;no value&gt;</c> (Go's default, also called "invalid").</summary>
    Default,

    /// <summary>The zero value of the map's element type.</summary>
    Zero,

    /// <summary>Execution stops with an error.</summary>
    Error,
}
