using Tend.Stores.Consul;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Stores.Tests.Consul;

/// <summary>A test class's store on the shared dev agent, each test under a fresh root key in <paramref name="area"/>.</summary>
public abstract class ConsulStoreTest(ConsulServer server, string area) : IAsyncLifetime
{
    /// <summary>How long a test waits for the agent before it fails.</summary>
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    protected ConsulServer Server { get; } = server;

    protected string Root { get; } = $"/{area}/t" + Guid.NewGuid().ToString("N")[..10];

    protected ConsulKvStore Store { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Store = ConsulTestStores.Create(Server);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (Store is not null)
        {
            await Store.DisposeAsync();
        }
    }
}
