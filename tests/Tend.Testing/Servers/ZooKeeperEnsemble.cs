using System.Globalization;

namespace Tend.Testing.Servers;

/// <summary>A three-server ZooKeeper ensemble on loopback ports, each with its own data directory.</summary>
public sealed class ZooKeeperEnsemble : IAsyncDisposable
{
    private ZooKeeperEnsemble(IReadOnlyList<ZooKeeperServer> servers)
    {
        Servers = servers;
    }

    public IReadOnlyList<ZooKeeperServer> Servers { get; }

    /// <summary>All client endpoints, comma separated (a connect string without chroot).</summary>
    public string ConnectString => string.Join(',', Servers.Select(s => s.EndPoint));

    public static async Task<ZooKeeperEnsemble> StartAsync(int size = 3)
    {
        var ports = Enumerable.Range(0, size).Select(_ => (Client: FreePort.Next(), Peer: FreePort.Next(), Election: FreePort.Next())).ToList();
        var members = string.Join('\n', ports.Select((p, i) => string.Create(CultureInfo.InvariantCulture, $"server.{i + 1}=127.0.0.1:{p.Peer}:{p.Election}")));
        var servers = new List<ZooKeeperServer>();
        for (int i = 0; i < size; i++)
        {
            var dir = Directory.CreateTempSubdirectory("tend-zk-q-").FullName;
            Directory.CreateDirectory(Path.Combine(dir, "data"));
            await File.WriteAllTextAsync(Path.Combine(dir, "data", "myid"), (i + 1).ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
            var config = ZooKeeperServer.BaseConfig(dir, ports[i].Client) + "initLimit=20\nsyncLimit=10\ncnxTimeout=1000\n" + members + "\n";
            servers.Add(new ZooKeeperServer(dir, ports[i].Client, config, quorum: true));
        }

        var ensemble = new ZooKeeperEnsemble(servers);
        try
        {
            foreach (var s in servers)
            {
                await s.StartAsync(waitUntilServing: false).ConfigureAwait(false);
            }

            foreach (var s in servers)
            {
                await s.WaitServingAsync(TimeSpan.FromSeconds(90)).ConfigureAwait(false);
            }
        }
        catch
        {
            await ensemble.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return ensemble;
    }

    /// <summary>The server listening on <paramref name="endPoint"/> (<c>127.0.0.1:port</c>).</summary>
    public ZooKeeperServer ByEndPoint(string endPoint) => Servers.Single(s => s.EndPoint == endPoint);

    public async ValueTask DisposeAsync()
    {
        foreach (var s in Servers)
        {
            await s.DisposeAsync().ConfigureAwait(false);
        }
    }
}
