using System.Text;
using Tend.Stores.ZooKeeper;
using Tend.Stores.ZooKeeper.Session;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Stores.Tests.ZooKeeper;

/// <summary>
/// Replies complete inline on the connection's reader thread: whatever a caller's continuation
/// or watch handler does there (block, wait for another request) must not stop the replies.
/// </summary>
[Collection(ZooKeeperServerCollection.Name)]
public sealed class ZooKeeperReplyDispatchTests(ZooKeeperServerFixture fixture) : IAsyncLifetime
{
    // A deadlock guard, not a timing assertion: a correct client answers in milliseconds.
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);
    private readonly string _root = "/dispatch/t" + Guid.NewGuid().ToString("N")[..12];
    private ZooKeeperClient _client = null!;

    public async Task InitializeAsync()
    {
        _client = new ZooKeeperClient(new ZooKeeperClientOptions { ConnectString = fixture.Server.EndPoint });
        await _client.ConnectAsync();
        await _client.CreateAsync(_root, ReadOnlyMemory<byte>.Empty, createParents: true);
        await _client.CreateAsync(_root + "/a", Encoding.UTF8.GetBytes("a"));
        await _client.CreateAsync(_root + "/b", Encoding.UTF8.GetBytes("b"));
    }

    public async Task DisposeAsync() => await _client.DisposeAsync();

    [Fact]
    public async Task Continuation_BlocksOnAnotherRequestsResult_GetsItsReply()
    {
        var connection = await _client.Session.GetConnectionAsync();
        int handOffsBefore = connection.ReaderHandOffs;
        string? continuationThread = null;

        var nested = _client.GetDataAsync(_root + "/a").ContinueWith(
            _ =>
            {
                continuationThread = Thread.CurrentThread.Name;

                // Sync over async on the thread that delivered the first reply: its own reply
                // must still be read, by someone.
                return _client.GetDataAsync(_root + "/b").GetAwaiter().GetResult();
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

        var node = await nested.WaitAsync(Hang);

        Assert.Equal("b", Encoding.UTF8.GetString(node!.Data));
        Assert.StartsWith("ZooKeeper reader", continuationThread, StringComparison.Ordinal);
        Assert.True(connection.ReaderHandOffs > handOffsBefore);
        Assert.True(connection.IsAlive);
    }

    [Fact]
    public async Task Continuation_BlocksUntilReleased_LaterRepliesComplete()
    {
        using var release = new ManualResetEventSlim();
        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = _client.GetDataAsync(_root + "/a").ContinueWith(
            _ =>
            {
                blocked.TrySetResult();
                release.Wait();
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        await blocked.Task.WaitAsync(Hang);

        try
        {
            for (int i = 0; i < 20; i++)
            {
                var node = await _client.GetDataAsync(_root + "/b").WaitAsync(Hang);
                Assert.Equal("b", Encoding.UTF8.GetString(node!.Data));
            }

            Assert.False(held.IsCompleted);
        }
        finally
        {
            release.Set();
        }

        await held.WaitAsync(Hang);
    }

    [Fact]
    public async Task WatchHandler_Blocks_RepliesAndLaterEventsStillFlow()
    {
        using var release = new ManualResetEventSlim();
        var events = new List<string>();
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _client.GetDataAsync(_root + "/a", e =>
        {
            lock (events)
            {
                events.Add(e.Path);
            }

            first.TrySetResult();
            release.Wait();
        });
        await _client.GetDataAsync(_root + "/b", e =>
        {
            lock (events)
            {
                events.Add(e.Path);
            }

            second.TrySetResult();
        });

        await _client.SetDataAsync(_root + "/a", Encoding.UTF8.GetBytes("a2")).WaitAsync(Hang);
        await first.Task.WaitAsync(Hang);
        try
        {
            // The first handler still blocks; requests keep being answered.
            await _client.SetDataAsync(_root + "/b", Encoding.UTF8.GetBytes("b2")).WaitAsync(Hang);
            var node = await _client.GetDataAsync(_root + "/b").WaitAsync(Hang);
            Assert.Equal("b2", Encoding.UTF8.GetString(node!.Data));
            Assert.False(second.Task.IsCompleted);
        }
        finally
        {
            release.Set();
        }

        // Handlers run one at a time in event order: the second once the first returned.
        await second.Task.WaitAsync(Hang);
        lock (events)
        {
            Assert.Equal([_root + "/a", _root + "/b"], events);
        }
    }

    [Fact]
    public async Task Pipelined_ThousandsInFlight_EachReplyMatchesItsRequest()
    {
        const int n = 3000;
        await _client.CreateAsync(_root + "/p", ReadOnlyMemory<byte>.Empty);
        await Task.WhenAll(Enumerable.Range(0, n).Select(i => _client.CreateAsync($"{_root}/p/{i}", Encoding.UTF8.GetBytes($"v{i}"))));

        var nodes = await Task.WhenAll(Enumerable.Range(0, n).Select(i => _client.GetDataAsync($"{_root}/p/{i}"))).WaitAsync(Hang);

        for (int i = 0; i < n; i++)
        {
            Assert.Equal($"v{i}", Encoding.UTF8.GetString(nodes[i]!.Data));
        }
    }
}
