using System.Text;
using System.Threading.Channels;
using Tend.Stores.ZooKeeper;
using Tend.Stores.ZooKeeper.Protocol;
using Tend.Stores.ZooKeeper.Session;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Stores.Tests.ZooKeeper;

[Collection(ZooKeeperServerCollection.Name)]
public sealed class ZooKeeperClientTests(ZooKeeperServerFixture fixture) : IAsyncLifetime
{
    private readonly string _root = "/client/t" + Guid.NewGuid().ToString("N")[..12];
    private ZooKeeperClient _client = null!;

    public async Task InitializeAsync()
    {
        _client = NewClient();
        await _client.ConnectAsync();
        await _client.CreateAsync(_root, ReadOnlyMemory<byte>.Empty, createParents: true);
    }

    public async Task DisposeAsync() => await _client.DisposeAsync();

    [Fact]
    public async Task CreateGetSetDelete_WithVersions_BehaveLikeZooKeeper()
    {
        var path = await _client.CreateAsync(_root + "/n", Bytes("one"));
        Assert.Equal(_root + "/n", path);

        var node = await _client.GetDataAsync(path);
        Assert.NotNull(node);
        Assert.Equal("one", Text(node.Data));
        Assert.Equal(0, node.Stat.Version);

        var stat = await _client.SetDataAsync(path, Bytes("two"), version: 0);
        Assert.Equal(1, stat.Version);
        Assert.True(stat.Mzxid > node.Stat.Mzxid);

        var stale = await Assert.ThrowsAsync<ZooKeeperException>(() => _client.SetDataAsync(path, Bytes("three"), version: 0));
        Assert.Equal(ZooKeeperErrorCode.BadVersion, stale.Code);

        var exists = await Assert.ThrowsAsync<ZooKeeperException>(() => _client.CreateAsync(path, Bytes("dup")));
        Assert.Equal(ZooKeeperErrorCode.NodeExists, exists.Code);

        await _client.CreateAsync(path + "/child", Bytes("c"));
        var notEmpty = await Assert.ThrowsAsync<ZooKeeperException>(() => _client.DeleteAsync(path));
        Assert.Equal(ZooKeeperErrorCode.NotEmpty, notEmpty.Code);

        await _client.DeleteAsync(path + "/child");
        await _client.DeleteAsync(path, version: 1);
        Assert.Null(await _client.GetDataAsync(path));
        Assert.Null(await _client.ExistsAsync(path));
        var missing = await Assert.ThrowsAsync<ZooKeeperException>(() => _client.DeleteAsync(path));
        Assert.Equal(ZooKeeperErrorCode.NoNode, missing.Code);
    }

    [Fact]
    public async Task Create_WithParentsAndSequential_CreatesChainAndSuffix()
    {
        var deep = await _client.CreateAsync(_root + "/a/b/c", Bytes("deep"), createParents: true);
        Assert.Equal(_root + "/a/b/c", deep);
        Assert.Equal("deep", Text((await _client.GetDataAsync(deep))!.Data));

        var first = await _client.CreateAsync(_root + "/q/item-", Bytes("1"), CreateMode.PersistentSequential, createParents: true);
        var second = await _client.CreateAsync(_root + "/q/item-", Bytes("2"), CreateMode.PersistentSequential);
        Assert.Matches(@"/q/item-\d{10}$", first);
        Assert.True(string.CompareOrdinal(first, second) < 0);

        var children = await _client.GetChildrenAsync(_root + "/q");
        Assert.NotNull(children);
        Assert.Equal(2, children.Children.Count);
        Assert.Equal(2, children.Stat.NumChildren);
    }

    [Fact]
    public async Task Ephemeral_OwnerCloses_NodeDisappears()
    {
        var other = NewClient();
        await other.CreateAsync(_root + "/eph", Bytes("x"), CreateMode.Ephemeral);
        var stat = await _client.ExistsAsync(_root + "/eph");
        Assert.NotNull(stat);
        Assert.NotEqual(0, stat.EphemeralOwner);

        await other.DisposeAsync();
        Assert.Null(await _client.ExistsAsync(_root + "/eph"));
    }

    [Fact]
    public async Task Container_Create_IsAContainerNode()
    {
        var path = await _client.CreateAsync(_root + "/box", ReadOnlyMemory<byte>.Empty, CreateMode.Container);
        Assert.Equal(_root + "/box", path);
        Assert.NotNull(await _client.ExistsAsync(path));
    }

    [Fact]
    public async Task Multi_OneOperationFails_NothingApplied()
    {
        await _client.CreateAsync(_root + "/m", Bytes("v0"));
        var failed = await _client.MultiAsync(
        [
            ZooKeeperOperation.Create(_root + "/m/new", Bytes("n")),
            ZooKeeperOperation.Check(_root + "/m", 7),
            ZooKeeperOperation.SetData(_root + "/m", Bytes("v1")),
        ]);
        Assert.False(failed.Succeeded);
        Assert.Equal(ZooKeeperErrorCode.BadVersion, failed.FirstError);
        Assert.Equal(1, failed.FailedIndex);
        Assert.Null(await _client.ExistsAsync(_root + "/m/new"));

        var ok = await _client.MultiAsync(
        [
            ZooKeeperOperation.Create(_root + "/m/new", Bytes("n")),
            ZooKeeperOperation.Check(_root + "/m", 0),
            ZooKeeperOperation.SetData(_root + "/m", Bytes("v1")),
        ]);
        Assert.True(ok.Succeeded);
        Assert.Equal(_root + "/m/new", ok.CreatedPaths[0]);
        var m = await _client.GetDataAsync(_root + "/m");
        var n = await _client.GetDataAsync(_root + "/m/new");
        Assert.Equal("v1", Text(m!.Data));
        Assert.Equal(m.Stat.Mzxid, n!.Stat.Czxid);
        Assert.Equal(ok.Zxid, m.Stat.Mzxid);
    }

    [Fact]
    public async Task RecursiveWatch_ChangesBelow_EveryEventDelivered()
    {
        var events = Channel.CreateUnbounded<ZooKeeperWatchEvent>();
        await _client.AddPersistentRecursiveWatchAsync(_root + "/w", e => events.Writer.TryWrite(e));
        await _client.CreateAsync(_root + "/w", Bytes("0"));
        await _client.CreateAsync(_root + "/w/x", Bytes("1"));
        await _client.SetDataAsync(_root + "/w/x", Bytes("2"));
        await _client.SetDataAsync(_root + "/w/x", Bytes("3"));
        await _client.DeleteAsync(_root + "/w/x");
        await _client.CreateAsync(_root + "/wx", Bytes("outside"));

        var expected = new[]
        {
            (ZooKeeperEventType.NodeCreated, _root + "/w"),
            (ZooKeeperEventType.NodeCreated, _root + "/w/x"),
            (ZooKeeperEventType.NodeDataChanged, _root + "/w/x"),
            (ZooKeeperEventType.NodeDataChanged, _root + "/w/x"),
            (ZooKeeperEventType.NodeDeleted, _root + "/w/x"),
        };
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        foreach (var (type, path) in expected)
        {
            var e = await events.Reader.ReadAsync(cts.Token);
            Assert.Equal((type, path), (e.Type, e.Path));
        }

        await _client.SyncAsync(_root);
        Assert.False(events.Reader.TryRead(out _));
    }

    [Fact]
    public async Task OneShotWatch_DataChanged_FiresOnce()
    {
        await _client.CreateAsync(_root + "/o", Bytes("0"));
        var fired = Channel.CreateUnbounded<ZooKeeperWatchEvent>();
        await _client.GetDataAsync(_root + "/o", e => fired.Writer.TryWrite(e));
        await _client.SetDataAsync(_root + "/o", Bytes("1"));
        await _client.SetDataAsync(_root + "/o", Bytes("2"));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var e = await fired.Reader.ReadAsync(cts.Token);
        Assert.Equal(ZooKeeperEventType.NodeDataChanged, e.Type);
        await _client.SyncAsync(_root);
        Assert.False(fired.Reader.TryRead(out _));
    }

    [Fact]
    public async Task Pipelining_ManyConcurrentRequests_AllAnsweredInOrder()
    {
        await _client.CreateAsync(_root + "/p", ReadOnlyMemory<byte>.Empty);
        var creates = Enumerable.Range(0, 500).Select(i => _client.CreateAsync($"{_root}/p/{i:D4}", Bytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)))).ToList();
        await Task.WhenAll(creates);
        var reads = Enumerable.Range(0, 500).Select(i => _client.GetDataAsync($"{_root}/p/{i:D4}")).ToList();
        var nodes = await Task.WhenAll(reads);
        Assert.Equal(Enumerable.Range(0, 500).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), nodes.Select(n => Text(n!.Data)));
        Assert.Equal(500, (await _client.GetChildrenAsync(_root + "/p"))!.Children.Count);
    }

    [Fact]
    public async Task Digest_OtherUser_NoAuthOnWriteButCanRead()
    {
        await using var alice = NewClient("alice", "secret");
        await alice.CreateAsync(_root + "/acl", Bytes("mine"));
        await using var mallory = NewClient("alice", "wrong");
        Assert.Equal("mine", Text((await mallory.GetDataAsync(_root + "/acl"))!.Data));
        var denied = await Assert.ThrowsAsync<ZooKeeperException>(() => mallory.SetDataAsync(_root + "/acl", Bytes("theirs")));
        Assert.Equal(ZooKeeperErrorCode.NoAuth, denied.Code);

        var explicitAcl = new[] { new ZooKeeperAcl(ZooKeeperPermissions.All, "digest", ZooKeeperAcl.DigestId("bob", "pw")) };
        await alice.CreateAsync(_root + "/bob", Bytes("b"), acl: explicitAcl);
        await using var bob = NewClient("bob", "pw");
        await bob.SetDataAsync(_root + "/bob", Bytes("bob was here"));
        var unreadable = await Assert.ThrowsAsync<ZooKeeperException>(() => alice.GetDataAsync(_root + "/bob"));
        Assert.Equal(ZooKeeperErrorCode.NoAuth, unreadable.Code);
    }

    [Fact]
    public async Task SetData_ValueBeyondFrameLimit_FailsAloneConnectionStaysUsable()
    {
        await _client.CreateAsync(_root + "/big", Bytes("small"));
        var pipelined = _client.GetDataAsync(_root + "/big");
        var huge = new byte[5 * 1024 * 1024];
        var ex = await Assert.ThrowsAsync<ZooKeeperException>(() => _client.SetDataAsync(_root + "/big", huge));
        Assert.Equal(ZooKeeperErrorCode.MarshallingError, ex.Code);
        Assert.Equal("small", Text((await pipelined)!.Data));
        Assert.Equal("small", Text((await _client.GetDataAsync(_root + "/big"))!.Data));
    }

    [Theory]
    [InlineData("10.0.0.1:2181,10.0.0.2:2182/app/zk", "10.0.0.1:2181 10.0.0.2:2182", "/app/zk")]
    [InlineData("zk1", "zk1:2181", "")]
    [InlineData("zk://a:1,b/", "a:1 b:2181", "")]
    public void ConnectString_Parse_HostsPortsAndChroot(string text, string hosts, string chroot)
    {
        var parsed = ConnectString.Parse(text);
        Assert.Equal(hosts, string.Join(' ', parsed.Hosts.Select(h => $"{h.Host}:{h.Port}")));
        Assert.Equal(chroot, parsed.Chroot);
    }

    [Fact]
    public void ConnectString_BadPort_FormatException() =>
        Assert.Throws<FormatException>(() => ConnectString.Parse("host:99999"));

    [Fact]
    public async Task Chroot_PathsAreRelative_ToTheChroot()
    {
        await _client.CreateAsync(_root + "/jail", ReadOnlyMemory<byte>.Empty);
        await using var jailed = new ZooKeeperClient(new ZooKeeperClientOptions { ConnectString = fixture.Server.EndPoint + _root + "/jail" });
        var created = await jailed.CreateAsync("/inside", Bytes("i"));
        Assert.Equal("/inside", created);
        Assert.Equal("i", Text((await _client.GetDataAsync(_root + "/jail/inside"))!.Data));
        Assert.Equal(["inside"], (await jailed.GetChildrenAsync("/"))!.Children);
    }

    [Fact]
    public async Task Session_ConnectionDropped_ReattachesSameSessionAndKeepsWatch()
    {
        var events = Channel.CreateUnbounded<ZooKeeperWatchEvent>();
        await _client.AddPersistentRecursiveWatchAsync(_root + "/r", e => events.Writer.TryWrite(e));
        var states = Channel.CreateUnbounded<ZooKeeperState>();
        _client.StateChanged += s => states.Writer.TryWrite(s);
        long id = _client.SessionId;

        _client.Session.DropConnection();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.Equal(ZooKeeperState.Disconnected, await states.Reader.ReadAsync(cts.Token));
        Assert.Equal(ZooKeeperState.Connected, await states.Reader.ReadAsync(cts.Token));
        Assert.Equal(id, _client.SessionId);

        await using var writer = NewClient();
        await writer.CreateAsync(_root + "/r", Bytes("after"));
        var e = await events.Reader.ReadAsync(cts.Token);
        Assert.Equal((ZooKeeperEventType.NodeCreated, _root + "/r"), (e.Type, e.Path));
    }

    private ZooKeeperClient NewClient(string? user = null, string? password = null) =>
        new(new ZooKeeperClientOptions { ConnectString = fixture.Server.EndPoint, Username = user, Password = password, SessionTimeout = TimeSpan.FromSeconds(6) });

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    private static string Text(byte[] b) => Encoding.UTF8.GetString(b);
}
