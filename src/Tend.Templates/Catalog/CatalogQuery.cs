using System.Text.RegularExpressions;

namespace Tend.Templates.Catalog;

/// <summary>
/// One catalog dependency of a template, parsed from a function's arguments the way consul-template parses them
/// (<c>"tag.name@dc~near|passing,warning"</c>). Queries with the same <see cref="Key"/> are the same watch, shared by
/// every template that reads it.
/// </summary>
public sealed partial class CatalogQuery
{
    private CatalogQuery(CatalogQueryKind kind, string name, string tag, string datacenter, string near, IReadOnlyList<string> filters, bool ignoreFailing)
    {
        Kind = kind;
        Name = name;
        Tag = tag;
        Datacenter = datacenter;
        Near = near;
        Filters = filters;
        IgnoreFailing = ignoreFailing;
        Key = Describe();
    }

    /// <summary>The endpoint read.</summary>
    public CatalogQueryKind Kind { get; }

    /// <summary>The service (<see cref="CatalogQueryKind.HealthService"/>) or node (<see cref="CatalogQueryKind.Node"/>; empty: the agent's own node).</summary>
    public string Name { get; }

    /// <summary>Only instances with this tag (service); empty: all.</summary>
    public string Tag { get; }

    /// <summary>The datacenter; empty: the store's.</summary>
    public string Datacenter { get; }

    /// <summary>Sort by distance from this node instead of by name; empty: sorted by name.</summary>
    public string Near { get; }

    /// <summary>The health states a service instance may have to be listed (sorted: <c>any</c>, <c>critical</c>, <c>maintenance</c>, <c>passing</c>, <c>warning</c>).</summary>
    public IReadOnlyList<string> Filters { get; }

    /// <summary>The <c>passing</c> filter alone: Consul itself leaves out every instance with a check that does not pass.</summary>
    public bool PassingOnly => Filters is ["passing"];

    /// <summary><c>datacenters true</c>: leave out the datacenters that do not answer.</summary>
    public bool IgnoreFailing { get; }

    /// <summary>The query in consul-template's notation (<c>health.service(web|passing)</c>): its identity and how messages name it.</summary>
    public string Key { get; }

    /// <summary>Whether a service instance whose checks add up to <paramref name="status"/> is listed.</summary>
    public bool Accepts(string status) => Filters.Any(f => f == status || f == "any");

    /// <inheritdoc/>
    public override string ToString() => Key;

    /// <summary><c>service "tag.name@dc~near|filters"</c> (the arguments joined by <c>|</c>, as consul-template joins them).</summary>
    /// <exception cref="TemplateFunctionException">The text is not a service query, or names an unknown filter.</exception>
    public static CatalogQuery HealthService(string text)
    {
        var m = HealthServiceRe().Match(text);
        if (!m.Success)
        {
            throw new TemplateFunctionException($"health.service: invalid format: {Quote(text)}");
        }

        List<string> filters = [];
        if (m.Groups["filter"].Value is { Length: > 0 } filter)
        {
            foreach (var part in filter.Split(','))
            {
                var f = part.Trim();
                switch (f)
                {
                    case "any" or "passing" or "warning" or "critical" or "maintenance":
                        filters.Add(f);
                        break;
                    case "":
                        break;
                    default:
                        throw new TemplateFunctionException($"health.service: invalid filter: {Quote(f)} in {Quote(text)}");
                }
            }

            filters.Sort(StringComparer.Ordinal);
        }
        else
        {
            filters.Add("passing");
        }

        return new(CatalogQueryKind.HealthService, m.Groups["name"].Value, m.Groups["tag"].Value, m.Groups["dc"].Value, m.Groups["near"].Value, filters, false);
    }

    /// <summary><c>services "@dc"</c>.</summary>
    /// <exception cref="TemplateFunctionException">The text is not <c>@dc</c> or empty.</exception>
    public static CatalogQuery Services(string text)
    {
        var m = ServicesRe().Match(text);
        return m.Success
            ? new(CatalogQueryKind.Services, "", "", m.Groups["dc"].Value, "", [], false)
            : throw new TemplateFunctionException($"catalog.services: invalid format: {Quote(text)}");
    }

    /// <summary><c>node "name@dc"</c>; empty: the agent's own node.</summary>
    /// <exception cref="TemplateFunctionException">The text is not a node query.</exception>
    public static CatalogQuery Node(string text)
    {
        if (text.Length == 0)
        {
            return new(CatalogQueryKind.Node, "", "", "", "", [], false);
        }

        var m = NodeRe().Match(text);
        return m.Success
            ? new(CatalogQueryKind.Node, m.Groups["name"].Value, "", m.Groups["dc"].Value, "", [], false)
            : throw new TemplateFunctionException($"catalog.node: invalid format: {Quote(text)}");
    }

    /// <summary><c>nodes "@dc~near"</c>.</summary>
    /// <exception cref="TemplateFunctionException">The text is not a nodes query.</exception>
    public static CatalogQuery Nodes(string text)
    {
        var m = NodesRe().Match(text);
        return m.Success
            ? new(CatalogQueryKind.Nodes, "", "", m.Groups["dc"].Value, m.Groups["near"].Value, [], false)
            : throw new TemplateFunctionException($"catalog.nodes: invalid format: {Quote(text)}");
    }

    /// <summary><c>datacenters</c>, or <c>datacenters true</c> leaving out those that do not answer.</summary>
    public static CatalogQuery Datacenters(bool ignoreFailing) =>
        new(CatalogQueryKind.Datacenters, "", "", "", "", [], ignoreFailing);

    private string Describe()
    {
        string at = Datacenter.Length > 0 ? "@" + Datacenter : "";
        string near = Near.Length > 0 ? "~" + Near : "";
        switch (Kind)
        {
            case CatalogQueryKind.HealthService:
                var name = (Tag.Length > 0 ? Tag + "." : "") + Name + at + near;
                return $"health.service({name}{(Filters.Count > 0 ? "|" + string.Join(',', Filters) : "")})";
            case CatalogQueryKind.Services:
                return at.Length > 0 ? $"catalog.services({at})" : "catalog.services";
            case CatalogQueryKind.Node:
                return Name.Length + at.Length > 0 ? $"catalog.node({Name}{at})" : "catalog.node";
            case CatalogQueryKind.Nodes:
                return at.Length + near.Length > 0 ? $"catalog.nodes({at}{near})" : "catalog.nodes";
            default:
                // consul-template names both forms catalog.datacenters; they are two watches here.
                return IgnoreFailing ? "catalog.datacenters(ignore-failing)" : "catalog.datacenters";
        }
    }

    private static string Quote(string s) => Formatting.GoStrings.Quote(s);

    // consul-template's patterns; [[:word:]] is ASCII letters, digits and underscore.
    private const string Dc = @"(@(?<dc>[0-9A-Za-z_.\-]+))?";
    private const string NearRe = @"(~(?<near>[0-9A-Za-z_.\-]+))?";

    [GeneratedRegex(@"\A((?<tag>[0-9A-Za-z_.\-]+)\.)?(?<name>[0-9A-Za-z_\-]+)" + Dc + NearRe + @"(\|(?<filter>[0-9A-Za-z_,]+))?\z", RegexOptions.CultureInvariant)]
    private static partial Regex HealthServiceRe();

    [GeneratedRegex(@"\A" + Dc + @"\z", RegexOptions.CultureInvariant)]
    private static partial Regex ServicesRe();

    [GeneratedRegex(@"\A(?<name>[0-9A-Za-z_.\-]+)" + Dc + @"\z", RegexOptions.CultureInvariant)]
    private static partial Regex NodeRe();

    [GeneratedRegex(@"\A" + Dc + NearRe + @"\z", RegexOptions.CultureInvariant)]
    private static partial Regex NodesRe();
}
