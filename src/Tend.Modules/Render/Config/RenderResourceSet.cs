using Tend.Core.Config;

namespace Tend.Modules.Render.Config;

/// <summary>Combines render resources from several sources (tend.toml, a confdir, a cfgdir) into one validated list.</summary>
public static class RenderResourceSet
{
    /// <summary>Concatenates <paramref name="sources"/> in order.</summary>
    /// <exception cref="ConfigException">Two resources write the same destination, or share an id they were given; the message names both declarations.</exception>
    public static IReadOnlyList<RenderResourceOptions> Combine(params IEnumerable<RenderResourceOptions>[] sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        return RenderResourceReader.CheckDestinationsAndIds(sources.SelectMany(s => s));
    }
}
