using System.Globalization;
using Tend.Core.Kv;
using Tend.Stores.Etcd;
using Tend.Stores.Etcd.Grpc;
using Tend.Testing;
using Xunit;

namespace Tend.Stores.Tests.Etcd;

/// <summary>
/// gRPC: every watch of a store runs on one Watch stream. Counted on the server itself, through the
/// etcd_debugging_mvcc_watch_stream_total and etcd_debugging_mvcc_watcher_total gauges of its /metrics.
/// </summary>
[Collection(EtcdWatchCountCollection.Name)]
public sealed class EtcdWatchMultiplexTests(EtcdWatchCountServer server) : IAsyncLifetime
{
    private static readonly HttpClient Http = new();
    private readonly string _root = "/etcd/mux" + Guid.NewGuid().ToString("N")[..10];
    private EtcdKvStore _store = null!;
    private EtcdKvStore _writer = null!;

    public async Task InitializeAsync()
    {
        _store = EtcdTestStores.Create(server.ClientUrl);
        _writer = EtcdTestStores.Create(server.ClientUrl);

        // Streams of an earlier test may still be closing on the server: start from a server with none.
        await EtcdTestStores.EventuallyAsync(async () => await GaugeAsync("etcd_debugging_mvcc_watch_stream_total") == 0, TimeSpan.FromSeconds(10), "no watch streams left from earlier tests");
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        await _writer.DisposeAsync();
    }

    [Fact]
    public async Task Watch_SeveralPrefixes_OneStreamEachGetsOnlyItsOwnChanges()
    {
        Assert.Equal(EtcdTransport.Grpc, _store.TransportKind);
        var start = await _writer.ListAsync(_root);
        await using var a = new WatchReader(_store, _root + "/a", start.Revision + 1, TimeSpan.FromSeconds(10));
        await using var b = new WatchReader(_store, _root + "/b", start.Revision + 1, TimeSpan.FromSeconds(10));
        await using var c = new WatchReader(_store, _root + "/c", start.Revision + 1, TimeSpan.FromSeconds(10));
        await _writer.PutAsync(_root + "/a/1", "a1");
        await _writer.PutAsync(_root + "/b/1", "b1");
        await _writer.PutAsync(_root + "/c/1", "c1");
        await _writer.PutAsync(_root + "/a/2", "a2");

        Assert.Equal(["a1", "a2"], (await a.TakeChangesAsync(2)).Select(x => x.Value));
        Assert.Equal("b1", Assert.Single(await b.TakeChangesAsync(1)).Value);
        Assert.Equal("c1", Assert.Single(await c.TakeChangesAsync(1)).Value);
        Assert.Equal(1, await GaugeAsync("etcd_debugging_mvcc_watch_stream_total"));
        Assert.Equal(3, await GaugeAsync("etcd_debugging_mvcc_watcher_total"));
        Assert.Equal(1, Hub.StreamsOpened);
    }

    [Fact]
    public async Task Watch_AddedAndCancelledWhileStreamRuns_OtherWatchCarriesOn()
    {
        var start = await _writer.ListAsync(_root);
        await using var a = new WatchReader(_store, _root + "/a", start.Revision + 1, TimeSpan.FromSeconds(10));
        await _writer.PutAsync(_root + "/a/1", "a1");
        Assert.Equal("a1", Assert.Single(await a.TakeChangesAsync(1)).Value);

        var b = new WatchReader(_store, _root + "/b", 0, TimeSpan.FromSeconds(10));
        await b.ReadyAsync();
        await EtcdTestStores.EventuallyAsync(async () => await GaugeAsync("etcd_debugging_mvcc_watcher_total") == 2, TimeSpan.FromSeconds(10), "the second watch joins the stream");
        await _writer.PutAsync(_root + "/b/1", "b1");
        Assert.Equal("b1", Assert.Single(await b.TakeChangesAsync(1)).Value);
        await b.DisposeAsync();

        // The cancel request reached the server: one watcher left, on the same stream.
        await EtcdTestStores.EventuallyAsync(async () => await GaugeAsync("etcd_debugging_mvcc_watcher_total") == 1, TimeSpan.FromSeconds(10), "the cancelled watch is gone from the server");
        await _writer.PutAsync(_root + "/b/2", "b2");
        await _writer.PutAsync(_root + "/a/2", "a2");
        Assert.Equal("a2", Assert.Single(await a.TakeChangesAsync(1)).Value);
        Assert.Equal(1, await GaugeAsync("etcd_debugging_mvcc_watch_stream_total"));
        Assert.Equal(1, Hub.StreamsOpened);
    }

    [Fact]
    public async Task Watch_OnePrefixResyncsAfterCompaction_OtherWatchOnStreamUndisturbed()
    {
        await _writer.PutAsync(_root + "/b/old", "0");
        var start = await _writer.ListAsync(_root);
        await using var a = new WatchReader(_store, _root + "/a", start.Revision + 1, TimeSpan.FromSeconds(10));
        await _writer.PutAsync(_root + "/a/1", "a1");
        Assert.Equal("a1", Assert.Single(await a.TakeChangesAsync(1)).Value);

        var rev = await _writer.PutAsync(_root + "/b/new", "1");
        await _writer.CompactAsync(rev);

        // Asked to start before the compaction: the server cancels this one watch id, which resyncs and carries on.
        await using var b = new WatchReader(_store, _root + "/b", start.Revision, TimeSpan.FromSeconds(10));
        var resync = await b.NextBatchAsync(x => x.IsResync);
        Assert.Equal([(_root + "/b/new", "1"), (_root + "/b/old", "0")], resync.Resync!.Select(p => (p.Key, p.Value)));

        await _writer.PutAsync(_root + "/a/2", "a2");
        await _writer.PutAsync(_root + "/b/2", "b2");

        // TakeChangesAsync fails on a resync: the first watch saw none, and lost nothing.
        Assert.Equal("a2", Assert.Single(await a.TakeChangesAsync(1)).Value);
        Assert.Equal("b2", Assert.Single(await b.TakeChangesAsync(1)).Value);
        Assert.Equal(1, await GaugeAsync("etcd_debugging_mvcc_watch_stream_total"));
        Assert.Equal(1, Hub.StreamsOpened);
    }

    [Fact]
    public async Task Watch_RevisionLargerThanServerMessageLimit_ArrivesWholeFromFragments()
    {
        // etcd splits a watch answer larger than --max-request-bytes (1.5 MiB) into fragments: 12 values of
        // 100 KiB, put twice, make one revision of 12 events each carrying 200 KiB with its previous value.
        var big = new string('x', 100 * 1024);
        var start = await _writer.ListAsync(_root);
        var first = new KvTransaction([], [.. Enumerable.Range(0, 12).Select(i => KvOperation.Put(_root + "/f/" + i.ToString("D2", CultureInfo.InvariantCulture), big))]);
        await _writer.CommitAsync(first);
        await using var watch = new WatchReader(_store, _root + "/f", start.Revision + 2, TimeSpan.FromSeconds(20));
        var second = new KvTransaction([], [.. Enumerable.Range(0, 12).Select(i => KvOperation.Put(_root + "/f/" + i.ToString("D2", CultureInfo.InvariantCulture), big + i.ToString(CultureInfo.InvariantCulture)))]);
        var revision = (await _writer.CommitAsync(second)).Revision;

        var batch = await watch.NextBatchAsync(x => x.Changes.Count > 0);
        Assert.Equal(revision, batch.Revision);
        Assert.Equal(12, batch.Changes.Count);
        Assert.All(batch.Changes, ch => Assert.Equal(big, ch.PreviousValue));
        Assert.Equal(big + "11", batch.Changes[^1].Value);
    }

    private EtcdGrpcWatchHub Hub => Assert.IsType<EtcdGrpcTransport>(_store.Transport).Watches;

    private async Task<long> GaugeAsync(string name)
    {
        var text = await Http.GetStringAsync(server.ClientUrl + "/metrics");
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(name + " ", StringComparison.Ordinal))
            {
                return (long)double.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"etcd's /metrics has no {name}");
    }
}
