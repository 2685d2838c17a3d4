namespace Tend.Core.Config.Toml;

/// <summary>A TOML local time such as <c>07:32:00.999</c>.</summary>
public sealed class TomlLocalTime : TomlValue
{
    internal TomlLocalTime(TimeOnly value, int fractionDigits, int line, int column)
        : base(line, column)
    {
        Value = value;
        FractionDigits = fractionDigits;
    }

    /// <inheritdoc />
    public override TomlValueKind Kind => TomlValueKind.LocalTime;

    /// <summary>The time of day; fractional seconds finer than one tick are truncated.</summary>
    public TimeOnly Value { get; }

    /// <summary>How many fractional-second digits the source wrote (0 when there was no fraction).</summary>
    public int FractionDigits { get; }
}
