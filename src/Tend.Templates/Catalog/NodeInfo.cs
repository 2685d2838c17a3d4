namespace Tend.Templates.Catalog;

/// <summary>A node as <c>nodes</c> lists it and <c>node</c>'s <c>.Node</c> shows it (consul-template's dependency.Node).</summary>
public sealed class NodeInfo : ITemplateStruct
{
    /// <summary>The type templates see (<c>node</c>'s <c>.Node</c> points to it).</summary>
    internal static readonly TemplateStructType Type = new TemplateStructBuilder<NodeInfo>("dependency.Node")
        .Field("ID", static n => n.Id)
        .Field("Node", static n => n.Node)
        .Field("Address", static n => n.Address)
        .Field("Datacenter", static n => n.Datacenter)
        .Field("TaggedAddresses", static n => n.TaggedAddresses)
        .Field("Meta", static n => n.Meta)
        .Build();

    /// <summary>The node id.</summary>
    public string Id { get; init; } = "";

    /// <summary>The node name.</summary>
    public required string Node { get; init; }

    /// <summary>The node address.</summary>
    public required string Address { get; init; }

    /// <summary>Its datacenter.</summary>
    public string Datacenter { get; init; } = "";

    /// <summary>Its tagged addresses.</summary>
    public IReadOnlyDictionary<string, string> TaggedAddresses { get; init; } = HealthService.Empty;

    /// <summary>Its metadata.</summary>
    public IReadOnlyDictionary<string, string> Meta { get; init; } = HealthService.Empty;

    /// <inheritdoc/>
    TemplateStructType ITemplateStruct.TemplateType => Type;
}
