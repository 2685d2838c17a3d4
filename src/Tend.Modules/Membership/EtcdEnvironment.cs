using System.Text;

namespace Tend.Modules.Membership;

/// <summary>
/// The settings the environment file gives etcd, as etcd-discovery wrote them plus the advertised URLs and,
/// for consumers (proxy mode), the members' client URLs. One <c>KEY="value"</c> line each: systemd's
/// <c>EnvironmentFile=</c> strips the quotes, and a shell can source it.
/// </summary>
/// <param name="State"><c>new</c> (bootstrap the cluster with <paramref name="InitialCluster"/>) or <c>existing</c> (join it).</param>
/// <param name="Name">This member's name (<c>ETCD_NAME</c>).</param>
/// <param name="InitialCluster">name → peer URL pairs, in order.</param>
/// <param name="AdvertisePeerUrls">This member's peer URLs; empty in proxy mode.</param>
/// <param name="AdvertiseClientUrls">This member's client URLs; empty in proxy mode.</param>
/// <param name="Proxy">Proxy mode (<c>ETCD_PROXY=on</c>).</param>
/// <param name="Endpoints">Proxy mode: the members' client URLs (<c>ETCD_ENDPOINTS</c>).</param>
internal sealed record EtcdEnvironment(
    string State,
    string Name,
    IReadOnlyList<(string Name, string PeerUrl)> InitialCluster,
    IReadOnlyList<string> AdvertisePeerUrls,
    IReadOnlyList<string> AdvertiseClientUrls,
    bool Proxy,
    IReadOnlyList<string> Endpoints)
{
    /// <summary>The file's content.</summary>
    public string Render()
    {
        var text = new StringBuilder();
        text.Append("# Written by tend membership (etcd-discovery); rewritten on every change, do not edit.\n");
        Line(text, "ETCD_INITIAL_CLUSTER_STATE", State);
        Line(text, "ETCD_NAME", Name);
        Line(text, "ETCD_INITIAL_CLUSTER", string.Join(',', InitialCluster.Select(p => $"{p.Name}={p.PeerUrl}")));
        if (AdvertisePeerUrls.Count > 0)
        {
            Line(text, "ETCD_INITIAL_ADVERTISE_PEER_URLS", string.Join(',', AdvertisePeerUrls));
        }

        if (AdvertiseClientUrls.Count > 0)
        {
            Line(text, "ETCD_ADVERTISE_CLIENT_URLS", string.Join(',', AdvertiseClientUrls));
        }

        Line(text, "ETCD_PROXY", Proxy ? "on" : "off");
        if (Proxy)
        {
            Line(text, "ETCD_ENDPOINTS", string.Join(',', Endpoints));
        }

        return text.ToString();
    }

    private static void Line(StringBuilder text, string key, string value)
    {
        // Names and URLs come from the inventory and from etcd: refuse anything that would change the meaning of
        // the line for systemd or a shell rather than write a file that says something else.
        foreach (var c in value)
        {
            if (c is '"' or '\\' or '$' or '`' or '\'' || char.IsWhiteSpace(c) || char.IsControl(c))
            {
                throw new FormatException($"{key}: the value '{value}' holds a character an environment file cannot carry safely ('{c}').");
            }
        }

        text.Append(key).Append("=\"").Append(value).Append("\"\n");
    }
}
