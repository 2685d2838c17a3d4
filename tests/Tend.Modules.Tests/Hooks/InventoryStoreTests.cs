using Tend.Core.Kv;
using Tend.Core.Mirror;
using Tend.Modules.Hooks;
using Tend.Modules.Hooks.Inventory;
using Xunit;

namespace Tend.Modules.Tests.Hooks;

/// <summary>
/// The inventory's writer on a real server with its default transaction limit (etcd: 128 operations;
/// ZooKeeper: 1000 per multi), each test under its own root.
/// </summary>
public abstract class InventoryStoreTests
{
    private readonly HostInventory _inventory = new(new HostInventoryOptions { Root = $"/inv-{Guid.NewGuid().ToString("N")[..8]}/site" });

    protected abstract IKvStore NewClient();

    [Theory]
    [InlineData(129)]
    [InlineData(1000)]
    [InlineData(10_000)]
    public async Task Replace_ManyHosts_ExactTreeThenNoOpWritesNothing(int count)
    {
        await using var store = NewClient();
        await store.PutAsync(_inventory.KeyOf("papi", "1"), "old");
        await store.PutAsync(_inventory.Root + "/meta/owner/name", "ops-team");
        var writer = new HostInventoryWriter(_inventory, store);

        var result = await writer.ReplaceAsync(Hosts(count, "up"));

        Assert.Equal((count, 1), (result.Puts, result.Deletes));
        await AssertExactly(store, Hosts(count, "up"));
        Assert.Equal("ops-team", (await store.GetAsync(_inventory.Root + "/meta/owner/name"))?.Value);
        Assert.Empty(await store.ListAsync(_inventory.JournalRoot));

        var again = await writer.ReplaceAsync(Hosts(count, "up"));
        Assert.Equal((0, 0, 0), (again.Puts, again.Deletes, again.Transactions));
        Assert.Equal(result.Revision, (await store.GetAsync(_inventory.Root))!.ModRevision);
    }

    [Fact]
    public async Task Replace_StoreFailsHalfWay_AnotherClientFinishesFromTheJournal()
    {
        await using var store = NewClient();
        await using var faulty = new FaultyStore(NewClient()) { FailCommits = { 3 } };
        await Assert.ThrowsAsync<InventoryReplaceInterruptedException>(() => new HostInventoryWriter(_inventory, faulty).ReplaceAsync(Hosts(3000, "up")));
        Assert.True(_inventory.GuardIn(await store.ListAsync(_inventory.Root)) is { Applying: true });

        var resumed = await new HostInventoryWriter(_inventory, store).ResumeAsync();

        Assert.NotNull(resumed);
        await AssertExactly(store, Hosts(3000, "up"));
        Assert.Empty(await store.ListAsync(_inventory.JournalRoot));
    }

    [Fact]
    public async Task Replace_LargerThanOneTransaction_MirrorNeverShowsAnIdleGuardOverAHalfTree()
    {
        await using var store = NewClient();
        await new HostInventoryWriter(_inventory, store).ReplaceAsync(Hosts(500, "old"));
        await using var watcher = NewClient();
        await using var mirrors = new KvMirrorSet(watcher);
        var mirror = mirrors.Get(_inventory.Root);
        await mirror.WhenSynced;
        var seen = new List<(bool Applying, string Hosts)>();
        using var subscription = mirror.Subscribe(update =>
        {
            var (hosts, _) = _inventory.Read(update.Current);
            lock (seen)
            {
                seen.Add((_inventory.GuardIn(update.Current)?.Applying ?? false, Describe(hosts.Select(h => (h.Key, h.State)))));
            }
        });

        var result = await new HostInventoryWriter(_inventory, store).ReplaceAsync(Hosts(2000, "new"));
        await HookTestSupport.Eventually(() => mirror.Current.Revision >= result.Revision, "the mirror reaches the replace's last revision");

        var before = Describe(Hosts(500, "old").Select(h => (h.Key, h.Value)));
        var after = Describe(Hosts(2000, "new").Select(h => (h.Key, h.Value)));
        lock (seen)
        {
            Assert.Contains(seen, s => s.Applying);
            Assert.All(seen.Where(s => !s.Applying), s => Assert.True(s.Hosts == before || s.Hosts == after, "a reader saw an idle guard over a half-applied tree"));
            Assert.Equal(after, seen[^1].Hosts);
        }
    }

    private static string Describe(IEnumerable<(string Key, string State)> hosts) =>
        string.Join('\n', hosts.Select(h => $"{h.Key}={h.State}").Order(StringComparer.Ordinal));

    private Dictionary<string, string> Hosts(int count, string state) =>
        _inventory.ToKeys([.. Enumerable.Range(1, count).Select(i => new KeyValuePair<string, string>($"site-web-{i}", state))]);

    private async Task AssertExactly(IKvStore store, Dictionary<string, string> expected)
    {
        var snapshot = await store.ListAsync(_inventory.Root);
        var (hosts, _) = _inventory.Read(snapshot);
        Assert.Equal(Describe(expected.Select(e => (e.Key, e.Value))), Describe(hosts.Select(h => (h.Key, h.State))));
        Assert.True(_inventory.GuardIn(snapshot) is { Applying: false });
    }
}
