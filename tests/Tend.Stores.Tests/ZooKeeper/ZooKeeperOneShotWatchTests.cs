using Tend.Core.Kv;
using Tend.Core.Mirror;
using Tend.Stores.ZooKeeper;
using Tend.Testing;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Stores.Tests.ZooKeeper;

/// <summary>
/// The fallback for servers without persistent recursive watches (before 3.6): one-shot watches on
/// every node, re-armed on each event. Writes closer together than a re-arm may collapse into their
/// last value, so these tests check convergence and step-by-step changes, not every intermediate value.
/// </summary>
[Collection(ZooKeeperServerCollection.Name)]
public sealed class ZooKeeperOneShotWatchTests(ZooKeeperServerFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly string _root = "/oneshot/t" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task Watch_StepwiseCreateChangeDeleteDeep_EachStepDelivered()
    {
        await using var store = NewStore();
        await using var writer = NewStore();
        var start = await store.ListAsync(_root);
        await using var watch = new WatchReader(store, _root, start.Revision + 1, Timeout);
        await watch.ReadyAsync();
        var key = _root + "/a/b/c";

        await writer.PutAsync(key, "1");
        await WaitForAsync(watch, key, KvChangeKind.Put, "1");
        await writer.PutAsync(key, "2");
        await WaitForAsync(watch, key, KvChangeKind.Put, "2");
        await writer.DeleteAsync(key);
        await WaitForAsync(watch, key, KvChangeKind.Delete, null);
    }

    [Fact]
    public async Task Mirror_RandomWritesFromAnotherSession_ConvergesToStore()
    {
        await using var store = NewStore();
        await using var writer = NewStore();
        var random = new Random(7);
        await writer.PutAsync(_root + "/seed", "x");
        await using var mirror = new KvMirror(store, _root);
        mirror.Start();
        await mirror.WhenSynced.WaitAsync(Timeout);
        var log = new List<string>();
        for (int i = 0; i < 40; i++)
        {
            var key = $"{_root}/m/{random.Next(6)}/{random.Next(3)}";
            if (random.Next(3) == 0)
            {
                await writer.DeleteAsync(key);
                log.Add("D" + key[^3..]);
            }
            else
            {
                await writer.PutAsync(key, "v" + i);
                log.Add("P" + key[^3..] + "=v" + i);
            }
        }

        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var truth = await writer.ListAsync(_root);
            if (truth.ContentEquals(mirror.Current))
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, $"mirror differs on: {string.Join(", ", truth.DiffKeys(mirror.Current))} ops: {string.Join(" ", log)} truth: {string.Join(" ", truth.Select(p => p.Key[^5..] + "=" + p.Value))} mirror: {string.Join(" ", mirror.Current.Select(p => p.Key[^5..] + "=" + p.Value))}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Watch_SessionExpires_ResyncThenChangesAgain()
    {
        await using var store = NewStore();
        await using var writer = NewStore();
        await writer.PutAsync(_root + "/a", "1");
        var start = await store.ListAsync(_root);
        await using var watch = new WatchReader(store, _root, start.Revision + 1, Timeout);
        await watch.ReadyAsync();

        await SessionExpiry.ExpireAsync(store.Client);
        var resync = await watch.NextBatchAsync(b => b.IsResync);
        Assert.Equal([(_root + "/a", "1")], resync.Resync!.Select(p => (p.Key, p.Value)));

        // The watches were re-armed on the new session.
        await writer.PutAsync(_root + "/a", "2");
        await WaitForAsync(watch, _root + "/a", KvChangeKind.Put, "2");
    }

    private static async Task WaitForAsync(WatchReader watch, string key, KvChangeKind kind, string? value)
    {
        while (true)
        {
            var change = (await watch.TakeChangesAsync(1))[0];
            if (change.Key == key && change.Kind == kind && change.Value == value)
            {
                return;
            }
        }
    }

    private ZooKeeperKvStore NewStore() =>
        new(new KvStoreOptions { Kind = "zookeeper", Endpoints = [fixture.Server.EndPoint], SessionTimeout = TimeSpan.FromSeconds(6) }) { ForceOneShotWatches = true };
}
