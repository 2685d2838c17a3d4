using Tend.Core.Config;

namespace Tend.Modules.Render.Config;

/// <summary>
/// What one template render may take: time, output and memory for the values its functions build
/// (<c>template_timeout</c>, <c>max_output</c>, <c>max_memory</c> in <c>[render]</c>, in each
/// <c>[[render.template]]</c> and in <c>[hooks.nagios]</c>). A render that exceeds one fails with an
/// error naming the template and the limit; the destination keeps its last good content.
/// </summary>
public sealed record RenderLimits
{
    /// <summary>The largest <see cref="MaxOutput"/> accepted (512 MiB): a configuration file is never near it.</summary>
    public const long MaxOutputCeiling = 512L << 20;

    /// <summary>The largest <see cref="MaxMemory"/> accepted (16 GiB).</summary>
    public const long MaxMemoryCeiling = 16L << 30;

    /// <summary>The defaults: 10 s, 64 MiB of output, 256 MiB of values.</summary>
    public static RenderLimits Default { get; } = new();

    /// <summary>How long one render may run (default 10 s).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The most bytes one render may produce (default 64 MiB).</summary>
    public long MaxOutput { get; init; } = 64L << 20;

    /// <summary>The most bytes the values built by a render's function calls may take, summed over the render (default 256 MiB).</summary>
    public long MaxMemory { get; init; } = 256L << 20;

    /// <summary>These limits with a resource's own overrides applied.</summary>
    public RenderLimits For(RenderResourceOptions resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        return resource.TemplateTimeout is null && resource.MaxOutput is null && resource.MaxMemory is null
            ? this
            : new RenderLimits
            {
                Timeout = resource.TemplateTimeout ?? Timeout,
                MaxOutput = resource.MaxOutput ?? MaxOutput,
                MaxMemory = resource.MaxMemory ?? MaxMemory,
            };
    }

    /// <summary>A size as messages show it: <c>64 MiB</c>, <c>512 KiB</c>, or <c>1000 bytes</c>.</summary>
    public static string FormatSize(long bytes)
    {
        foreach (var (unit, factor) in new[] { ("GiB", 1L << 30), ("MiB", 1L << 20), ("KiB", 1L << 10) })
        {
            if (bytes >= factor && bytes % factor == 0)
            {
                return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes / factor} {unit}");
            }
        }

        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes} bytes");
    }

    /// <summary>Reads <c>template_timeout</c>, <c>max_output</c> and <c>max_memory</c> from <paramref name="s"/> over <paramref name="defaults"/>.</summary>
    /// <exception cref="ConfigException">A value is not a duration or size, is zero, or is beyond its ceiling.</exception>
    public static RenderLimits Read(TomlSection s, RenderLimits defaults)
    {
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(defaults);
        return new RenderLimits
        {
            Timeout = ReadTimeout(s) ?? defaults.Timeout,
            MaxOutput = ReadMaxOutput(s) ?? defaults.MaxOutput,
            MaxMemory = ReadMaxMemory(s) ?? defaults.MaxMemory,
        };
    }

    /// <summary><c>template_timeout</c>: a positive duration, or <c>null</c> when absent.</summary>
    public static TimeSpan? ReadTimeout(TomlSection s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var d = s.Duration("template_timeout");
        return d is { } v && v <= TimeSpan.Zero ? throw s.Error("template_timeout", $"{s.Name} template_timeout must be greater than zero") : d;
    }

    /// <summary><c>max_output</c>: a size up to <see cref="MaxOutputCeiling"/>, or <c>null</c> when absent.</summary>
    public static long? ReadMaxOutput(TomlSection s) => Bounded(s, "max_output", MaxOutputCeiling, "512MiB");

    /// <summary><c>max_memory</c>: a size up to <see cref="MaxMemoryCeiling"/>, or <c>null</c> when absent.</summary>
    public static long? ReadMaxMemory(TomlSection s) => Bounded(s, "max_memory", MaxMemoryCeiling, "16GiB");

    private static long? Bounded(TomlSection s, string key, long ceiling, string ceilingText)
    {
        ArgumentNullException.ThrowIfNull(s);
        var v = s.ByteSize(key);
        return v > ceiling ? throw s.Error(key, $"{s.Name} {key} must be at most {ceilingText}, not {v}") : v;
    }
}
