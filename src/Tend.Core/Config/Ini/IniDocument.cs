using System.Diagnostics.CodeAnalysis;

namespace Tend.Core.Config.Ini;

/// <summary>A parsed INI file: its sections in file order. Create one with <see cref="IniParser.Parse"/>.</summary>
public sealed class IniDocument
{
    private readonly List<IniSection> _sections = [];
    private readonly Dictionary<string, IniSection> _byName = new(StringComparer.Ordinal);

    internal IniDocument()
    {
    }

    /// <summary>The sections in file order.</summary>
    public IReadOnlyList<IniSection> Sections => _sections;

    /// <summary>Finds a section by its exact (case-sensitive) name, as configparser does.</summary>
    public bool TryGetSection(string name, [NotNullWhen(true)] out IniSection? section) => _byName.TryGetValue(name, out section);

    /// <summary>Adds a section; false if one with the same name exists.</summary>
    internal bool TryAdd(IniSection section)
    {
        if (!_byName.TryAdd(section.Name, section))
        {
            return false;
        }

        _sections.Add(section);
        return true;
    }
}
