namespace Tend.Templates;

/// <summary>Which of the <see cref="TemplateLimits"/> a render exceeded.</summary>
public enum TemplateLimitKind
{
    /// <summary>None: an ordinary template error.</summary>
    None,

    /// <summary><see cref="TemplateLimits.Timeout"/>.</summary>
    Time,

    /// <summary><see cref="TemplateLimits.MaxOutput"/>.</summary>
    Output,

    /// <summary><see cref="TemplateLimits.MaxMemory"/>.</summary>
    Memory,
}
