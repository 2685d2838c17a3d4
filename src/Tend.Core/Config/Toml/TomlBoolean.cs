namespace Tend.Core.Config.Toml;

/// <summary>A TOML boolean.</summary>
public sealed class TomlBoolean : TomlValue
{
    internal TomlBoolean(bool value, int line, int column)
        : base(line, column) => Value = value;

    /// <inheritdoc />
    public override TomlValueKind Kind => TomlValueKind.Boolean;

    /// <summary>The boolean value.</summary>
    public bool Value { get; }
}
