using Tend.Core.Config.Toml;

namespace Tend.Core.Config;

/// <summary>
/// Reads one table of a configuration file with type checks, remembering which keys were read so
/// that <see cref="RejectUnknownKeys"/> can report a typo (<c>lisen</c>) at its line and column
/// instead of silently ignoring it.
/// </summary>
public sealed class TomlSection
{
    private readonly TomlTable _table;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);
    private readonly string _path;

    /// <summary>Wraps <paramref name="table"/>, named <paramref name="name"/> (e.g. <c>[store]</c>) in messages.</summary>
    /// <param name="file">The file, for messages.</param>
    /// <param name="name">How messages name the table, e.g. <c>[store]</c> or <c>[[render.template]] #2</c>.</param>
    /// <param name="table">The table.</param>
    /// <param name="path">The table's dotted path (<c>render.template</c>); empty for the root.</param>
    public TomlSection(string file, string name, TomlTable table, string path = "")
    {
        File = file;
        Name = name;
        _table = table;
        _path = path;
    }

    /// <summary>The file, for messages.</summary>
    public string File { get; }

    /// <summary>The section name, for messages.</summary>
    public string Name { get; }

    /// <summary>The position of the table itself.</summary>
    public (int Line, int Column) Position => (_table.Line, _table.Column);

    /// <summary>True when <paramref name="key"/> is present.</summary>
    public bool Has(string key) => _table.TryGetEntry(key, out _);

    /// <summary>A string value, or <c>null</c> when absent.</summary>
    public string? String(string key) => Read(key, TomlValueKind.String, "a string") is TomlString s ? s.Value : null;

    /// <summary>A boolean value, or <c>null</c> when absent.</summary>
    public bool? Bool(string key) => Read(key, TomlValueKind.Boolean, "true or false") is TomlBoolean b ? b.Value : null;

    /// <summary>An integer value, or <c>null</c> when absent.</summary>
    public long? Integer(string key) => Read(key, TomlValueKind.Integer, "an integer") is TomlInteger i ? i.Value : null;

    /// <summary>An integer within [<paramref name="min"/>, <paramref name="max"/>], or <c>null</c> when absent.</summary>
    public int? Int(string key, int min, int max)
    {
        var v = Integer(key);
        if (v is null)
        {
            return null;
        }

        if (v < min || v > max)
        {
            throw Error(key, $"{Name} {key} must be between {min} and {max}, not {v}");
        }

        return (int)v;
    }

    /// <summary>A list of strings (a single string is accepted as a one-item list), or <c>null</c> when absent.</summary>
    public IReadOnlyList<string>? StringList(string key)
    {
        if (!_table.TryGetEntry(key, out var entry))
        {
            return null;
        }

        _read.Add(key);
        if (entry.Value is TomlString one)
        {
            return [one.Value];
        }

        if (entry.Value is not TomlArray array)
        {
            throw Error(key, $"{Name} {key} must be a list of strings");
        }

        var list = new List<string>(array.Count);
        foreach (var item in array)
        {
            if (item is not TomlString s)
            {
                throw new ConfigException(File, item.Line, item.Column, $"{Name} {key}: every item must be a string");
            }

            list.Add(s.Value);
        }

        return list;
    }

    /// <summary>
    /// A duration (<c>"10s"</c>, <c>"500ms"</c>, or a number of seconds) of at most <see cref="Durations.Maximum"/>,
    /// or <c>null</c> when absent.
    /// </summary>
    public TimeSpan? Duration(string key)
    {
        if (!_table.TryGetEntry(key, out var entry))
        {
            return null;
        }

        _read.Add(key);
        TimeSpan d;
        string? error;
        bool ok = entry.Value switch
        {
            TomlInteger i => Durations.TryFromSeconds(i.Value, out d, out error),
            TomlFloat f when double.IsFinite(f.Value) => Durations.TryFromSeconds(f.Value, out d, out error),
            TomlString s => Durations.TryParse(s.Value, out d, out error),
            _ => Fail(out d, out error),
        };
        return ok ? d : throw Error(key, $"{Name} {key} {error}");

        static bool Fail(out TimeSpan d, out string? error)
        {
            d = TimeSpan.Zero;
            error = $"must be {Durations.Expected}";
            return false;
        }
    }

    /// <summary>A quiescence period, <c>"min:max"</c> or <c>"min"</c> (see <see cref="ChangeWait.TryParse"/>), or <c>null</c> when absent.</summary>
    public ChangeWait? Wait(string key)
    {
        var text = String(key);
        if (text is null)
        {
            return null;
        }

        return ChangeWait.TryParse(text, out var wait, out var error) ? wait : throw Error(key, $"{Name} {error}");
    }

    /// <summary>A size in bytes (an integer, or a string with a unit such as <c>"64MiB"</c>), at least <paramref name="min"/>; <c>null</c> when absent.</summary>
    public long? ByteSize(string key, long min = 1, long max = long.MaxValue)
    {
        if (!_table.TryGetEntry(key, out var entry))
        {
            return null;
        }

        _read.Add(key);
        long? value = entry.Value switch
        {
            TomlInteger i => i.Value,
            TomlString s when ByteSizes.TryParse(s.Value, out var b) => b,
            _ => null,
        };
        if (value is not { } v)
        {
            throw Error(key, $"{Name} {key} must be a size such as 67108864, \"512KiB\" or \"64MiB\"");
        }

        if (v > max)
        {
            throw Error(key, $"{Name} {key} must be at most {max} bytes, not {v}");
        }

        return v >= min ? v : throw Error(key, min == 1 ? $"{Name} {key} must be greater than zero" : $"{Name} {key} must be at least {min} bytes, not {v}");
    }

    /// <summary>One of <paramref name="allowed"/> (case-insensitive, returned in lower case), or <c>null</c> when absent.</summary>
    public string? Choice(string key, params string[] allowed)
    {
        var v = String(key);
        if (v is null)
        {
            return null;
        }

        var lower = v.ToLowerInvariant();
        if (!allowed.Contains(lower, StringComparer.Ordinal))
        {
            throw Error(key, $"{Name} {key} must be one of {string.Join(", ", allowed.Select(a => $"\"{a}\""))}, not \"{v}\"");
        }

        return lower;
    }

    /// <summary>A sub-table, or <c>null</c> when absent.</summary>
    public TomlSection? Table(string key)
    {
        if (!_table.TryGetEntry(key, out var entry))
        {
            return null;
        }

        _read.Add(key);
        if (entry.Value is not TomlTable t)
        {
            throw Error(key, $"{key} must be a table ([{Prefixed(key)}])");
        }

        return new TomlSection(File, $"[{Prefixed(key)}]", t, Prefixed(key));
    }

    /// <summary>An array of tables (<c>[[name]]</c>); empty when absent.</summary>
    public IReadOnlyList<TomlSection> Tables(string key)
    {
        if (!_table.TryGetEntry(key, out var entry))
        {
            return [];
        }

        _read.Add(key);
        if (entry.Value is not TomlArray array || array.Any(v => v is not TomlTable))
        {
            throw Error(key, $"{key} must be an array of tables ([[{Prefixed(key)}]])");
        }

        return array.Select((v, i) => new TomlSection(File, $"[[{Prefixed(key)}]] #{i + 1}", (TomlTable)v, Prefixed(key))).ToList();
    }

    /// <summary>Every entry of the table, in file order (all count as read): for free-form tables such as extra data fields.</summary>
    public IReadOnlyList<TomlEntry> Entries()
    {
        foreach (var e in _table.Entries)
        {
            _read.Add(e.Key);
        }

        return _table.Entries;
    }

    /// <summary>An error positioned at <paramref name="key"/>'s value (or at the table when the key is absent).</summary>
    public ConfigException Error(string key, string reason)
    {
        if (_table.TryGetEntry(key, out var entry))
        {
            return new ConfigException(File, entry.Value.Line, entry.Value.Column, reason);
        }

        return new ConfigException(File, _table.Line, _table.Column, reason);
    }

    /// <summary>Fails on the first key that no reader asked for, naming the closest known key.</summary>
    /// <param name="known">Every key the section accepts (for the suggestion).</param>
    public void RejectUnknownKeys(IEnumerable<string> known)
    {
        foreach (var entry in _table.Entries)
        {
            if (_read.Contains(entry.Key))
            {
                continue;
            }

            var hint = UnknownKeyHint.For(entry.Key, known);
            throw new ConfigException(File, entry.Line, entry.Column, $"unknown key \"{entry.Key}\" in {Name}{hint}");
        }
    }

    private TomlValue? Read(string key, TomlValueKind kind, string expected)
    {
        if (!_table.TryGetEntry(key, out var entry))
        {
            return null;
        }

        _read.Add(key);
        if (entry.Value.Kind != kind)
        {
            throw Error(key, $"{Name} {key} must be {expected}");
        }

        return entry.Value;
    }

    private string Prefixed(string key) => _path.Length == 0 ? key : $"{_path}.{key}";
}
