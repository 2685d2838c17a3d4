namespace Tend.Templates.Catalog;

/// <summary>A service of a <see cref="CatalogNode"/> (consul-template's dependency.CatalogNodeService).</summary>
public sealed class CatalogNodeService : ITemplateStruct
{
    private static readonly TemplateStructType Type = new TemplateStructBuilder<CatalogNodeService>("dependency.CatalogNodeService")
        .Field("ID", static s => s.Id)
        .Field("Service", static s => s.Service)
        .Field("Tags", static s => s.Tags)
        .Field("Meta", static s => s.Meta)
        .Field("Port", static s => (long)s.Port)
        .Field("Address", static s => s.Address)
        .Field("EnableTagOverride", static s => s.EnableTagOverride)
        .Build();

    /// <summary>The service id.</summary>
    public required string Id { get; init; }

    /// <summary>The service name.</summary>
    public required string Service { get; init; }

    /// <summary>Its tags, sorted.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Its metadata.</summary>
    public IReadOnlyDictionary<string, string> Meta { get; init; } = HealthService.Empty;

    /// <summary>Its port.</summary>
    public int Port { get; init; }

    /// <summary>Its own address; empty when it uses the node's.</summary>
    public string Address { get; init; } = "";

    /// <summary>Whether anti-entropy leaves its tags alone.</summary>
    public bool EnableTagOverride { get; init; }

    /// <inheritdoc/>
    TemplateStructType ITemplateStruct.TemplateType => Type;
}
