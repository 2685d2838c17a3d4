namespace Tend.Core.Config.Toml;

/// <summary>A TOML local date such as <c>1979-05-27</c>.</summary>
public sealed class TomlLocalDate : TomlValue
{
    internal TomlLocalDate(DateOnly value, int line, int column)
        : base(line, column) => Value = value;

    /// <inheritdoc />
    public override TomlValueKind Kind => TomlValueKind.LocalDate;

    /// <summary>The date.</summary>
    public DateOnly Value { get; }
}
