namespace Tend.Core.Config.Hcl;

/// <summary>
/// Reads one object of an HCL file with type checks; a key the section does not know is reported at its
/// position with the closest known key, and a key written twice is an error (a repeated block is read with
/// <see cref="Blocks"/>).
/// </summary>
public sealed class HclSection
{
    private readonly HclObject _object;

    public HclSection(string file, string name, HclObject value, IReadOnlyCollection<string> known, IReadOnlyCollection<string>? repeatable = null)
    {
        File = file;
        Name = name;
        _object = value;
        var seen = new Dictionary<string, HclEntry>(StringComparer.Ordinal);
        foreach (var entry in value.Entries)
        {
            if (!known.Contains(entry.Key))
            {
                var hint = UnknownKeyHint.For(entry.Key, known);
                throw new ConfigException(file, entry.Line, entry.Column, $"unknown key \"{entry.Key}\" in {name}{hint}");
            }

            if (!seen.TryAdd(entry.Key, entry) && repeatable?.Contains(entry.Key) != true)
            {
                throw new ConfigException(file, entry.Line, entry.Column, $"\"{entry.Key}\" is set twice in {name} (first at line {seen[entry.Key].Line})");
            }
        }
    }

    public string File { get; }

    public string Name { get; }

    public HclEntry? Entry(string key) => _object.All(key).LastOrDefault();

    public ConfigException Error(HclEntry entry, string reason) => new(File, entry.Value.Line, entry.Value.Column, reason);

    public string? String(string key)
    {
        if (Entry(key) is not { } e)
        {
            return null;
        }

        return e.Value.Kind == HclKind.String ? e.Value.Text : throw Error(e, $"{Name} {key} must be a string, not {e.Value.Describe()}");
    }

    public bool? Bool(string key)
    {
        if (Entry(key) is not { } e)
        {
            return null;
        }

        return e.Value.Kind switch
        {
            HclKind.Bool => e.Value.Bool,

            // consul-template's decoder takes "true"/"false" strings too.
            HclKind.String when bool.TryParse(e.Value.Text, out var b) => b,
            _ => throw Error(e, $"{Name} {key} must be true or false, not {e.Value.Describe()}"),
        };
    }

    public long? Integer(string key)
    {
        if (Entry(key) is not { } e)
        {
            return null;
        }

        return e.Value.TryInteger(out var v) ? v : throw Error(e, $"{Name} {key} must be an integer, not {e.Value.Describe()}");
    }

    /// <summary>A duration: <c>"10s"</c>, <c>"1m30s"</c>, or a number (nanoseconds, as Go's decoder reads it).</summary>
    public TimeSpan? Duration(string key)
    {
        if (Entry(key) is not { } e)
        {
            return null;
        }

        if (e.Value.Kind == HclKind.Number && e.Value.TryInteger(out var ns) && ns >= 0)
        {
            var value = TimeSpan.FromTicks(ns / 100);
            return value <= Durations.Maximum ? value : throw Error(e, $"{Name} {key} must be at most {Durations.MaximumText}");
        }

        if (e.Value.Kind != HclKind.String)
        {
            throw Error(e, $"{Name} {key} must be {Durations.Expected}, not {e.Value.Describe()}");
        }

        return Durations.TryParse(e.Value.Text, out var d, out var error) ? d : throw Error(e, $"{Name} {key} {error}");
    }

    /// <summary>A list of strings; a single string is a one-item list.</summary>
    public IReadOnlyList<string>? StringList(string key)
    {
        if (Entry(key) is not { } e)
        {
            return null;
        }

        if (e.Value.Kind == HclKind.String)
        {
            return [e.Value.Text];
        }

        if (e.Value.Kind != HclKind.List)
        {
            throw Error(e, $"{Name} {key} must be a list of strings, not {e.Value.Describe()}");
        }

        var result = new List<string>();
        foreach (var item in e.Value.Items)
        {
            result.Add(item.Kind == HclKind.String ? item.Text : throw new ConfigException(File, item.Line, item.Column, $"{Name} {key} must hold strings only, not {item.Describe()}"));
        }

        return result;
    }

    /// <summary>Every block named <paramref name="key"/> (<c>key { … }</c>, <c>key = { … }</c>, or a list of objects), in file order.</summary>
    public IEnumerable<(HclEntry Entry, HclObject Body)> Blocks(string key)
    {
        foreach (var e in _object.All(key))
        {
            if (e.Value.Kind == HclKind.Object)
            {
                yield return (e, e.Value.Object);
            }
            else if (e.Value.Kind == HclKind.List && e.Value.Items.All(i => i.Kind == HclKind.Object))
            {
                foreach (var item in e.Value.Items)
                {
                    yield return (e, item.Object);
                }
            }
            else
            {
                throw Error(e, $"{Name} {key} must be a {{ block }}, not {e.Value.Describe()}");
            }
        }
    }
}
