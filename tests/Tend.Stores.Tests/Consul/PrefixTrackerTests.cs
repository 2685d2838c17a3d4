using Microsoft.Extensions.Logging.Abstractions;
using Tend.Core.Kv;
using Tend.Stores.Consul;
using Tend.Stores.Consul.Watch;
using Xunit;

namespace Tend.Stores.Tests.Consul;

/// <summary>The blocking-query loop against scripted answers: Consul's index rules, without an agent.</summary>
public sealed class PrefixTrackerTests : IAsyncLifetime
{
    private readonly ScriptedReads _reads = new();
    private readonly CountingBackoff _backoff = new();
    private readonly OwnWriteLog _own = new(100);
    private PrefixTracker? _tracker;

    private ConsulStoreSettings Settings => new() { BlockingWait = TimeSpan.FromMinutes(5), ReconnectBackoff = _backoff, SpuriousWakeupsBeforeBackoff = 3 };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_tracker is not null)
        {
            await _tracker.DisposeAsync();
        }
    }

    [Fact]
    public async Task Run_IndexGoesBack_WatchersResyncedAndQueryContinuesFromNewIndex()
    {
        var watcher = Start(seed: null, from: 0);
        var first = await _reads.NextAsync();
        Assert.Equal(0, first.Index);
        first.Answer.SetResult(State(10, ("/p/a", "1", 8)));

        var blocking = await _reads.NextAsync();
        Assert.Equal(10, blocking.Index);
        blocking.Answer.SetResult(State(3, ("/p/b", "2", 3)));
        var confirm = await _reads.NextAsync();
        Assert.True(confirm.Consistent);
        confirm.Answer.SetResult(State(3, ("/p/b", "2", 3)));

        var batch = await NextAsync(watcher);
        Assert.True(batch.IsResync);
        Assert.Equal(3, batch.Revision);
        Assert.Equal(["/p/b"], batch.Resync!.Select(p => p.Key));
        Assert.Equal(3, (await _reads.NextAsync()).Index);
    }

    [Fact]
    public async Task Run_AnswerBehindButConsistentReadIsNot_NothingReset()
    {
        // A restarted server answers from its state before replaying its log: behind, and wrong.
        var watcher = Start(seed: State(10, ("/p/a", "1", 8)), from: 11);
        (await _reads.NextAsync()).Answer.SetResult(State(2));
        var confirm = await _reads.NextAsync();
        Assert.True(confirm.Consistent);
        confirm.Answer.SetResult(State(10, ("/p/a", "1", 8)));

        Assert.Equal(10, (await _reads.NextAsync()).Index);
        Assert.False(watcher.Queue.Reader.TryRead(out var batch) && !batch.IsProgress, "no resync, no change");
    }

    [Fact]
    public async Task Run_IndexGoesBack_OwnWritesOfTheLostHistoryNotReplayed()
    {
        var watcher = Start(seed: State(50, ("/p/a", "old", 40)), from: 51);
        _own.Record([new OwnWrite("/p/a", "old", 40)]);
        (await _reads.NextAsync()).Answer.SetResult(State(13, ("/p/b", "1", 13)));
        (await _reads.NextAsync()).Answer.SetResult(State(13, ("/p/b", "1", 13)));
        Assert.True((await NextAsync(watcher)).IsResync);

        // The new agent reuses index 40: only what it really holds may be reported.
        _own.Record([new OwnWrite("/p/c", "2", 41)]);
        (await _reads.NextAsync()).Answer.SetResult(State(41, ("/p/b", "1", 13), ("/p/c", "2", 41)));

        var batch = await NextAsync(watcher);
        Assert.False(batch.IsResync);
        Assert.Equal([("/p/c", "2")], batch.Changes.Select(c => (c.Key, c.Value)));
    }

    [Fact]
    public async Task Run_UnchangedIndexEarlyInARow_BackoffBeforeNextQuery()
    {
        Start(seed: State(10), from: 11);
        for (int i = 0; i < 3; i++)
        {
            var call = await _reads.NextAsync();
            Assert.Equal(10, call.Index);
            Assert.Equal(0, _backoff.Calls);
            call.Answer.SetResult(State(10));

            // Each early answer is checked with a plain read, which does not reset the count.
            var plain = await _reads.NextAsync();
            Assert.Equal(0, plain.Index);
            if (i < 2)
            {
                plain.Answer.SetResult(State(10));
            }
            else
            {
                Assert.True(_backoff.Calls >= 1, "three early answers with an unchanged index must be followed by a backoff");
                plain.Answer.SetResult(State(11));
            }
        }
    }

    [Fact]
    public async Task Run_AgentShutsDownAndComesBackEmpty_PlainReadFindsTheIndexWentBack()
    {
        // SIGTERM: the agent answers the pending blocking query at once, index unchanged; it restarts empty.
        var watcher = Start(seed: State(14, ("/p/old", "29", 14)), from: 15);
        var pending = await _reads.NextAsync();
        Assert.Equal(14, pending.Index);
        pending.Answer.SetResult(State(14, ("/p/old", "29", 14)));

        var next = await _reads.NextAsync();
        Assert.Equal(0, next.Index);
        Assert.Null(next.Wait);
        next.Answer.SetResult(State(5, ("/p/new", "1", 5)));
        var confirm = await _reads.NextAsync();
        Assert.True(confirm.Consistent);
        confirm.Answer.SetResult(State(5, ("/p/new", "1", 5)));

        var batch = await NextAsync(watcher);
        Assert.True(batch.IsResync);
        Assert.Equal(["/p/new"], batch.Resync!.Select(p => p.Key));
    }

    [Fact]
    public async Task Run_ReadFails_BacksOffThenPlainRead()
    {
        Start(seed: State(10), from: 11);
        (await _reads.NextAsync()).Answer.SetException(new KvStoreUnavailableException("agent gone"));

        var next = await _reads.NextAsync();
        Assert.Equal(0, next.Index);
        Assert.Null(next.Wait);
        Assert.Equal(1, _backoff.Calls);
    }

    [Fact]
    public async Task Run_ForeignChangesAcrossAnswers_DeliveredAsOrderedBatches()
    {
        var watcher = Start(seed: State(10, ("/p/a", "1", 5)), from: 11);
        (await _reads.NextAsync()).Answer.SetResult(State(12, ("/p/a", "1", 5), ("/p/b", "2", 12)));
        (await _reads.NextAsync()).Answer.SetResult(State(15, ("/p/b", "2", 12)));

        var put = await NextAsync(watcher);
        Assert.Equal([("/p/b", KvChangeKind.Put, 12L)], put.Changes.Select(c => (c.Key, c.Kind, c.Revision)));
        var delete = await NextAsync(watcher);
        Assert.Equal([("/p/a", KvChangeKind.Delete, 15L)], delete.Changes.Select(c => (c.Key, c.Kind, c.Revision)));
    }

    [Fact]
    public async Task Subscribe_FromInsideHistory_ReplaysOnlyLaterChanges()
    {
        var early = Start(seed: State(10), from: 11);
        (await _reads.NextAsync()).Answer.SetResult(State(12, ("/p/a", "1", 12)));
        (await _reads.NextAsync()).Answer.SetResult(State(14, ("/p/a", "1", 12), ("/p/b", "2", 14)));
        await NextAsync(early);
        await NextAsync(early);

        var late = _tracker!.Subscribe("/p", 13);
        var replay = await NextAsync(late);
        Assert.Equal(["/p/b"], replay.Changes.Select(c => c.Key));
        Assert.Equal(14, replay.Revision);

        var old = _tracker.Subscribe("/p", 5);
        Assert.True((await NextAsync(old)).IsResync);
    }

    [Fact]
    public async Task Subscribe_AheadOfState_PlainReadThenResyncWhenAgentIsBehind()
    {
        Start(seed: State(10, ("/p/a", "1", 5)), from: 11);
        var blocking = await _reads.NextAsync();
        Assert.Equal(10, blocking.Index);

        var ahead = _tracker!.Subscribe("/p", 51);
        var plain = await _reads.NextAsync();
        Assert.Equal(0, plain.Index);
        Assert.True(blocking.Answer.Task.IsCanceled, "the blocking query is given up for the plain read");
        plain.Answer.SetResult(State(12, ("/p/a", "1", 5), ("/p/c", "3", 12)));
        var confirm = await _reads.NextAsync();
        Assert.True(confirm.Consistent);
        confirm.Answer.SetResult(State(12, ("/p/a", "1", 5), ("/p/c", "3", 12)));

        var batch = await NextAsync(ahead);
        Assert.True(batch.IsResync);
        Assert.Equal(["/p/a", "/p/c"], batch.Resync!.Select(p => p.Key));
    }

    [Fact]
    public async Task Subscribe_AheadBecauseTrackerLags_CatchesUpWithoutResync()
    {
        Start(seed: State(10), from: 11);
        var blocking = await _reads.NextAsync();
        var ahead = _tracker!.Subscribe("/p", 21);
        var plain = await _reads.NextAsync();
        plain.Answer.SetResult(State(25, ("/p/a", "1", 18), ("/p/b", "2", 24)));

        var batch = await NextAsync(ahead);
        Assert.False(batch.IsResync);
        Assert.Equal(["/p/b"], batch.Changes.Select(c => c.Key));
        _ = blocking;
    }

    [Fact]
    public async Task Run_AclRefusal_WatchersFailWithIt()
    {
        var watcher = Start(seed: State(10), from: 11);
        (await _reads.NextAsync()).Answer.SetException(new KvAuthenticationException("ACL not found"));

        // The hub reads with WaitToReadAsync (ReadAllAsync), which rethrows the error the queue was completed with.
        await Assert.ThrowsAsync<KvAuthenticationException>(async () => await watcher.Queue.Reader.WaitToReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Run_OwnWritesBetweenAnswers_EveryValueDelivered()
    {
        var watcher = Start(seed: State(10), from: 11);
        _own.Record([new OwnWrite("/p/k", "1", 11)]);
        _own.Record([new OwnWrite("/p/k", "2", 12)]);
        (await _reads.NextAsync()).Answer.SetResult(State(12, ("/p/k", "2", 12)));

        var batch = await NextAsync(watcher);
        Assert.Equal(["1", "2"], batch.Changes.Select(c => c.Value));
    }

    private static KvSnapshot State(long index, params (string Key, string Value, long Mod)[] pairs) =>
        KvSnapshot.Create("/p", index, pairs.Select(p => new KvPair(p.Key, p.Value, p.Mod)));

    private static async Task<KvChangeBatch> NextAsync(TrackerWatcher watcher)
    {
        while (true)
        {
            var batch = await watcher.Queue.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            if (!batch.IsProgress)
            {
                return batch;
            }
        }
    }

    private TrackerWatcher Start(KvSnapshot? seed, long from)
    {
        _tracker = new PrefixTracker("/p", seed, _reads.ReadAsync, _own, Settings, NullLogger.Instance);
        var watcher = _tracker.Subscribe("/p", from);
        _tracker.Start();
        return watcher;
    }
}
