namespace Tend.Core.Config.Toml;

/// <summary>How a <see cref="TomlTable"/> came into existence; the redefinition rules depend on it.</summary>
public enum TomlTableOrigin
{
    /// <summary>The document's root table.</summary>
    Root,

    /// <summary>Created only as a parent of a header such as <c>[a.b]</c> (here <c>a</c>); may still be defined by its own header.</summary>
    Implicit,

    /// <summary>Defined by a <c>[table]</c> header.</summary>
    Header,

    /// <summary>One element of an array of tables, defined by a <c>[[array]]</c> header.</summary>
    ArrayElement,

    /// <summary>Created by a dotted key such as <c>a.b = 1</c> (here <c>a</c>).</summary>
    DottedKey,

    /// <summary>An inline table <c>{ ... }</c>; it cannot be extended afterwards.</summary>
    Inline,
}
