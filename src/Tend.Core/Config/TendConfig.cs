using Tend.Core.Kv;

namespace Tend.Core.Config;

/// <summary>One immutable, validated configuration: what <c>tend.toml</c> says, with defaults filled in.</summary>
public sealed record TendConfig
{
    /// <summary>The default configuration path.</summary>
    public const string DefaultPath = "/etc/tend/tend.toml";

    /// <summary>The file this was read from, or <c>null</c> for built-in defaults.</summary>
    public string? SourcePath { get; init; }

    /// <summary>The <c>[store]</c> section.</summary>
    public KvStoreOptions Store { get; init; } = new();

    /// <summary>The <c>[log]</c> section.</summary>
    public LogOptions Log { get; init; } = new();

    /// <summary>The <c>[http]</c> section.</summary>
    public HttpOptions Http { get; init; } = new();

    /// <summary>The <c>[watch]</c> section.</summary>
    public WatchOptions Watch { get; init; } = new();

    /// <summary>Module sections read by <see cref="IModuleConfigReader"/>s, by section name.</summary>
    public IReadOnlyDictionary<string, object> Modules { get; init; } = new Dictionary<string, object>();

    /// <summary>The options of module section <paramref name="section"/>, or <c>null</c> when the file has none.</summary>
    public T? Module<T>(string section)
        where T : class => Modules.TryGetValue(section, out var o) ? o as T : null;

    /// <summary>This configuration with <paramref name="options"/> as module section <paramref name="section"/> (a command line that overrides the file's section).</summary>
    public TendConfig WithModule(string section, object options)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(options);
        return this with { Modules = new Dictionary<string, object>(Modules, StringComparer.Ordinal) { [section] = options } };
    }
}
