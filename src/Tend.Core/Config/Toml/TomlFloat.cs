namespace Tend.Core.Config.Toml;

/// <summary>A TOML float; <c>inf</c> and <c>nan</c> map to the matching <see cref="double"/> values.</summary>
public sealed class TomlFloat : TomlValue
{
    internal TomlFloat(double value, int line, int column)
        : base(line, column) => Value = value;

    /// <inheritdoc />
    public override TomlValueKind Kind => TomlValueKind.Float;

    /// <summary>The float value.</summary>
    public double Value { get; }
}
