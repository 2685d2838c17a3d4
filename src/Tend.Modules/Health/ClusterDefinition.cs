using System.Text.Json;

namespace Tend.Modules.Health;

/// <summary>
/// The value of <c>cluster/ENV/SERVICE</c>: active and standby lists, by datacenter
/// (<c>active_datacenters</c>/<c>standby_datacenters</c>) or by node (<c>active_nodes</c>/<c>standby_nodes</c>).
/// </summary>
internal sealed record ClusterDefinition(bool ByDatacenter, IReadOnlyList<string> Active, IReadOnlyList<string> Standby)
{
    private static readonly string[] DatacenterFields = ["active_datacenters", "standby_datacenters"];
    private static readonly string[] NodeFields = ["active_nodes", "standby_nodes"];

    /// <summary>The role of <paramref name="identity"/> for the cluster stored at <paramref name="key"/> with <paramref name="value"/> (<c>null</c>: no key, standalone).</summary>
    /// <exception cref="HealthUnknownException">The value is not valid, or names neither this node nor its datacenter; the message names the key.</exception>
    public static ClusterRole RoleOf(string key, string? value, HealthIdentity identity)
    {
        if (value is null)
        {
            return ClusterRole.Standalone;
        }

        var cluster = Parse(key, value);
        string what = cluster.ByDatacenter ? "datacenter" : "node";
        string? me = cluster.ByDatacenter ? identity.Datacenter : identity.Hostname;
        if (me is null)
        {
            throw new HealthUnknownException($"{key} lists datacenters, but this node's datacenter is not known: set [health] datacenter (or a hostname_pattern with a (?<datacenter>…) group)");
        }

        bool active = cluster.Active.Contains(me, StringComparer.OrdinalIgnoreCase);
        bool standby = cluster.Standby.Contains(me, StringComparer.OrdinalIgnoreCase);
        return (active, standby) switch
        {
            (true, true) => throw new HealthUnknownException($"{key}: {what} \"{me}\" is both active and standby"),
            (true, false) => ClusterRole.Primary,
            (false, true) => ClusterRole.Secondary,
            _ => throw new HealthUnknownException($"{key}: {what} \"{me}\" is neither in {(cluster.ByDatacenter ? "active_datacenters" : "active_nodes")} nor in {(cluster.ByDatacenter ? "standby_datacenters" : "standby_nodes")}"),
        };
    }

    /// <summary>Parses and validates <paramref name="value"/>.</summary>
    /// <exception cref="HealthUnknownException">Invalid JSON, not an object, both forms or neither, a list that is not strings; the message names the key.</exception>
    public static ClusterDefinition Parse(string key, string value)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(value, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException ex)
        {
            throw new HealthUnknownException($"{key} is not valid JSON: {ex.Message}", ex);
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new HealthUnknownException($"{key} must be a JSON object with active_datacenters/standby_datacenters or active_nodes/standby_nodes, not {doc.RootElement.ValueKind.ToString().ToLowerInvariant()}");
            }

            bool byDc = DatacenterFields.Any(f => doc.RootElement.TryGetProperty(f, out _));
            bool byNode = NodeFields.Any(f => doc.RootElement.TryGetProperty(f, out _));
            if (byDc && byNode)
            {
                throw new HealthUnknownException($"{key} has both datacenter lists and node lists; use one form");
            }

            if (!byDc && !byNode)
            {
                throw new HealthUnknownException($"{key} has neither active_datacenters/standby_datacenters nor active_nodes/standby_nodes");
            }

            var fields = byDc ? DatacenterFields : NodeFields;
            return new ClusterDefinition(byDc, List(key, doc.RootElement, fields[0]), List(key, doc.RootElement, fields[1]));
        }
    }

    private static string[] List(string key, JsonElement root, string field)
    {
        if (!root.TryGetProperty(field, out var list))
        {
            return [];
        }

        if (list.ValueKind != JsonValueKind.Array || list.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            throw new HealthUnknownException($"{key}: {field} must be a list of strings");
        }

        return list.EnumerateArray().Select(e => e.GetString()!).ToArray();
    }
}
