namespace Tend.Core.Config.Toml;

/// <summary>A TOML string, with escapes resolved and line endings normalised to <c>\n</c>.</summary>
public sealed class TomlString : TomlValue
{
    internal TomlString(string value, int line, int column)
        : base(line, column) => Value = value;

    /// <inheritdoc />
    public override TomlValueKind Kind => TomlValueKind.String;

    /// <summary>The decoded text.</summary>
    public string Value { get; }
}
