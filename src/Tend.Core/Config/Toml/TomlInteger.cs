namespace Tend.Core.Config.Toml;

/// <summary>A TOML integer (decimal, hexadecimal, octal or binary in the source).</summary>
public sealed class TomlInteger : TomlValue
{
    internal TomlInteger(long value, int line, int column)
        : base(line, column) => Value = value;

    /// <inheritdoc />
    public override TomlValueKind Kind => TomlValueKind.Integer;

    /// <summary>The integer value.</summary>
    public long Value { get; }
}
