using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Tend.Core.Agent;
using Tend.Core.Kv;
using Tend.Templates.Catalog;

namespace Tend.Modules.Render;

/// <summary>
/// One catalog query kept current: a blocking query on the agent (index and wait), re-asked as soon as it answers;
/// an answer that differs from the last tells the subscribers (the resources that read it), which render again.
/// Errors keep the last answer and back off with jitter, and the query after one is a plain read; an index that goes
/// backwards (a restarted agent, a restored snapshot) starts over with a plain read; answers that come back early
/// without a new index are followed by a plain read, and they and an agent that sends no index at all are slowed
/// down, so the loop never spins. <c>datacenters</c> has no blocking form and is
/// read every <see cref="CatalogWatchSettings.DatacentersPoll"/>.
/// </summary>
internal sealed class CatalogWatch : IAsyncDisposable
{
    private readonly IConsulAgent _agent;
    private readonly CatalogWatchSettings _settings;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<Action> _subscribers = [];
    private readonly TaskCompletionSource _answered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private object? _value;
    private string? _fingerprint;
    private Task? _loop;
    private string? _nodeName;

    public CatalogWatch(CatalogQuery query, IConsulAgent agent, CatalogWatchSettings settings, ILogger logger)
    {
        Query = query;
        _agent = agent;
        _settings = settings;
        _logger = logger;
    }

    public CatalogQuery Query { get; }

    /// <summary>Completes with the first answer.</summary>
    public Task Answered => _answered.Task;

    /// <summary>The last error, kept until the next answer.</summary>
    public string? LastError { get; private set; }

    /// <summary>How many answers changed the value (the first included).</summary>
    public int Changes { get; private set; }

    /// <summary>How many queries were sent.</summary>
    public long Queries => Interlocked.Read(ref _queries);

    private long _queries;

    public void Start() => _loop ??= Task.Run(() => RunAsync(_stop.Token));

    /// <summary>The latest answer; false before the first.</summary>
    public bool TryGetValue(out object? value)
    {
        lock (_gate)
        {
            value = _value;
            return _fingerprint is not null;
        }
    }

    /// <summary>Calls <paramref name="changed"/> after every answer that changes the value (not for the one already there).</summary>
    public void Subscribe(Action changed)
    {
        lock (_gate)
        {
            _subscribers.Add(changed);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken stop)
    {
        long index = 0;
        int failures = 0, spurious = 0;
        while (!stop.IsCancellationRequested)
        {
            bool blocking = index > 0 && Query.Kind != CatalogQueryKind.Datacenters;
            long started = Stopwatch.GetTimestamp();
            object value;
            long answered;
            try
            {
                Interlocked.Increment(ref _queries);
                (value, answered) = await FetchAsync(blocking ? index : 0, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Every failure is retried: a refused token may be fixed in Consul, a datacenter may come back.
                failures++;
                var delay = _settings.Backoff.NextDelay(failures);
                LastError = ex.Message;

                // The agent may come back without the history of this index: read plainly, never block on it.
                index = 0;
                if (failures == 1 || ex is KvAuthenticationException)
                {
                    CatalogLog.QueryFailed(_logger, Query.Key, ex.Message, delay.TotalMilliseconds);
                }

                if (!await DelayAsync(delay, stop).ConfigureAwait(false))
                {
                    return;
                }

                continue;
            }

            if (failures > 0)
            {
                CatalogLog.QueryRecovered(_logger, Query.Key, failures);
            }

            failures = 0;
            LastError = null;
            bool early = blocking && Stopwatch.GetElapsedTime(started) < _settings.Wait * 0.9;
            bool noIndex = answered <= 0 && Query.Kind != CatalogQueryKind.Datacenters;

            // An early answer without a new index (an agent quirk, or an agent shutting down), or no index at all
            // (nothing to block on), counts as spurious: after a few in a row the next query waits a backoff first.
            // The plain read that follows an early one neither counts nor resets the count.
            bool unchanged = early && answered == index;
            if (blocking || noIndex)
            {
                spurious = unchanged || noIndex ? spurious + 1 : 0;
            }

            if (answered < index)
            {
                // The history this index belonged to is gone: read afresh, then block from the new index.
                CatalogLog.IndexWentBack(_logger, Query.Key, index, answered);
                index = 0;
            }
            else
            {
                // After an early unchanged answer, one plain read: an agent that shut down answers that way, and if
                // it came back empty a blocking query on the old index would wait out the whole wait.
                index = unchanged ? 0 : answered;
            }

            Publish(value);
            TimeSpan pause = Query.Kind == CatalogQueryKind.Datacenters
                ? _settings.DatacentersPoll
                : spurious >= _settings.SpuriousWakeupsBeforeBackoff ? _settings.Backoff.NextDelay(spurious - _settings.SpuriousWakeupsBeforeBackoff + 1) : TimeSpan.Zero;
            if (pause > TimeSpan.Zero && !await DelayAsync(pause, stop).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    private void Publish(object value)
    {
        var fingerprint = CatalogFingerprint.Of(value);
        Action[] notify;
        lock (_gate)
        {
            if (fingerprint == _fingerprint)
            {
                return;
            }

            bool first = _fingerprint is null;
            _value = value;
            _fingerprint = fingerprint;
            Changes++;
            notify = [.. _subscribers];
            if (first)
            {
                _answered.TrySetResult();
            }
        }

        foreach (var n in notify)
        {
            n();
        }
    }

    private async Task<(object Value, long Index)> FetchAsync(long index, CancellationToken stop)
    {
        var q = new ConsulBlockingQuery
        {
            Datacenter = Query.Datacenter.Length > 0 ? Query.Datacenter : null,
            Near = Query.Near.Length > 0 ? Query.Near : null,
            Index = index,
            Wait = _settings.Wait,
        };
        switch (Query.Kind)
        {
            case CatalogQueryKind.HealthService:
                var health = await _agent.QueryServiceHealthAsync(Query.Name, Query.Tag.Length > 0 ? Query.Tag : null, Query.PassingOnly, q, stop).ConfigureAwait(false);
                return (CatalogShapes.HealthServices(Query, health.Value), health.Index);
            case CatalogQueryKind.Services:
                var services = await _agent.QueryServicesAsync(q, stop).ConfigureAwait(false);
                return (CatalogShapes.Services(services.Value), services.Index);
            case CatalogQueryKind.Nodes:
                var nodes = await _agent.QueryNodesAsync(q, stop).ConfigureAwait(false);
                return (CatalogShapes.Nodes(Query, nodes.Value), nodes.Index);
            case CatalogQueryKind.Node:
                // No name: the agent's own node, as consul-template asks the agent once.
                _nodeName ??= Query.Name.Length > 0 ? Query.Name : (await _agent.GetSelfAsync(stop).ConfigureAwait(false)).NodeName;
                var node = await _agent.QueryNodeAsync(_nodeName, q, stop).ConfigureAwait(false);
                return (CatalogShapes.Node(node.Value), node.Index);
            default:
                return (CatalogShapes.Datacenters(await DatacentersAsync(stop).ConfigureAwait(false)), 0);
        }
    }

    private async Task<IReadOnlyList<string>> DatacentersAsync(CancellationToken stop)
    {
        var all = await _agent.GetDatacentersAsync(stop).ConfigureAwait(false);
        if (!Query.IgnoreFailing)
        {
            return all;
        }

        // consul-template's test of a datacenter: a consistent read of its services answers.
        var answering = new List<string>();
        foreach (var dc in all)
        {
            try
            {
                await _agent.QueryServicesAsync(new ConsulBlockingQuery { Datacenter = dc, Consistent = true }, stop).ConfigureAwait(false);
                answering.Add(dc);
            }
            catch (Exception ex) when (ex is KvStoreException or TimeoutException)
            {
                CatalogLog.DatacenterLeftOut(_logger, dc, ex.Message);
            }
        }

        return answering;
    }

    private static async Task<bool> DelayAsync(TimeSpan delay, CancellationToken stop)
    {
        try
        {
            await Task.Delay(delay, stop).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
