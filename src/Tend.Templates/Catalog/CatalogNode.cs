namespace Tend.Templates.Catalog;

/// <summary>What <c>node</c> returns: the node and its services sorted by name then id (consul-template's dependency.CatalogNode).</summary>
public sealed class CatalogNode : ITemplateStruct
{
    private static readonly TemplateStructType Type = new TemplateStructBuilder<CatalogNode>("dependency.CatalogNode")
        .PointerField("Node", NodeInfo.Type, static n => n.Node)
        .Field("Services", static n => n.Services)
        .Build();

    /// <summary>The node; null when the catalog has no such node (<c>{{ .Node }}</c> prints <c>&lt;nil&gt;</c>).</summary>
    public NodeInfo? Node { get; init; }

    /// <summary>Its services.</summary>
    public IReadOnlyList<CatalogNodeService> Services { get; init; } = [];

    /// <inheritdoc/>
    TemplateStructType ITemplateStruct.TemplateType => Type;
}
