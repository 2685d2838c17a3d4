using Tend.Core.Mirror;
using Tend.Stores.Memory;
using Xunit;

namespace Tend.Core.Tests.Mirror;

public sealed class KvMirrorSetTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Lease_LastLeaseDisposed_MirrorStopsAfterLinger()
    {
        await using var store = new MemoryKvStore();
        await store.PutAsync("/app/a", "1");
        await using var set = new KvMirrorSet(store) { Linger = TimeSpan.FromMilliseconds(50) };
        var lease = set.Lease("/app");
        var mirror = lease.Mirror;
        await mirror.WhenSynced.WaitAsync(Timeout);

        lease.Dispose();

        await Eventually(() => mirror.State == KvMirrorState.Stopped);
        Assert.Empty(set.Mirrors);
    }

    [Fact]
    public async Task Lease_TakenAgainWithinLinger_SameMirrorKeepsWatching()
    {
        await using var store = new MemoryKvStore();
        await store.PutAsync("/app/a", "1");
        await using var set = new KvMirrorSet(store) { Linger = TimeSpan.FromMilliseconds(300) };
        var first = set.Lease("/app");
        await first.Mirror.WhenSynced.WaitAsync(Timeout);

        // A reload: the old module lets go before the new one takes the prefix.
        first.Dispose();
        using var second = set.Lease("/app");
        await Task.Delay(600);

        Assert.Same(first.Mirror, second.Mirror);
        Assert.Equal(KvMirrorState.Watching, second.Mirror.State);
        var revision = await store.PutAsync("/app/b", "2");
        await second.Mirror.WaitForRevisionAsync(revision).WaitAsync(Timeout);
        Assert.Equal("2", second.Mirror.Current.Get("/app/b")?.Value);
    }

    [Fact]
    public async Task Lease_OneOfTwoDisposed_MirrorKeepsWatching()
    {
        await using var store = new MemoryKvStore();
        await using var set = new KvMirrorSet(store) { Linger = TimeSpan.FromMilliseconds(20) };
        var a = set.Lease("/app");
        using var b = set.Lease("/app/");
        await a.Mirror.WhenSynced.WaitAsync(Timeout);

        a.Dispose();
        a.Dispose();
        await Task.Delay(200);

        Assert.Same(a.Mirror, b.Mirror);
        Assert.Equal(KvMirrorState.Watching, b.Mirror.State);
        Assert.Single(set.Mirrors);
    }

    [Fact]
    public async Task Get_MirrorAlsoLeased_StaysAfterTheLeaseGoes()
    {
        await using var store = new MemoryKvStore();
        await using var set = new KvMirrorSet(store) { Linger = TimeSpan.FromMilliseconds(20) };
        var pinned = set.Get("/app");
        var lease = set.Lease("/app");
        await pinned.WhenSynced.WaitAsync(Timeout);

        lease.Dispose();
        await Task.Delay(200);

        Assert.Equal(KvMirrorState.Watching, pinned.State);
        Assert.Same(pinned, set.Get("/app"));
    }

    [Fact]
    public async Task Lease_AfterTheMirrorStopped_StartsAFreshOne()
    {
        await using var store = new MemoryKvStore();
        await store.PutAsync("/app/a", "1");
        await using var set = new KvMirrorSet(store) { Linger = TimeSpan.Zero };
        var old = set.Lease("/app");
        await old.Mirror.WhenSynced.WaitAsync(Timeout);
        old.Dispose();
        await Eventually(() => old.Mirror.State == KvMirrorState.Stopped);

        using var fresh = set.Lease("/app");
        await fresh.Mirror.WhenSynced.WaitAsync(Timeout);

        Assert.NotSame(old.Mirror, fresh.Mirror);
        Assert.Equal("1", fresh.Mirror.Current.Get("/app/a")?.Value);
    }

    [Fact]
    public async Task DisposeAsync_Twice_StopsEveryMirrorOnce()
    {
        await using var store = new MemoryKvStore();
        var set = new KvMirrorSet(store);
        var leased = set.Lease("/a").Mirror;
        var pinned = set.Get("/b");

        await set.DisposeAsync();
        await set.DisposeAsync();

        Assert.Equal(KvMirrorState.Stopped, leased.State);
        Assert.Equal(KvMirrorState.Stopped, pinned.State);
    }

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(10);
        }
    }
}
