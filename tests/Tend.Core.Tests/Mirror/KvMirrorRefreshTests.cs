using Tend.Core.Kv;
using Tend.Core.Mirror;
using Tend.Stores.Memory;
using Xunit;

namespace Tend.Core.Tests.Mirror;

public sealed class KvMirrorRefreshTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task RefreshAsync_WriteTheWatchHasNotDelivered_IsInTheSnapshotAfterwards()
    {
        var store = new ScriptedWatchStore(new MemoryKvStore());
        await store.PutAsync("/h/a", "1");
        await using var mirror = await StartedMirrorAsync(store, "/h");
        store.Hold("/h");
        await store.PutAsync("/h/b", "2");
        Assert.Null(mirror.Current.Get("/h/b"));

        await mirror.RefreshAsync().WaitAsync(Timeout);

        Assert.Equal("2", mirror.Current.Get("/h/b")!.Value);
        Assert.Equal(1, store.CatchUps);
    }

    [Fact]
    public async Task RefreshAsync_ReadersArrivingDuringOne_ShareTheNextAndSeeWritesMadeBeforeTheyArrived()
    {
        var store = new ScriptedWatchStore(new MemoryKvStore());
        await store.PutAsync("/h/a", "1");
        await using var mirror = await StartedMirrorAsync(store, "/h");
        store.Hold("/h");
        var inFlight = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        store.BeforeCatchUp = () =>
        {
            started.TrySetResult();
            return inFlight.Task;
        };

        var first = mirror.RefreshAsync();
        await started.Task.WaitAsync(Timeout);

        // Written after the first refresh asked the store: only a refresh started later can see it.
        await store.PutAsync("/h/b", "2");
        var later = Enumerable.Range(0, 20).Select(_ => mirror.RefreshAsync()).ToArray();
        Assert.All(later, t => Assert.False(t.IsCompleted));

        inFlight.SetResult();
        await first.WaitAsync(Timeout);
        await Task.WhenAll(later).WaitAsync(Timeout);

        Assert.Equal("2", mirror.Current.Get("/h/b")!.Value);
        Assert.Equal(2, store.CatchUps);
    }

    [Fact]
    public async Task RefreshAsync_StoreUnreachable_ThrowsKeepsStateAndTheNextRefreshWorks()
    {
        var store = new ScriptedWatchStore(new MemoryKvStore());
        await store.PutAsync("/h/a", "1");
        await using var mirror = await StartedMirrorAsync(store, "/h");
        store.Hold("/h");
        await store.PutAsync("/h/a", "2");
        store.Health = new KvStoreHealth { State = KvStoreConnectionState.Unreachable, LastError = "gone" };

        await Assert.ThrowsAsync<KvStoreUnavailableException>(() => mirror.RefreshAsync().WaitAsync(Timeout));
        Assert.Equal("1", mirror.Current.Get("/h/a")!.Value);

        store.Health = KvStoreHealth.Local;
        await mirror.RefreshAsync().WaitAsync(Timeout);
        Assert.Equal("2", mirror.Current.Get("/h/a")!.Value);
    }

    [Fact]
    public async Task RefreshAsync_CallerCancelled_SharedRefreshRunsOnForTheOthers()
    {
        var store = new ScriptedWatchStore(new MemoryKvStore());
        await using var mirror = await StartedMirrorAsync(store, "/h");
        var inFlight = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        store.BeforeCatchUp = () => inFlight.Task;
        using var cancel = new CancellationTokenSource();

        var cancelled = mirror.RefreshAsync(cancel.Token);
        var other = mirror.RefreshAsync();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);

        inFlight.SetResult();
        await other.WaitAsync(Timeout);
    }

    private static async Task<KvMirror> StartedMirrorAsync(IKvStore store, string prefix)
    {
        var mirror = new KvMirror(store, prefix);
        mirror.Start();
        await mirror.WhenSynced.WaitAsync(Timeout);
        return mirror;
    }
}
