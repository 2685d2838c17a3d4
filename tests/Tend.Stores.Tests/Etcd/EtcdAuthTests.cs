using Tend.Core.Kv;
using Tend.Stores.Etcd;
using Tend.Testing;
using Xunit;

namespace Tend.Stores.Tests.Etcd;

[Collection(EtcdAuthCollection.Name)]
public sealed class EtcdAuthTests(EtcdAuthServer server)
{
    private readonly string _root = "/auth/t" + Guid.NewGuid().ToString("N")[..10];

    private EtcdKvStore Create(string? user, string? password) =>
        EtcdTestStores.Create(server.ClientUrl, configure: o => o with { Username = user, Password = password });

    [Fact]
    public async Task Put_RightPassword_Succeeds()
    {
        await using var store = Create("root", EtcdAuthServer.Password);
        await store.PutAsync(_root + "/a", "1");
        Assert.Equal("1", (await store.GetAsync(_root + "/a"))!.Value);
    }

    [Fact]
    public async Task Get_WrongPassword_ThrowsAuthenticationExceptionNamingUser()
    {
        await using var store = Create("root", "wrong");
        var ex = await Assert.ThrowsAsync<KvAuthenticationException>(() => store.GetAsync(_root + "/a"));
        Assert.Contains("'root'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("authentication failed", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Get_NoCredentials_ThrowsAuthenticationExceptionAskingForThem()
    {
        await using var store = Create(null, null);
        var ex = await Assert.ThrowsAsync<KvAuthenticationException>(() => store.GetAsync(_root + "/a"));
        Assert.Contains("user name and password", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_TokenNoLongerValid_ReauthenticatesAndSucceeds()
    {
        await using var store = Create("root", EtcdAuthServer.Password);
        await store.PutAsync(_root + "/t", "1");
        store.Transport.CorruptTokenForTest();
        Assert.Equal("1", (await store.GetAsync(_root + "/t"))!.Value);
        store.Transport.CorruptTokenForTest();
        Assert.True(await store.PutAsync(_root + "/t", "2") > 0);
    }

    [Fact]
    public async Task Get_TokenExpiredOnServer_ReauthenticatesTransparently()
    {
        await using var store = Create("root", EtcdAuthServer.Password);
        await store.PutAsync(_root + "/e", "1");
        await Task.Delay(TimeSpan.FromSeconds(EtcdAuthServer.TokenTtlSeconds + 1.5));
        Assert.Equal("1", (await store.GetAsync(_root + "/e"))!.Value);
    }

    [Fact]
    public async Task Watch_NoCredentials_EnumerationThrowsAuthenticationException()
    {
        await using var store = Create(null, null);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var ex = await Assert.ThrowsAsync<KvAuthenticationException>(async () =>
        {
            await foreach (var batch in store.WatchAsync(_root, 1, timeout.Token))
            {
                Assert.Fail($"no batch expected, got {batch}");
            }
        });
        Assert.Contains("user name and password", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_TokenNoLongerValid_ReauthenticatesAndDelivers()
    {
        await using var store = Create("root", EtcdAuthServer.Password);
        var start = await store.ListAsync(_root);
        store.Transport.CorruptTokenForTest();
        await using var watch = new WatchReader(store, _root, start.Revision + 1, TimeSpan.FromSeconds(10));
        await using var writer = Create("root", EtcdAuthServer.Password);
        await writer.PutAsync(_root + "/w", "1");
        var change = Assert.Single(await watch.TakeChangesAsync(1));
        Assert.Equal("1", change.Value);
    }

    [Fact]
    public async Task Register_WithAuth_KeyLivesOnLease()
    {
        await using var store = Create("root", EtcdAuthServer.Password);
        var registration = await store.RegisterAsync(_root + "/r", "v", TimeSpan.FromSeconds(5));
        Assert.Equal("v", (await store.GetAsync(_root + "/r"))!.Value);
        await registration.DisposeAsync();
        Assert.Null(await store.GetAsync(_root + "/r"));
    }
}
