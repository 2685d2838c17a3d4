using Tend.Core.Kv;
using Tend.Modules.Hooks;
using Tend.Modules.Hooks.Inventory;
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
    public void PlanReplace_AgainstCurrent_OnlyTheDifferenceOfHostKeys()
    {
        var current = KvSnapshot.Create("/site", 9,
        [
            new("/site", "{}", 2), new("/site/web/800", "hbout", 3), new("/site/web/801", "active", 4), new("/site/odd", "x", 5),
            new("/site/meta/owner/name", "ops", 6), new("/site/web/7", "gone", 7),
        ]);
        var wanted = Default.ToKeys([new("site-web-800", "hbout"), new("site-web-801", "down"), new("site-papi-9", "active")]);

        var ops = Default.PlanReplace(current, wanted);

        Assert.Equal([KvOperation.Put("/site/papi/9", "active"), KvOperation.Delete("/site/web/7"), KvOperation.Put("/site/web/801", "down")], ops);
    }

    [Fact]
    public void PlanReplace_SameHosts_NoOperation()
    {
        var current = KvSnapshot.Create("/site", 9, [new("/site/web/1", "up", 3), new("/site/web/2", "up", 4)]);
        Assert.Empty(Default.PlanReplace(current, Default.ToKeys([new("site-web-2", "up"), new("site-web-1", "up")])));
    }

    [Fact]
    public void PlanReplace_Cancelled_Throws()
    {
        List<KeyValuePair<string, string>> names = [.. Enumerable.Range(0, 5000).Select(i => new KeyValuePair<string, string>($"site-web-{i}", "up"))];
        var hosts = Default.ToKeys(names);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => Default.ToKeys(names, cts.Token));
        Assert.Throws<OperationCanceledException>(() => Default.PlanReplace(KvSnapshot.Empty("/site"), hosts, cts.Token));
    }

    [Fact]
    public void Read_GuardAtTheRoot_NeitherHostNorIgnored()
    {
        var guard = new InventoryGuard { State = "applying", Id = "abc", Operations = 10, Applied = 4 };
        var snapshot = KvSnapshot.Create("/site", 5, [new("/site", guard.ToJson()), new("/site/web/1", "up")]);

        var (hosts, ignored) = Default.Read(snapshot);

        Assert.Single(hosts);
        Assert.Empty(ignored);
        Assert.Equal((true, 4, 10), (Default.GuardIn(snapshot)!.Applying, Default.GuardIn(snapshot)!.Applied, Default.GuardIn(snapshot)!.Operations));
        Assert.Null(Default.GuardIn(KvSnapshot.Create("/site", 5, [new("/site", "someone else's value")])));
    }

    [Theory]
    [InlineData("web-800", "x", "does not match")]
    [InlineData("site-web-800", "", "1 to 256")]
    [InlineData("site-web-800", "bad\nstate", "control character")]
    public void ToKeys_BadInput_ErrorNamesHost(string name, string state, string reason)
    {
        var ex = Assert.Throws<ArgumentException>(() => Default.ToKeys([new(name, state)]));
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_PatternWithoutOrdinal_Rejected() =>
        Assert.Throws<ArgumentException>(() => new HostInventory(new HostInventoryOptions { HostName = "{type}" }));
}
