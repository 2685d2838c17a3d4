namespace Tend.Templates.Catalog;

/// <summary>One instance of a service as <c>service</c> lists it (consul-template's dependency.HealthService).</summary>
public sealed class HealthService : ITemplateStruct
{
    private static readonly TemplateStructType Type = new TemplateStructBuilder<HealthService>("dependency.HealthService")
        .Field("Node", static s => s.Node)
        .Field("NodeID", static s => s.NodeId)
        .Field("NodeAddress", static s => s.NodeAddress)
        .Field("NodeTaggedAddresses", static s => s.NodeTaggedAddresses)
        .Field("NodeMeta", static s => s.NodeMeta)
        .Field("ServiceMeta", static s => s.ServiceMeta)
        .Field("Address", static s => s.Address)
        .Field("ID", static s => s.Id)
        .Field("Name", static s => s.Name)
        .Field("Tags", static s => s.Tags)
        .Field("Checks", static s => s.Checks)
        .Field("Status", static s => s.Status)
        .Field("Port", static s => (long)s.Port)
        .Build();

    /// <summary>The node name.</summary>
    public required string Node { get; init; }

    /// <summary>The node id.</summary>
    public string NodeId { get; init; } = "";

    /// <summary>The node address.</summary>
    public required string NodeAddress { get; init; }

    /// <summary>The node's tagged addresses.</summary>
    public IReadOnlyDictionary<string, string> NodeTaggedAddresses { get; init; } = Empty;

    /// <summary>The node's metadata.</summary>
    public IReadOnlyDictionary<string, string> NodeMeta { get; init; } = Empty;

    /// <summary>The service's metadata.</summary>
    public IReadOnlyDictionary<string, string> ServiceMeta { get; init; } = Empty;

    /// <summary>The service address, or the node's when the service has none.</summary>
    public required string Address { get; init; }

    /// <summary>The service id.</summary>
    public required string Id { get; init; }

    /// <summary>The service name.</summary>
    public required string Name { get; init; }

    /// <summary>The tags, sorted.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The node's and the instance's checks.</summary>
    public IReadOnlyList<HealthCheck> Checks { get; init; } = [];

    /// <summary>The checks added up: <c>maintenance</c>, <c>critical</c>, <c>warning</c> or <c>passing</c>.</summary>
    public required string Status { get; init; }

    /// <summary>The service port.</summary>
    public int Port { get; init; }

    internal static IReadOnlyDictionary<string, string> Empty { get; } = new Dictionary<string, string>();

    /// <inheritdoc/>
    TemplateStructType ITemplateStruct.TemplateType => Type;
}
