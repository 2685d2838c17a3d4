using System.Text.RegularExpressions;
using Tend.Core.Kv;

namespace Tend.Modules.Health;

/// <summary>
/// Who this host is to the health module: environment (<c>@ENV</c>), server role (<c>@ROLE</c>), node
/// name (<c>@HOST</c>) and datacenter. What <c>[health]</c> does not set is read from the host name
/// through <see cref="HealthOptions.HostnamePattern"/>.
/// </summary>
public sealed record HealthIdentity(string? Environment, string? Role, string Hostname, string? Datacenter)
{
    /// <summary>Resolves the identity of <paramref name="options"/> on a host named <paramref name="machineName"/>.</summary>
    /// <exception cref="ArgumentException">The pattern is not a valid regular expression.</exception>
    public static HealthIdentity Resolve(HealthOptions options, string? machineName = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var host = options.Hostname ?? ShortName(machineName ?? System.Net.Dns.GetHostName());
        string? env = options.Environment, role = options.Role, dc = options.Datacenter;
        if (env is null || role is null || dc is null)
        {
            var match = new Regex(options.HostnamePattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)).Match(host);
            if (match.Success)
            {
                env ??= Group(match, "environment");
                role ??= Group(match, "role");
                dc ??= Group(match, "datacenter");
            }
        }

        return new HealthIdentity(env, role, host, dc);
    }

    /// <summary>The environment, or an explanation of how to set it.</summary>
    /// <exception cref="HealthUnknownException">Neither set nor derived.</exception>
    public string RequireEnvironment() =>
        Environment ?? throw new HealthUnknownException($"no environment: set [health] environment, or a hostname_pattern whose (?<environment>…) group matches the host name \"{Hostname}\"");

    /// <summary>Problems with a value used as one key segment (environment, service, node): <c>null</c> when fine.</summary>
    public static string? SegmentProblem(string what, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length == 0 || value is "." or ".." || value.Contains('/', StringComparison.Ordinal) || value.Any(char.IsControl))
        {
            return $"{what} \"{value}\" cannot be one key segment (empty, \".\", \"..\", a \"/\" or a control character)";
        }

        return null;
    }

    /// <summary><c>cluster/ENV/SERVICE</c>.</summary>
    public string ClusterKey(string service) => Key("cluster", service);

    /// <summary><c>health/ENV/SERVICE</c>: the prefix under which every node of the service publishes.</summary>
    public string HealthPrefix(string service) => Key("health", service);

    /// <summary><c>health/ENV/SERVICE/NODE</c>: where this node publishes.</summary>
    public string HealthKey(string service) => KeyPath.Join(HealthPrefix(service), Segment("node", Hostname));

    /// <summary><c>triggers/ENV/SERVICE/ROLE/STATE</c>.</summary>
    public string TriggerKey(string service, ClusterRole role, string state) =>
        KeyPath.Join(KeyPath.Join(Key("triggers", service), role.Name()), state);

    private string Key(string root, string service) =>
        KeyPath.Join(KeyPath.Join("/" + root, Segment("environment", RequireEnvironment())), Segment("service", service));

    private static string Segment(string what, string value) =>
        SegmentProblem(what, value) is { } problem ? throw new HealthUnknownException(problem) : value;

    private static string? Group(Match m, string name) => m.Groups.TryGetValue(name, out var g) && g.Success && g.Value.Length > 0 ? g.Value : null;

    private static string ShortName(string name)
    {
        int dot = name.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 ? name[..dot] : name;
    }
}
