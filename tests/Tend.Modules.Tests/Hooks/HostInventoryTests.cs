using Tend.Core.Kv;
using Tend.Modules.Hooks;
using Xunit;

namespace Tend.Modules.Tests.Hooks;

public sealed class HostInventoryTests
{
    private static readonly HostInventory Default = new(new HostInventoryOptions());

    [Fact]
    public void Read_HostsAndOddDepths_HostsSortedOthersIgnored()
    {
        var snapshot = KvSnapshot.Create("/", 5,
        [
            new("/site/web/801", "created"), new("/site/papi/800", "hbout"), new("/site/web/800", "active"),
            new("/site/web", "too-shallow"), new("/site/web/800/extra", "too-deep"), new("/other/web/1", "x"),
        ]);
        var (hosts, ignored) = Default.Read(snapshot);
        Assert.Equal([("site-papi-800", "hbout"), ("site-web-800", "active"), ("site-web-801", "created")], hosts.Select(h => (h.Name, h.State)));
        Assert.Equal(["/site/web", "/site/web/800/extra"], ignored);
    }

    [Fact]
    public void Read_SameInventoryAcrossSnapshots_StatesAndHostsFollowEachSnapshot()
    {
        var inventory = new HostInventory(new HostInventoryOptions());
        inventory.Read(KvSnapshot.Create("/site", 1, [new("/site/web/1", "created"), new("/site/web/2", "created")]));

        var (hosts, _) = inventory.Read(KvSnapshot.Create("/site", 2, [new("/site/web/1", "hbout"), new("/site/web/3", "created")]));

        Assert.Equal([("site-web-1", "hbout"), ("site-web-3", "created")], hosts.Select(h => (h.Name, h.State)));
    }

    [Fact]
    public void Read_PatternOrderingDiffersFromKeys_SortedByName()
    {
        var inventory = new HostInventory(new HostInventoryOptions { HostName = "{ordinal}.{type}.{root}" });

        var (hosts, _) = inventory.Read(KvSnapshot.Create("/site", 1, [new("/site/a/9", "x"), new("/site/b/1", "y")]));

        Assert.Equal(["1.b.site", "9.a.site"], hosts.Select(h => h.Name));
    }

    [Fact]
    public void Names_PatternRoundTrips()
    {
        Assert.Equal("site-web-800", Default.NameOf("web", "800"));
        Assert.True(Default.TryParseName("site-extapi-17", out var type, out var ordinal));
        Assert.Equal(("extapi", "17"), (type, ordinal));
        Assert.False(Default.TryParseName("other-web-800", out _, out _));
        Assert.False(Default.TryParseName("site-web-800; rm -rf /", out _, out _));

        var custom = new HostInventory(new HostInventoryOptions { Root = "/pods", HostName = "{type}{ordinal}.example.com" });
        Assert.Equal("web7.example.com", custom.NameOf("web", "7"));
        Assert.Equal("/pods/web/7", custom.KeyOf("web", "7"));
    }

    [Fact]
    public void ReplaceAll_AgainstCurrent_OnlyTheDifferenceGuardedByRevisions()
    {
        var current = KvSnapshot.Create("/site", 9, [new("/site/web/800", "hbout", 3), new("/site/web/801", "active", 4), new("/site/odd", "x", 5)]);
        var txn = Default.ReplaceAll(current, [new("site-web-800", "hbout"), new("site-web-801", "down"), new("site-papi-9", "active")]);
        Assert.Equal(
            [KvCompare.ModRevisionEquals("/site/odd", 5), KvCompare.ModRevisionEquals("/site/web/800", 3), KvCompare.ModRevisionEquals("/site/web/801", 4)],
            txn.Compares);
        Assert.Equal([KvOperation.Delete("/site/odd"), KvOperation.Put("/site/papi/9", "active"), KvOperation.Put("/site/web/801", "down")], txn.Operations);
    }

    [Fact]
    public async Task ReplaceAll_OnMemoryStore_ExactTreeAtOneRevision()
    {
        await using var store = new Tend.Stores.Memory.MemoryKvStore();
        await store.PutAsync("/site/web/1", "a");
        await store.PutAsync("/site/web/2", "b");
        var result = await store.CommitAsync(Default.ReplaceAll(await store.ListAsync("/site"), [new("site-web-2", "c"), new("site-papi-3", "d")]));
        Assert.True(result.Succeeded);
        Assert.Equal([("/site/papi/3", "d"), ("/site/web/2", "c")], (await store.ListAsync("/site")).Select(p => (p.Key, p.Value)));
    }

    [Theory]
    [InlineData("web-800", "x", "does not match")]
    [InlineData("site-web-800", "", "1 to 256")]
    [InlineData("site-web-800", "bad\nstate", "control character")]
    public void ReplaceAll_BadInput_ErrorNamesHost(string name, string state, string reason)
    {
        var ex = Assert.Throws<ArgumentException>(() => Default.ReplaceAll(KvSnapshot.Empty("/site"), [new(name, state)]));
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_PatternWithoutOrdinal_Rejected() =>
        Assert.Throws<ArgumentException>(() => new HostInventory(new HostInventoryOptions { HostName = "{type}" }));
}
