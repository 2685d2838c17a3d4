using System.Globalization;
using Tend.Core.Kv;
using Tend.Stores.ZooKeeper;
using Tend.Stores.ZooKeeper.Session;
using Tend.Testing;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Stores.Tests.ZooKeeper;

/// <summary>Server failures in a three-server ensemble.</summary>
[Collection(ZooKeeperEnsembleCollection.Name)]
public sealed class ZooKeeperEnsembleTests(ZooKeeperEnsembleFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _root = "/ensemble/t" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task Watch_ServerOfClientKilled_MovesToAnotherServerWithoutMissingChanges()
    {
        var ensemble = fixture.Ensemble;
        await using var watcher = NewStore(ensemble.ConnectString);
        var start = await watcher.ListAsync(_root);
        var victim = ensemble.ByEndPoint(watcher.Client.CurrentEndPoint!);
        long session = watcher.Client.SessionId;

        // The writer stays away from the server about to die.
        await using var writer = NewStore(string.Join(',', ensemble.Servers.Where(s => s != victim).Select(s => s.EndPoint)));
        await using var watch = new WatchReader(watcher, _root, start.Revision + 1, Timeout);
        await watch.ReadyAsync();
        var state = new Dictionary<string, string>(StringComparer.Ordinal);
        var expected = new Dictionary<string, string>(StringComparer.Ordinal);

        async Task PutAsync(int i)
        {
            var key = $"{_root}/k/{i % 7}";
            var value = "v" + i.ToString(CultureInfo.InvariantCulture);
            await writer.PutAsync(key, value);
            expected[key] = value;
        }

        try
        {
            for (int i = 0; i < 5; i++)
            {
                await PutAsync(i);
            }

            await victim.KillAsync();
            for (int i = 5; i < 15; i++)
            {
                await PutAsync(i);
            }

            await WaitUntilAsync(() => watcher.Client.State == ZooKeeperState.Connected && watcher.Client.CurrentEndPoint != victim.EndPoint);
            Assert.Equal(session, watcher.Client.SessionId);
            for (int i = 15; i < 20; i++)
            {
                await PutAsync(i);
            }

            // Apply everything the watch delivers (a resync replaces the state) until it matches the
            // truth; the last writes, made after the move, must arrive as changes: the watch is intact.
            var lastKey = $"{_root}/k/{19 % 7}";
            bool lastSeenAsChange = false;
            using var cts = new CancellationTokenSource(Timeout);
            while (!lastSeenAsChange || !Same(state, expected))
            {
                var batch = await watch.NextBatchAsync(_ => true).WaitAsync(cts.Token);
                if (batch.IsResync)
                {
                    state = batch.Resync!.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
                    continue;
                }

                foreach (var c in batch.Changes)
                {
                    if (c.Kind == KvChangeKind.Put)
                    {
                        state[c.Key] = c.Value!;
                        lastSeenAsChange |= c.Key == lastKey && c.Value == "v19";
                    }
                    else
                    {
                        state.Remove(c.Key);
                    }
                }
            }

            var truth = await writer.ListAsync(_root);
            Assert.Equal(truth.ToDictionary(p => p.Key, p => p.Value), state);
        }
        finally
        {
            await victim.StartAsync();
        }
    }

    [Fact]
    public async Task Register_ServerOfOwnerKilled_EntrySurvivesOnSameSession()
    {
        var ensemble = fixture.Ensemble;
        await using var owner = NewStore(ensemble.ConnectString);
        var key = _root + "/svc/web";
        await using var registration = await owner.RegisterAsync(key, "up", TimeSpan.FromSeconds(10));
        var victim = ensemble.ByEndPoint(owner.Client.CurrentEndPoint!);
        long session = owner.Client.SessionId;
        await using var observer = NewStore(string.Join(',', ensemble.Servers.Where(s => s != victim).Select(s => s.EndPoint)));
        try
        {
            await victim.KillAsync();
            await WaitUntilAsync(() => owner.Client.State == ZooKeeperState.Connected && owner.Client.CurrentEndPoint != victim.EndPoint);
            Assert.Equal(session, owner.Client.SessionId);
            var stat = await observer.Client.ExistsAsync(key);
            Assert.Equal(session, stat!.EphemeralOwner);
            Assert.Equal(KvRegistrationState.Registered, registration.State);
        }
        finally
        {
            await victim.StartAsync();
        }
    }

    private static bool Same(Dictionary<string, string> a, Dictionary<string, string> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);

    private static ZooKeeperKvStore NewStore(string connectString) =>
        new(new KvStoreOptions { Kind = "zookeeper", Endpoints = [connectString], SessionTimeout = TimeSpan.FromSeconds(10), RequestTimeout = TimeSpan.FromSeconds(15) });

    private static Task WaitUntilAsync(Func<bool> condition) => Poll.UntilAsync(condition, Timeout);
}
