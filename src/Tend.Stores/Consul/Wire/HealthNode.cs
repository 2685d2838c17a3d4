namespace Tend.Stores.Consul.Wire;

/// <summary>The node of a health entry.</summary>
internal sealed class HealthNode
{
    public string Node { get; set; } = string.Empty;

    public string Address { get; set; } = string.Empty;

    public string Datacenter { get; set; } = string.Empty;
}
