using Tend.Core.Kv;
using Tend.Stores.Etcd;
using Tend.Testing;
using Xunit;

namespace Tend.Stores.Tests.Etcd;

/// <summary>Authentication against a real etcd with auth enabled, on each transport (the call policy is shared; the wire is not).</summary>
public abstract class EtcdAuthTests(EtcdAuthServer server)
{
    private readonly string _root = "/auth/t" + Guid.NewGuid().ToString("N")[..10];

    protected abstract EtcdStoreSettings Settings { get; }

    private EtcdKvStore Create(string? user, string? password) =>
        EtcdTestStores.Create(server.ClientUrl, Settings, o => o with { Username = user, Password = password });

    /// <summary>Lets every token the store holds expire on the server (simple tokens live <see cref="EtcdAuthServer.TokenTtlSeconds"/> s unused).</summary>
    private static Task TokensExpireAsync() => Task.Delay(TimeSpan.FromSeconds(EtcdAuthServer.TokenTtlSeconds + 1.5));

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
    public async Task Put_TokenExpiredOnServer_ReauthenticatesOnceAndApplies()
    {
        await using var store = Create("root", EtcdAuthServer.Password);
        await store.PutAsync(_root + "/t", "1");
        await TokensExpireAsync();

        // A put is not idempotent, but a refused token means etcd did not apply it: the policy may send it again.
        Assert.True(await store.PutAsync(_root + "/t", "2") > 0);
        Assert.Equal("2", (await store.GetAsync(_root + "/t"))!.Value);
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
    public async Task Get_TokenExpiredOnServer_OneLineSaysItWasRenewedAndWhy()
    {
        using var logs = new CapturingLoggerFactory();
        await using var store = EtcdTestStores.Create(server.ClientUrl, Settings, configure: o => o with { Username = "root", Password = EtcdAuthServer.Password }, loggers: logs);
        await store.PutAsync(_root + "/r", "1");
        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains("token", StringComparison.OrdinalIgnoreCase));

        await Task.Delay(TimeSpan.FromSeconds(EtcdAuthServer.TokenTtlSeconds + 1.5));
        Assert.Equal("1", (await store.GetAsync(_root + "/r"))!.Value);

        var line = Assert.Single(logs.Entries, e => e.Message.Contains("token", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Information, line.Level);
        Assert.Contains("'root' renewed on " + server.ClientUrl, line.Message, StringComparison.Ordinal);
        Assert.Contains("during range (", line.Message, StringComparison.Ordinal);
        Assert.Contains("invalid auth token", line.Message, StringComparison.Ordinal);
        Assert.Contains("--auth-token-ttl", line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_TokenExpiredOnServer_RenewedQuietlyNoWatchWarning()
    {
        using var logs = new CapturingLoggerFactory();
        await using var store = EtcdTestStores.Create(server.ClientUrl, Settings, configure: o => o with { Username = "root", Password = EtcdAuthServer.Password }, loggers: logs);
        var start = await store.ListAsync(_root);
        await using var watch = new WatchReader(store, _root, start.Revision + 1, TimeSpan.FromSeconds(15));
        await watch.ReadyAsync();
        await using var writer = Create("root", EtcdAuthServer.Password);

        // The token expires while the watch is open; a second watch then opens on the same stream with it.
        await Task.Delay(TimeSpan.FromSeconds(EtcdAuthServer.TokenTtlSeconds + 1.5));
        await using var second = new WatchReader(store, _root + "/second", start.Revision + 1, TimeSpan.FromSeconds(15));
        await writer.PutAsync(_root + "/second/k", "1");

        Assert.Equal("1", Assert.Single(await second.TakeChangesAsync(1)).Value);
        Assert.Equal("1", Assert.Single(await watch.TakeChangesAsync(1)).Value);
        Assert.DoesNotContain(logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);
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
    public async Task Watch_TokenExpiredOnServer_ReauthenticatesAndDelivers()
    {
        await using var store = Create("root", EtcdAuthServer.Password);
        var start = await store.ListAsync(_root);
        await TokensExpireAsync();
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
