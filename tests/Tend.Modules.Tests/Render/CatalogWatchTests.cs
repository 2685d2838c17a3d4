using Microsoft.Extensions.Logging.Abstractions;
using Tend.Core.Agent;
using Tend.Core.Kv;
using Tend.Modules.Render;
using Tend.Templates.Catalog;
using Xunit;

namespace Tend.Modules.Tests.Render;

/// <summary>The watch loop of one catalog query against a scripted agent: its indexes, its errors, its pace.</summary>
public sealed class CatalogWatchTests
{
    private static readonly CatalogWatchSettings Fast = CatalogWatchSettings.Default with
    {
        Wait = TimeSpan.FromSeconds(30),
        Backoff = new Tend.Core.Retry.ExponentialBackoff(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(200)),
    };

    [Fact]
    public async Task Run_IndexGoesBackwards_NextQueryReadsAfreshThenBlocksFromTheNewIndex()
    {
        var agent = new ScriptedAgent([(10, "a"), (12, "b"), (5, "c"), (6, "c")]);
        await using var watch = new CatalogWatch(CatalogQuery.HealthService("api"), agent, Fast, NullLogger.Instance);
        watch.Start();

        await agent.Drained.WaitAsync(TimeSpan.FromSeconds(30));

        // 0: the first read; 10, 12: blocking on what was seen; 0 after 5 < 12 (read afresh); then blocking from 6.
        Assert.Equal([0, 10, 12, 0, 6], agent.AskedIndexes.Take(5));
        Assert.True(watch.TryGetValue(out var value));
        Assert.Equal("c", Assert.Single((HealthService[])value!).Id);
        Assert.Equal(3, watch.Changes);
    }

    [Fact]
    public async Task Run_AnswerOnlyMovedTheIndex_SubscribersNotCalled()
    {
        var agent = new ScriptedAgent([(10, "a"), (11, "a"), (12, "a"), (13, "b")]);
        await using var watch = new CatalogWatch(CatalogQuery.HealthService("api"), agent, Fast, NullLogger.Instance);
        int calls = 0;
        watch.Subscribe(() => Interlocked.Increment(ref calls));
        watch.Start();

        await agent.Drained.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task Run_AgentAnswersAtOnceWithTheSameIndex_QueriesSlowDownInsteadOfSpinning()
    {
        var agent = new ScriptedAgent([], repeat: (7, "a"));
        await using var watch = new CatalogWatch(CatalogQuery.HealthService("api"), agent, Fast with { Backoff = new Tend.Core.Retry.ExponentialBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1)) }, NullLogger.Instance);
        watch.Start();

        await Task.Delay(1500);

        // Without the backoff a scripted agent that never blocks is asked hundreds of thousands of times a second.
        Assert.InRange(watch.Queries, 4, 30);
    }

    [Fact]
    public async Task Run_EarlyAnswerWithTheSameIndex_NextQueryIsAPlainRead()
    {
        // An agent shutting down answers its blocking queries at once; it may come back empty, index 3.
        var agent = new ScriptedAgent([(10, "a"), (10, "a"), (3, "b")]);
        await using var watch = new CatalogWatch(CatalogQuery.HealthService("api"), agent, Fast, NullLogger.Instance);
        watch.Start();

        await agent.Drained.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal([0, 10, 0, 3], agent.AskedIndexes.Take(4));
        Assert.True(watch.TryGetValue(out var value));
        Assert.Equal("b", Assert.Single((HealthService[])value!).Id);
    }

    [Fact]
    public async Task Run_QueryFails_LastAnswerStaysAndTheWatchRecovers()
    {
        var agent = new ScriptedAgent([(10, "a"), (-1, "down"), (-1, "down"), (11, "b")]);
        await using var watch = new CatalogWatch(CatalogQuery.HealthService("api"), agent, Fast, NullLogger.Instance);
        var seen = new List<string>();
        watch.Subscribe(() =>
        {
            watch.TryGetValue(out var v);
            lock (seen)
            {
                seen.Add(((HealthService[])v!)[0].Id);
            }
        });
        watch.Start();

        await agent.Drained.WaitAsync(TimeSpan.FromSeconds(30));

        // The failures in between publish nothing: no empty answer, the last one stays until the next.
        Assert.Equal(["a", "b"], seen);
        Assert.Null(watch.LastError);
        // After each failure a plain read: the agent may be back without the history of index 10.
        Assert.Equal([0, 10, 0, 0], agent.AskedIndexes.Take(4));
    }

    /// <summary>Answers health queries from a script of (index, instance id); index -1 fails; then blocks, or repeats.</summary>
    private sealed class ScriptedAgent(IReadOnlyList<(long Index, string Id)> script, (long Index, string Id)? repeat = null) : IConsulAgent
    {
        private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _next;

        public List<long> AskedIndexes { get; } = [];

        public Task Drained => _drained.Task;

        public async Task<ConsulQueryResult<IReadOnlyList<ConsulHealthEntry>>> QueryServiceHealthAsync(string service, string? tag, bool passingOnly, ConsulBlockingQuery query, CancellationToken cancellationToken = default)
        {
            (long Index, string Id) step;
            lock (AskedIndexes)
            {
                AskedIndexes.Add(query.Index);
                if (_next < script.Count)
                {
                    step = script[_next++];
                }
                else if (repeat is { } r)
                {
                    step = r;
                }
                else
                {
                    _drained.TrySetResult();
                    step = (0, "");
                }
            }

            if (step.Id.Length == 0)
            {
                // The script is over: block like an agent with nothing new, until the watch stops.
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            if (step.Index < 0)
            {
                throw new KvStoreUnavailableException("agent down");
            }

            var node = new ConsulNode("", "n1", "10.0.0.1", "dc1", null, null);
            var instance = new ConsulNodeService(step.Id, "api", [], null, 80, "", false);
            return new([new ConsulHealthEntry(node, instance, [])], step.Index);
        }

        public Task<ConsulAgentInfo> GetSelfAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task RegisterServiceAsync(ConsulServiceRegistration service, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task DeregisterServiceAsync(string serviceId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<bool> UpdateCheckAsync(string checkId, ConsulCheckStatus status, string? output = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<ConsulServiceInstance>> GetServiceHealthAsync(string service, bool passingOnly = false, bool allDatacenters = false, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<string>> GetDatacentersAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<ConsulQueryResult<IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>>>> QueryServicesAsync(ConsulBlockingQuery query, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<ConsulQueryResult<IReadOnlyList<ConsulNode>>> QueryNodesAsync(ConsulBlockingQuery query, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<ConsulQueryResult<ConsulNodeCatalog?>> QueryNodeAsync(string node, ConsulBlockingQuery query, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
