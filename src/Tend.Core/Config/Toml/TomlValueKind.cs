namespace Tend.Core.Config.Toml;

/// <summary>The TOML type of a <see cref="TomlValue"/>.</summary>
public enum TomlValueKind
{
    /// <summary>A string of any quoting style (<see cref="TomlString"/>).</summary>
    String,

    /// <summary>A 64-bit signed integer (<see cref="TomlInteger"/>).</summary>
    Integer,

    /// <summary>A binary64 float, including inf and nan (<see cref="TomlFloat"/>).</summary>
    Float,

    /// <summary><c>true</c> or <c>false</c> (<see cref="TomlBoolean"/>).</summary>
    Boolean,

    /// <summary>A date-time with a UTC offset (<see cref="TomlOffsetDateTime"/>).</summary>
    OffsetDateTime,

    /// <summary>A date-time without an offset (<see cref="TomlLocalDateTime"/>).</summary>
    LocalDateTime,

    /// <summary>A calendar date (<see cref="TomlLocalDate"/>).</summary>
    LocalDate,

    /// <summary>A time of day (<see cref="TomlLocalTime"/>).</summary>
    LocalTime,

    /// <summary>An array (<see cref="TomlArray"/>).</summary>
    Array,

    /// <summary>A table (<see cref="TomlTable"/>).</summary>
    Table,
}
