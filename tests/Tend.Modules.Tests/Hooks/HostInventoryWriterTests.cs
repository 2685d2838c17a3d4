using Tend.Core.Kv;
using Tend.Core.Mirror;
using Tend.Modules.Hooks;
using Tend.Modules.Hooks.Inventory;
using Tend.Stores.Memory;
using Xunit;

namespace Tend.Modules.Tests.Hooks;

/// <summary>
/// The inventory's writer on the memory store, whose transaction limit is set like etcd's
/// <c>--max-txn-ops</c>: the smallest plan, the guard, the journal, and crash recovery.
/// </summary>
public sealed class HostInventoryWriterTests
{
    private static readonly HostInventory Inventory = new(new HostInventoryOptions());

    [Fact]
    public async Task Replace_NothingDiffers_NoTransactionAndCountsZero()
    {
        await using var store = new MemoryKvStore(maxTransactionOperations: 8);
        var writer = new HostInventoryWriter(Inventory, store);
        await writer.ReplaceAsync(Hosts(20, "up"));
        long before = store.Revision;

        var result = await writer.ReplaceAsync(Hosts(20, "up"));

        Assert.Equal(new InventoryWriteResult(0, 0, 0, before), result);
        Assert.Equal(before, store.Revision);
    }

    [Fact]
    public async Task Replace_FitsInOneTransaction_OneRevisionWithGuard()
    {
        await using var store = new MemoryKvStore(maxTransactionOperations: 128);
        await store.PutAsync("/site/web/1", "old");
        await store.PutAsync("/site/web/999", "gone");
        long before = store.Revision;

        var result = await new HostInventoryWriter(Inventory, store).ReplaceAsync(Hosts(125, "up"));

        Assert.Equal((125, 1, 1), (result.Puts, result.Deletes, result.Transactions));
        Assert.Equal(before + 1, store.Revision);
        await AssertExactly(store, Hosts(125, "up"));
    }

    [Theory]
    [InlineData(129)]
    [InlineData(1000)]
    public async Task Replace_LargerThanTheLimit_ExactTreeGuardIdleJournalGone(int count)
    {
        await using var store = new MemoryKvStore(maxTransactionOperations: 8);
        await store.PutAsync("/site/papi/1", "old");

        var result = await new HostInventoryWriter(Inventory, store).ReplaceAsync(Hosts(count, "up"));

        Assert.Equal((count, 1), (result.Puts, result.Deletes));
        Assert.True(result.Transactions > (count + 1) / 4, $"{result.Transactions} transactions");
        await AssertExactly(store, Hosts(count, "up"));
        Assert.Empty(await store.ListAsync(Inventory.JournalRoot));
    }

    [Fact]
    public async Task Replace_NonHostKeysUnderRoot_NeverWrittenOrDeleted()
    {
        await using var store = new MemoryKvStore(maxTransactionOperations: 8);
        await store.PutAsync("/site/meta/owner/name", "ops-team");
        await store.PutAsync("/site/web", "a value at type level");
        await store.PutAsync("/site/web/1/extra", "too deep");
        await store.PutAsync("/site/web/1", "up");

        await new HostInventoryWriter(Inventory, store).ReplaceAsync(new Dictionary<string, string>());

        var left = (await store.ListAsync("/site")).Where(p => p.Key != "/site").Select(p => (p.Key, p.Value));
        Assert.Equal([("/site/meta/owner/name", "ops-team"), ("/site/web", "a value at type level"), ("/site/web/1/extra", "too deep")], left);
    }

    [Fact]
    public async Task Replace_RootKeyHoldsSomeoneElsesValue_RefusedAndNothingWritten()
    {
        await using var store = new MemoryKvStore();
        await store.PutAsync("/site", "owned by another tool");
        long before = store.Revision;

        var ex = await Assert.ThrowsAsync<InventoryWriteException>(() => new HostInventoryWriter(Inventory, store).ReplaceAsync(Hosts(3, "up")));

        Assert.Contains("/site holds a value Tend did not write", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, store.Revision);
    }

    [Fact]
    public async Task Replace_StoreFailsHalfWay_ReadersSeeApplyingAndAnotherProcessFinishes()
    {
        await using var memory = new MemoryKvStore(maxTransactionOperations: 8);
        await memory.PutAsync("/site/papi/1", "old");
        var store = new FaultyStore(memory) { FailCommits = { 5 } };

        var ex = await Assert.ThrowsAsync<InventoryReplaceInterruptedException>(() => new HostInventoryWriter(Inventory, store).ReplaceAsync(Hosts(129, "up")));

        Assert.Contains("is finished by the next write", ex.Message, StringComparison.Ordinal);
        var half = await memory.ListAsync("/site");
        var guard = Inventory.GuardIn(half);
        Assert.True(guard is { Applying: true, Applied: > 0 }, guard?.ToJson());
        Assert.InRange(Inventory.Read(half).Hosts.Count, 2, 128);

        // A fresh writer (another process: nothing cached) finishes it from the journal.
        var resumed = await new HostInventoryWriter(Inventory, memory).ResumeAsync();

        Assert.NotNull(resumed);
        await AssertExactly(memory, Hosts(129, "up"));
        Assert.Empty(await memory.ListAsync(Inventory.JournalRoot));
        Assert.Null(await new HostInventoryWriter(Inventory, memory).ResumeAsync());
    }

    [Fact]
    public async Task Replace_AnUnfinishedReplaceExists_ItIsFinishedFirstThenThisOneApplies()
    {
        await using var memory = new MemoryKvStore(maxTransactionOperations: 8);
        var store = new FaultyStore(memory) { FailCommits = { 4 } };
        await Assert.ThrowsAsync<InventoryReplaceInterruptedException>(() => new HostInventoryWriter(Inventory, store).ReplaceAsync(Hosts(60, "first")));

        var result = await new HostInventoryWriter(Inventory, memory).ReplaceAsync(Hosts(30, "second"));

        Assert.Equal(30, result.Puts);
        await AssertExactly(memory, Hosts(30, "second"));
    }

    [Fact]
    public async Task Resume_TwoFinishersAtOnce_EachStepCommittedOnceAndTreeExact()
    {
        await using var memory = new MemoryKvStore(maxTransactionOperations: 8);
        var store = new FaultyStore(memory) { FailCommits = { 3 } };
        await Assert.ThrowsAsync<InventoryReplaceInterruptedException>(() => new HostInventoryWriter(Inventory, store).ReplaceAsync(Hosts(200, "up")));
        long before = memory.Revision;
        int remaining = 200 - Inventory.GuardIn(await memory.ListAsync("/site"))!.Applied;

        var both = await Task.WhenAll(
            Task.Run(() => new HostInventoryWriter(Inventory, memory).ResumeAsync()),
            Task.Run(() => new HostInventoryWriter(Inventory, memory).ResumeAsync()));

        await AssertExactly(memory, Hosts(200, "up"));

        // A step the other finisher committed first fails its compare and commits nothing: every
        // remaining put happened once, split between the two.
        Assert.Equal(remaining, await CountPutsSince(memory, before));
        Assert.Equal(remaining, (both[0]?.Puts ?? 0) + (both[1]?.Puts ?? 0));
    }

    [Fact]
    public async Task Resume_JournalDeletedByHand_ReplaceAbandonedGuardIdle()
    {
        await using var memory = new MemoryKvStore(maxTransactionOperations: 8);
        var store = new FaultyStore(memory) { FailCommits = { 3 } };
        await Assert.ThrowsAsync<InventoryReplaceInterruptedException>(() => new HostInventoryWriter(Inventory, store).ReplaceAsync(Hosts(40, "up")));
        await memory.DeleteAsync(Inventory.JournalRoot, prefix: true);

        await new HostInventoryWriter(Inventory, memory).ResumeAsync();

        var guard = Inventory.GuardIn(await memory.ListAsync("/site"));
        Assert.NotNull(guard);
        Assert.False(guard.Applying);
        Assert.Contains("abandoned", guard.Note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replace_CancelledWhilePlanning_NothingWritten()
    {
        await using var store = new MemoryKvStore(maxTransactionOperations: 8);
        long before = store.Revision;
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new HostInventoryWriter(Inventory, store).ReplaceAsync(Hosts(5000, "up"), cts.Token));

        Assert.Equal(before, store.Revision);
    }

    [Fact]
    public async Task Replace_AnotherTendWriterCommitsBetweenReadAndCommit_ReplannedAndExact()
    {
        await using var memory = new MemoryKvStore(maxTransactionOperations: 128);
        await memory.PutAsync("/site/web/1", "up");
        var store = new FaultyStore(memory);
        store.BeforeCommit = async n =>
        {
            if (n == 1)
            {
                // Someone else's `tend hosts remove` of web/1 lands first: ours must still end with web/1.
                await new HostInventoryWriter(Inventory, memory).DeleteAsync(["/site/web/1"]);
            }
        };

        var result = await new HostInventoryWriter(Inventory, store).ReplaceAsync(Hosts(3, "up"));

        Assert.Equal(2, store.Commits);
        Assert.Equal(3, result.Puts);
        await AssertExactly(memory, Hosts(3, "up"));
    }

    [Fact]
    public async Task Put_SomeAlreadyInThatState_OnlyTheOthersWrittenInChunks()
    {
        await using var store = new MemoryKvStore(maxTransactionOperations: 8);
        await store.PutAsync("/site/web/1", "created");
        var hosts = Enumerable.Range(1, 210).Select(i => new KeyValuePair<string, string>($"/site/web/{i}", "created")).ToList();

        var result = await new HostInventoryWriter(Inventory, store).PutAsync(hosts);

        Assert.Equal((209, 0), (result.Puts, result.Deletes));
        Assert.Equal(210, Inventory.Read(await store.ListAsync("/site")).Hosts.Count);
    }

    [Fact]
    public async Task Resumer_ReplaceStalls_DaemonFinishesIt()
    {
        await using var memory = new MemoryKvStore(maxTransactionOperations: 8);
        var store = new FaultyStore(memory) { FailCommits = { 3 } };
        await Assert.ThrowsAsync<InventoryReplaceInterruptedException>(() => new HostInventoryWriter(Inventory, store).ReplaceAsync(Hosts(50, "up")));
        await using var mirrors = new KvMirrorSet(memory);
        var lease = mirrors.Lease("/site");
        var mirror = lease.Mirror;
        await using var resumer = new InventoryResumer(new HostInventoryWriter(Inventory, memory), lease, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance)
        {
            StallTimeout = TimeSpan.FromMilliseconds(200),
        };

        resumer.Start();

        await HookTestSupport.Eventually(() => mirror.IsSynced && Inventory.GuardIn(mirror.Current) is { Applying: false }, "the stalled replace is finished");
        await AssertExactly(memory, Hosts(50, "up"));
    }

    [Fact]
    public async Task HooksModule_ServesWritesWithoutNagios_FinishesAnUnfinishedReplaceAtStartWithoutAWatch()
    {
        await using var memory = new MemoryKvStore(maxTransactionOperations: 8);
        var store = new FaultyStore(memory) { FailCommits = { 3 } };
        await Assert.ThrowsAsync<InventoryReplaceInterruptedException>(() => new HostInventoryWriter(Inventory, store).ReplaceAsync(Hosts(50, "up")));
        await using var mirrors = new KvMirrorSet(memory);
        await using var hooks = new HooksModule(mirrors, Tend.Core.Processes.ShellCommandRunner.Instance, store: memory);

        await hooks.ApplyAsync(new HooksOptions(), resumeInventory: true);
        await hooks.StartupResume!.WaitAsync(TimeSpan.FromSeconds(30));

        await AssertExactly(memory, Hosts(50, "up"));
        Assert.Empty(mirrors.Mirrors);
    }

    private static Dictionary<string, string> Hosts(int count, string state) =>
        Inventory.ToKeys([.. Enumerable.Range(1, count).Select(i => new KeyValuePair<string, string>($"site-web-{i}", state))]);

    private static async Task AssertExactly(IKvStore store, Dictionary<string, string> expected)
    {
        var snapshot = await store.ListAsync("/site");
        var (hosts, ignored) = Inventory.Read(snapshot);
        Assert.Empty(ignored);
        Assert.Equal(expected.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => (e.Key, e.Value)), hosts.Select(h => (h.Key, h.State)).OrderBy(h => h.Key, StringComparer.Ordinal));
        var guard = Inventory.GuardIn(snapshot);
        Assert.True(guard is { Applying: false }, guard?.ToJson() ?? "no guard");
    }

    private static async Task<int> CountPutsSince(MemoryKvStore store, long revision)
    {
        int puts = 0;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await foreach (var batch in store.WatchAsync("/site", revision + 1, cts.Token))
        {
            puts += batch.Changes.Count(c => c.Kind == KvChangeKind.Put && c.Key != "/site");
            if (batch.Revision >= store.Revision)
            {
                break;
            }
        }

        return puts;
    }
}
