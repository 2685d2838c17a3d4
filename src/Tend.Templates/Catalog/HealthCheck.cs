namespace Tend.Templates.Catalog;

/// <summary>A check of a <see cref="HealthService"/>, with consul-template's field names (its api.HealthCheck).</summary>
public sealed class HealthCheck : ITemplateStruct
{
    private static readonly TemplateStructType Type = new TemplateStructBuilder<HealthCheck>("api.HealthCheck")
        .Field("Node", static c => c.Node)
        .Field("CheckID", static c => c.CheckId)
        .Field("Name", static c => c.Name)
        .Field("Status", static c => c.Status)
        .Field("Notes", static c => c.Notes)
        .Field("Output", static c => c.Output)
        .Field("ServiceID", static c => c.ServiceId)
        .Field("ServiceName", static c => c.ServiceName)
        .Field("ServiceTags", static c => c.ServiceTags)
        .Build();

    /// <summary>The node it runs on.</summary>
    public required string Node { get; init; }

    /// <summary>The check id.</summary>
    public required string CheckId { get; init; }

    /// <summary>The check name.</summary>
    public required string Name { get; init; }

    /// <summary><c>passing</c>, <c>warning</c> or <c>critical</c>.</summary>
    public required string Status { get; init; }

    /// <summary>Its notes.</summary>
    public string Notes { get; init; } = "";

    /// <summary>Its last output.</summary>
    public string Output { get; init; } = "";

    /// <summary>The service it belongs to; empty for a node check.</summary>
    public string ServiceId { get; init; } = "";

    /// <summary>That service's name.</summary>
    public string ServiceName { get; init; } = "";

    /// <summary>That service's tags, as registered (not sorted).</summary>
    public IReadOnlyList<string> ServiceTags { get; init; } = [];

    /// <inheritdoc/>
    TemplateStructType ITemplateStruct.TemplateType => Type;
}
