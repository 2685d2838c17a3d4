using Tend.Core.Config;
using Tend.Core.Kv;

namespace Tend.Modules.Render.Config;

/// <summary>What consul-template's HCL configuration (one file or a directory merged in lexical order) says.</summary>
public sealed record ConsulTemplateConfig
{
    /// <summary><c>consul { address }</c>: the Consul agent's address.</summary>
    public string? ConsulAddress { get; init; }

    /// <summary><c>consul { token }</c>.</summary>
    public string? ConsulToken { get; init; }

    /// <summary>Where the token was set, for messages that must not show it.</summary>
    public string? ConsulTokenSource { get; init; }

    /// <summary><c>consul { auth { username password } }</c> when enabled.</summary>
    public string? ConsulUsername { get; init; }

    /// <summary>The basic-auth password.</summary>
    public string? ConsulPassword { get; init; }

    /// <summary><c>consul { ssl { enabled } }</c>: https when the address has no scheme.</summary>
    public bool? ConsulSsl { get; init; }

    /// <summary><c>consul { ssl { verify = false } }</c>.</summary>
    public bool? ConsulSslVerify { get; init; }

    /// <summary><c>consul { ssl { cert } }</c>.</summary>
    public string? ConsulCert { get; init; }

    /// <summary><c>consul { ssl { key } }</c>.</summary>
    public string? ConsulKey { get; init; }

    /// <summary><c>consul { ssl { ca_cert } }</c>.</summary>
    public string? ConsulCaCert { get; init; }

    /// <summary><c>max_stale</c>: more than zero reads Consul with stale consistency.</summary>
    public TimeSpan? MaxStale { get; init; }

    /// <summary>The top-level <c>wait</c>: the default of every template.</summary>
    public ChangeWait? Wait { get; init; }

    /// <summary><c>log_level</c>.</summary>
    public string? LogLevel { get; init; }

    /// <summary><c>pid_file</c>.</summary>
    public string? PidFile { get; init; }

    /// <summary><c>kill_signal</c>: the signal that stops Tend gracefully.</summary>
    public string? KillSignal { get; init; }

    /// <summary><c>reload_signal</c>: the signal that reloads the configuration.</summary>
    public string? ReloadSignal { get; init; }

    /// <summary>The <c>template</c> blocks, in order.</summary>
    public IReadOnlyList<RenderResourceOptions> Templates { get; init; } = [];

    /// <summary>The <c>exec</c> block, when present.</summary>
    public RenderExecOptions? Exec { get; init; }

    /// <summary>The store these settings describe, over <paramref name="store"/>: Consul at the configured address when one is given.</summary>
    public KvStoreOptions ApplyTo(KvStoreOptions store)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (ConsulAddress is { } address)
        {
            var url = address.Contains("://", StringComparison.Ordinal) ? address : $"{(ConsulSsl == true ? "https" : "http")}://{address}";
            store = store with { Kind = KvStoreKinds.Consul, Endpoints = [url], Files = [] };
        }

        if (store.Kind != KvStoreKinds.Consul)
        {
            return store;
        }

        return store with
        {
            Token = ConsulToken ?? store.Token,
            TokenSource = ConsulToken is null ? store.TokenSource : ConsulTokenSource,
            Username = ConsulUsername ?? store.Username,
            Password = ConsulPassword ?? store.Password,
            CertFile = ConsulCert ?? store.CertFile,
            KeyFile = ConsulKey ?? store.KeyFile,
            CaFile = ConsulCaCert ?? store.CaFile,
            InsecureSkipVerify = ConsulSslVerify == false || store.InsecureSkipVerify,
            Consistency = MaxStale > TimeSpan.Zero ? "stale" : store.Consistency,
        };
    }
}
