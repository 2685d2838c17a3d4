using Xunit;

namespace Tend.Testing.Servers;

/// <summary>One three-server ensemble shared by a test collection.</summary>
public sealed class ZooKeeperEnsembleFixture : IAsyncLifetime
{
    private ZooKeeperEnsemble? _ensemble;

    public ZooKeeperEnsemble Ensemble => _ensemble ?? throw new InvalidOperationException("The ensemble is not started.");

    public async Task InitializeAsync() => _ensemble = await ZooKeeperEnsemble.StartAsync().ConfigureAwait(false);

    public async Task DisposeAsync()
    {
        if (_ensemble is not null)
        {
            await _ensemble.DisposeAsync().ConfigureAwait(false);
        }
    }
}
