using Xunit;

namespace Tend.Testing.Servers;

/// <summary>One standalone ZooKeeper server shared by a test collection (Java starts slowly).</summary>
public sealed class ZooKeeperServerFixture : IAsyncLifetime
{
    private ZooKeeperServer? _server;

    public ZooKeeperServer Server => _server ?? throw new InvalidOperationException("The server is not started.");

    /// <summary>A connect string with a fresh chroot, so each test class or test owns its tree.</summary>
    public string ConnectStringWithChroot(string chroot) => Server.EndPoint + chroot;

    public async Task InitializeAsync() => _server = await ZooKeeperServer.StartStandaloneAsync().ConfigureAwait(false);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }
    }
}
