namespace Tend.Templates.Catalog;

/// <summary>One service as <c>services</c> lists it (consul-template's dependency.CatalogSnippet).</summary>
public sealed class CatalogSnippet : ITemplateStruct
{
    private static readonly TemplateStructType Type = new TemplateStructBuilder<CatalogSnippet>("dependency.CatalogSnippet")
        .Field("Name", static s => s.Name)
        .Field("Tags", static s => s.Tags)
        .Build();

    /// <summary>The service name.</summary>
    public required string Name { get; init; }

    /// <summary>The tags of all its instances, sorted.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <inheritdoc/>
    TemplateStructType ITemplateStruct.TemplateType => Type;
}
