using Microsoft.Extensions.Logging;

namespace Tend.Modules.Hooks;

/// <summary>What etcdhooks' <c>daemon.cfg</c> and <c>log.cfg</c> say; <c>null</c> members were not set.</summary>
public sealed record EtcdhooksSettings
{
    /// <summary><c>nagios_host_file</c>.</summary>
    public string? HostsFile { get; init; }

    /// <summary><c>nagios_groups_file</c>.</summary>
    public string? GroupsFile { get; init; }

    /// <summary><c>host_list_file</c>.</summary>
    public string? HostListFile { get; init; }

    /// <summary><c>etcd_server_list</c>, as URLs.</summary>
    public IReadOnlyList<string>? EtcdEndpoints { get; init; }

    /// <summary><c>web_listen_port</c>.</summary>
    public int? WebListenPort { get; init; }

    /// <summary><c>etcd_watch_root_url</c>, as a key path.</summary>
    public string? Root { get; init; }

    /// <summary><c>file_rewrite_interval</c>.</summary>
    public TimeSpan? FileRewriteInterval { get; init; }

    /// <summary><c>loglevel</c> of log.cfg.</summary>
    public LogLevel? LogLevel { get; init; }

    /// <summary><c>stacktrace</c> of log.cfg.</summary>
    public bool? StackTraces { get; init; }

    /// <summary>Keys Tend does not know, as <c>file:line: key</c>, to be logged.</summary>
    public IReadOnlyList<string> UnknownKeys { get; init; } = [];
}
