using Tend.Core.Kv;
using Tend.Testing;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Stores.Tests.Consul;

/// <summary>An agent with ACLs on (default deny): refusals are clear, name where the token came from, never the token.</summary>
[Collection(ConsulAclCollection.Name)]
public sealed class ConsulAclTests(ConsulAclServer server)
{
    private const string WrongToken = "0badc0de-0000-4000-8000-000000000000";
    private readonly string _root = "/acl/t" + Guid.NewGuid().ToString("N")[..10];

    [SkippableFact]
    public async Task Put_WrongToken_AuthenticationErrorNamingItsSourceNothingWritten()
    {
        await using var wrong = ConsulTestStores.Create(server, token: WrongToken, configure: o => o with { TokenSource = "--token" });
        await using var master = ConsulTestStores.Create(server);

        var ex = await Assert.ThrowsAsync<KvAuthenticationException>(() => wrong.PutAsync(_root + "/k", "v"));

        Assert.Contains("--token", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(WrongToken, ex.Message, StringComparison.Ordinal);
        Assert.Contains("ACL", ex.Message, StringComparison.Ordinal);
        Assert.Null(await master.GetAsync(_root + "/k"));
    }

    [SkippableFact]
    public async Task Commit_WrongToken_AuthenticationErrorNothingWritten()
    {
        await using var wrong = ConsulTestStores.Create(server, token: WrongToken, configure: o => o with { TokenSource = "[store] token in /etc/tend/tend.toml" });
        await using var master = ConsulTestStores.Create(server);

        var ex = await Assert.ThrowsAsync<KvAuthenticationException>(() => wrong.CommitAsync(KvTransaction.Of(KvOperation.Put(_root + "/a", "1"), KvOperation.Put(_root + "/b", "2"))));

        Assert.Contains("tend.toml", ex.Message, StringComparison.Ordinal);
        Assert.Empty(await master.ListAsync(_root));
    }

    [SkippableFact]
    public async Task Watch_WrongToken_WatchFailsWithAuthenticationError()
    {
        await using var wrong = ConsulTestStores.Create(server, token: WrongToken, configure: o => o with { TokenSource = "CONSUL_HTTP_TOKEN" });

        await using var watch = new WatchReader(wrong, _root, 1, TimeSpan.FromSeconds(15));
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => watch.TakeChangesAsync(1));

        // The reader's queue wraps the watch's error in a ChannelClosedException.
        Assert.IsType<KvAuthenticationException>(ex.InnerException ?? ex);
    }

    [SkippableFact]
    public async Task Get_NoTokenWhereOneIsNeeded_ErrorSaysNoneWasGiven()
    {
        await using var master = ConsulTestStores.Create(server);
        await master.PutAsync(_root + "/secret", "s");
        await using var anonymous = ConsulTestStores.Create(server, configure: o => o with { Token = null, TokenSource = null });

        var ex = await Assert.ThrowsAsync<KvAuthenticationException>(() => anonymous.GetAsync(_root + "/secret"));

        Assert.Contains("no ACL token was given", ex.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Register_MasterToken_KeyHeldAndRemovedOnDispose()
    {
        await using var master = ConsulTestStores.Create(server);
        var registration = await master.RegisterAsync(_root + "/svc/h:1", "v", TimeSpan.FromSeconds(10));
        Assert.Equal("v", (await master.GetAsync(_root + "/svc/h:1"))!.Value);

        await registration.DisposeAsync();

        Assert.Null(await master.GetAsync(_root + "/svc/h:1"));
    }
}
