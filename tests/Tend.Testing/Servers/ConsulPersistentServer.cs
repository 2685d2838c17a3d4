namespace Tend.Testing.Servers;

/// <summary>A single Consul server with a data directory: killed and started again, it keeps its data and index.</summary>
public sealed class ConsulPersistentServer : ConsulServer
{
    protected override bool Persistent => true;
}
