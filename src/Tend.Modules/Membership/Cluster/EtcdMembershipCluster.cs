using Microsoft.Extensions.Logging.Abstractions;
using Tend.Core.Kv;
using Tend.Stores.Etcd;

namespace Tend.Modules.Membership.Cluster;

/// <summary>
/// <see cref="IMembershipCluster"/> on the etcd store: one store per member URL (so a call goes to the member
/// named, never fails over to another), kept between passes while the URL is in use. The stores log nothing
/// themselves: a member that is down is expected here, and the pass reports what it means.
/// </summary>
internal sealed class EtcdMembershipCluster : IMembershipCluster
{
    private const string ProbeKey = "/tend-membership-health";

    private readonly MembershipOptions _options;
    private readonly Dictionary<(string Url, bool Serializable), Entry> _stores = [];
    private readonly Lock _gate = new();

    public EtcdMembershipCluster(MembershipOptions options)
    {
        _options = options;
    }

    public async Task<IReadOnlyList<ClusterAnswer>> ListAsync(IReadOnlyList<string> clientUrls, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clientUrls);
        return await Task.WhenAll(clientUrls.Select(async url =>
        {
            try
            {
                var members = await MembersAsync(url, cancellationToken).ConfigureAwait(false);
                return new ClusterAnswer(url, members, null);
            }
            catch (Exception ex) when (IsNoAnswer(ex, cancellationToken))
            {
                return new ClusterAnswer(url, null, Describe(ex));
            }
        })).ConfigureAwait(false);
    }

    public async Task<IReadOnlySet<ulong>> HealthyAsync(IReadOnlyList<EtcdMember> members, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(members);
        var results = await Task.WhenAll(members.Select(async m => (m.Id, Healthy: await ProbeAsync(m, cancellationToken).ConfigureAwait(false)))).ConfigureAwait(false);
        return results.Where(r => r.Healthy).Select(r => r.Id).ToHashSet();
    }

    public Task<IReadOnlyList<EtcdMember>> MembersAsync(string clientUrl, CancellationToken cancellationToken = default) =>
        CallAsync(clientUrl, false, (s, ct) => s.MemberListAsync(ct), cancellationToken);

    public Task<EtcdMember> AddAsync(string clientUrl, IReadOnlyList<string> peerUrls, bool learner, CancellationToken cancellationToken = default) =>
        CallAsync(clientUrl, false, (s, ct) => s.MemberAddAsync(peerUrls, learner, ct), cancellationToken);

    public Task RemoveAsync(string clientUrl, ulong id, CancellationToken cancellationToken = default) =>
        CallAsync(clientUrl, false, async (s, ct) =>
        {
            await s.MemberRemoveAsync(id, ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public Task PromoteAsync(string clientUrl, ulong id, CancellationToken cancellationToken = default) =>
        CallAsync(clientUrl, false, async (s, ct) =>
        {
            await s.MemberPromoteAsync(id, ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public async ValueTask EndPassAsync()
    {
        List<EtcdKvStore> idle;
        lock (_gate)
        {
            idle = [.. _stores.Where(e => !e.Value.Used).Select(e => e.Value.Store)];
            foreach (var key in _stores.Where(e => !e.Value.Used).Select(e => e.Key).ToList())
            {
                _stores.Remove(key);
            }

            foreach (var e in _stores.Values)
            {
                e.Used = false;
            }
        }

        foreach (var s in idle)
        {
            await s.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<EtcdKvStore> all;
        lock (_gate)
        {
            all = [.. _stores.Values.Select(e => e.Store)];
            _stores.Clear();
        }

        foreach (var s in all)
        {
            await s.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static bool IsNoAnswer(Exception ex, CancellationToken cancellationToken) =>
        ex is KvStoreException or TimeoutException or HttpRequestException
        || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private static string Describe(Exception ex) => ex is TimeoutException ? ex.Message : ex.Message.Replace("\n", " ", StringComparison.Ordinal);

    private async Task<bool> ProbeAsync(EtcdMember member, CancellationToken cancellationToken)
    {
        // A member added but not started has no client URL yet: it cannot be healthy.
        foreach (var url in member.ClientUrls)
        {
            try
            {
                await CallAsync(url, member.IsLearner, (s, ct) => s.GetAsync(ProbeKey, ct), cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (KvAuthenticationException)
            {
                // The member answered; only the probe key is off limits to this user.
                return true;
            }
            catch (Exception ex) when (IsNoAnswer(ex, cancellationToken))
            {
                // Try its next URL.
            }
        }

        return false;
    }

    private async Task<T> CallAsync<T>(string url, bool serializable, Func<EtcdKvStore, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        var store = Store(url, serializable);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            return await call(store, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{url}: no answer within {_options.Timeout.TotalSeconds:0.#} s");
        }
    }

    private EtcdKvStore Store(string url, bool serializable)
    {
        lock (_gate)
        {
            if (!_stores.TryGetValue((url, serializable), out var entry))
            {
                var options = new KvStoreOptions
                {
                    Kind = "etcd",
                    Endpoints = [url],
                    RequestTimeout = _options.Timeout,
                    CaFile = _options.CaFile,
                    CertFile = _options.CertFile,
                    KeyFile = _options.KeyFile,
                    Username = _options.Username,
                    Password = _options.Password,
                };
                var settings = EtcdStoreSettings.Default with
                {
                    SerializableReads = serializable,
                    ConnectTimeout = _options.Timeout < TimeSpan.FromSeconds(3) ? _options.Timeout : TimeSpan.FromSeconds(3),
                };
                entry = new Entry(new EtcdKvStore(options, settings, NullLoggerFactory.Instance));
                _stores[(url, serializable)] = entry;
            }

            entry.Used = true;
            return entry.Store;
        }
    }

    private sealed class Entry(EtcdKvStore store)
    {
        public EtcdKvStore Store { get; } = store;

        public bool Used { get; set; }
    }
}
