namespace Tend.Core.Config.Toml;

/// <summary>A TOML offset date-time such as <c>1979-05-27T07:32:00-07:00</c>.</summary>
public sealed class TomlOffsetDateTime : TomlValue
{
    internal TomlOffsetDateTime(DateTimeOffset value, int fractionDigits, int line, int column)
        : base(line, column)
    {
        Value = value;
        FractionDigits = fractionDigits;
    }

    /// <inheritdoc />
    public override TomlValueKind Kind => TomlValueKind.OffsetDateTime;

    /// <summary>
    /// The instant with its offset. Fractional seconds finer than 100 ns (one tick) are truncated,
    /// as the TOML spec allows.
    /// </summary>
    public DateTimeOffset Value { get; }

    /// <summary>How many fractional-second digits the source wrote (0 when there was no fraction).</summary>
    public int FractionDigits { get; }
}
