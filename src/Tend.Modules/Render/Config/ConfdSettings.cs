namespace Tend.Modules.Render.Config;

/// <summary>confd's global settings (its <c>confd.toml</c> keys); <c>null</c> means "not set here".</summary>
public sealed record ConfdSettings
{
    public string? Backend { get; init; }

    public IReadOnlyList<string>? Nodes { get; init; }

    public string? Prefix { get; init; }

    public string? Confdir { get; init; }

    public TimeSpan? Interval { get; init; }

    public bool? Watch { get; init; }

    public bool? Noop { get; init; }

    public bool? Onetime { get; init; }

    public bool? SyncOnly { get; init; }

    public bool? KeepStageFile { get; init; }

    public string? LogLevel { get; init; }

    public string? Scheme { get; init; }

    public string? SrvDomain { get; init; }

    public string? SrvRecord { get; init; }

    public string? ClientCert { get; init; }

    public string? ClientKey { get; init; }

    public string? ClientCaKeys { get; init; }

    public bool? ClientInsecure { get; init; }

    public string? AuthToken { get; init; }

    public bool? BasicAuth { get; init; }

    public string? Username { get; init; }

    public string? Password { get; init; }

    public IReadOnlyList<string>? Files { get; init; }
}
