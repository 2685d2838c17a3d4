using Tend.Core.Kv;
using Tend.Testing;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Stores.Tests.Etcd;

[Collection(EtcdTlsCollection.Name)]
public sealed class EtcdTlsTests(EtcdTlsServer server)
{
    private readonly string _root = "/tls/t" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task PutGetWatch_CaAndClientCertificate_Work()
    {
        await using var store = EtcdTestStores.Create(server.ClientUrl, configure: o => o with { CaFile = server.CaFile, CertFile = server.ClientCertFile, KeyFile = server.ClientKeyFile });
        var start = await store.ListAsync(_root);
        await using var watch = new WatchReader(store, _root, start.Revision + 1, TimeSpan.FromSeconds(10));
        await store.PutAsync(_root + "/a", "secure");
        Assert.Equal("secure", (await store.GetAsync(_root + "/a"))!.Value);
        Assert.Equal("secure", Assert.Single(await watch.TakeChangesAsync(1)).Value);
    }

    [Fact]
    public async Task Get_HostWithoutScheme_UsesHttpsWhenTlsIsConfigured()
    {
        var hostPort = server.ClientUrl["https://".Length..];
        await using var store = EtcdTestStores.Create(hostPort, configure: o => o with { CaFile = server.CaFile, CertFile = server.ClientCertFile, KeyFile = server.ClientKeyFile });
        Assert.Null(await store.GetAsync(_root + "/none"));
    }

    [Fact]
    public async Task Get_WrongCa_ThrowsUnavailableMentioningCertificate()
    {
        await using var store = EtcdTestStores.Create(server.ClientUrl, configure: o => o with { CaFile = server.OtherCaFile, CertFile = server.ClientCertFile, KeyFile = server.ClientKeyFile });
        var ex = await Assert.ThrowsAsync<KvStoreUnavailableException>(() => store.GetAsync(_root + "/a"));
        Assert.Contains("SSL", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(server.ClientUrl, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_InsecureSkipVerifyWithClientCertificate_Works()
    {
        await using var store = EtcdTestStores.Create(server.ClientUrl, configure: o => o with { InsecureSkipVerify = true, CertFile = server.ClientCertFile, KeyFile = server.ClientKeyFile });
        Assert.Null(await store.GetAsync(_root + "/none"));
    }

    [Fact]
    public async Task Get_NoClientCertificate_FailsClearly()
    {
        await using var store = EtcdTestStores.Create(server.ClientUrl, configure: o => o with { CaFile = server.CaFile });
        var ex = await Assert.ThrowsAnyAsync<KvStoreException>(() => store.GetAsync(_root + "/a"));
        Assert.Contains(server.ClientUrl, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_PlainHttpToTlsPort_FailsClearly()
    {
        await using var store = EtcdTestStores.Create(server.ClientUrl.Replace("https://", "http://", StringComparison.Ordinal));
        var ex = await Assert.ThrowsAnyAsync<KvStoreException>(() => store.GetAsync(_root + "/a"));
        Assert.Contains("127.0.0.1", ex.Message, StringComparison.Ordinal);
    }
}
