namespace Tend.Core.Config.Toml;

/// <summary>A TOML local date-time (no offset) such as <c>1979-05-27T07:32:00</c>.</summary>
public sealed class TomlLocalDateTime : TomlValue
{
    internal TomlLocalDateTime(DateTime value, int fractionDigits, int line, int column)
        : base(line, column)
    {
        Value = value;
        FractionDigits = fractionDigits;
    }

    /// <inheritdoc />
    public override TomlValueKind Kind => TomlValueKind.LocalDateTime;

    /// <summary>
    /// The date-time with <see cref="DateTimeKind.Unspecified"/>. Fractional seconds finer than one
    /// tick are truncated.
    /// </summary>
    public DateTime Value { get; }

    /// <summary>How many fractional-second digits the source wrote (0 when there was no fraction).</summary>
    public int FractionDigits { get; }
}
