using Tend.Core.Kv;
using Tend.Stores.Consul.Http;
using Tend.Stores.Consul.Wire;

namespace Tend.Stores.Consul;

public sealed partial class ConsulKvStore
{
    /// <summary>
    /// The name of a key that is never written, read below a prefix for the index of the whole KV store: Consul
    /// answers a read of a missing key with the KV store's highest index, and a listing with only its prefix's.
    /// Read below the caught-up prefix so a token that may read the prefix may read it too.
    /// </summary>
    internal const string IndexProbeName = ".tend-kv-index";

    /// <inheritdoc />
    /// <remarks>
    /// A listing's index is the prefix's (the highest index that wrote or deleted a key below it), so a quiet prefix
    /// would stay behind the others for ever; the answer has to carry the index of the whole KV store. First a
    /// read of a key that does not exist (<see cref="IndexProbeName"/>) gives that index; when it is the known
    /// revision, nothing was written anywhere since and that is all. When it is higher, together, the
    /// prefix key itself and only the names below it (<c>?keys</c>, no values): when neither the prefix's index
    /// nor the keys moved past <c>known.Revision</c>, nothing changed up to a moment after the first read, which is
    /// a progress notification at its index. Otherwise the prefix is listed and compared. The reads are at least
    /// Consul's default consistency (the leader answers) even with <c>consistency = "stale"</c>: two answers of
    /// two servers at different points of the log would prove nothing. An index below the known revision (the
    /// agent restarted empty, a snapshot was restored) always lists: keys may hold other values at lower indexes.
    /// </remarks>
    public async Task<KvChangeBatch> CatchUpAsync(KvSnapshot known, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(known);
        var p = known.Prefix;
        long kvIndex = await ReadKvIndexAsync(p, cancellationToken).ConfigureAwait(false);
        if (kvIndex > 0 && kvIndex == known.Revision)
        {
            // Nothing was written or deleted anywhere in the KV store since: one round trip.
            return KvChangeBatch.Progress(kvIndex);
        }

        // Below the known revision, the index went back (an agent restarted empty, a snapshot restored): keys may
        // hold other values at lower indexes, which only a listing shows.
        if (kvIndex > known.Revision && p != KeyPath.Root)
        {
            var childrenTask = ReadChildKeysAsync(p, cancellationToken);
            var selfTask = ReadKeyAsync(p, notStale: true, cancellationToken);
            (long Index, int Count) children;
            RawEntry? self;
            try
            {
                children = await childrenTask.ConfigureAwait(false);
                self = await selfTask.ConfigureAwait(false);
            }
            catch
            {
                _ = selfTask.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                throw;
            }

            var had = known.Get(p);
            bool unchanged = children.Index <= known.Revision
                && children.Count == known.Count - (had is null ? 0 : 1)
                && (self is { } s ? had is not null && s.ModifyIndex <= known.Revision : had is null);
            if (unchanged)
            {
                return KvChangeBatch.Progress(Math.Max(kvIndex, known.Revision));
            }
        }

        var now = await ReadPrefixAsync(p, 0, null, false, notStale: true, cancellationToken).ConfigureAwait(false);

        // Nothing below the prefix changed between its index and the listing, which came after the KV index was read.
        var at = Math.Max(now.Revision, kvIndex);
        return KvCatchUp.Compare(known, at == now.Revision ? now : KvSnapshot.Create(p, at, now));
    }

    /// <summary>The KV store's highest index (a write or a delete anywhere), or 0 when the probe key exists after all.</summary>
    private async Task<long> ReadKvIndexAsync(string prefix, CancellationToken cancellationToken)
    {
        var probe = ConsulKeys.ChildrenOf(prefix) + IndexProbeName;
        var response = await SendAsync(
            new ConsulRequest
            {
                Method = HttpMethod.Get,
                Path = ConsulKeys.UrlPath("/v1/kv/", probe),
                Idempotent = true,
                IsRead = true,
                NotStale = true,
                What = $"reading the KV index (below {prefix})",
            },
            cancellationToken).ConfigureAwait(false);
        return response.IsNotFound ? Math.Max(1, response.Index) : 0;
    }

    /// <summary>The index of the keys strictly below <paramref name="prefix"/> and how many of them are Tend keys, without their values.</summary>
    private async Task<(long Index, int Count)> ReadChildKeysAsync(string prefix, CancellationToken cancellationToken)
    {
        var response = await SendAsync(
            new ConsulRequest
            {
                Method = HttpMethod.Get,
                Path = ConsulKeys.UrlPath("/v1/kv/", ConsulKeys.ChildrenOf(prefix)),
                Query = [new("keys", null)],
                Idempotent = true,
                IsRead = true,
                NotStale = true,
                What = $"listing the keys below {prefix}",
            },
            cancellationToken).ConfigureAwait(false);
        long index = Math.Max(1, response.Index);
        if (response.IsNotFound)
        {
            return (index, 0);
        }

        List<string>? keys;
        try
        {
            keys = System.Text.Json.JsonSerializer.Deserialize(response.Body, ConsulJsonContext.Default.ListString);
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new KvStoreException($"{Name}: the answer for the keys below {prefix} from {response.Endpoint} is not a key list: {ex.Message}", ex);
        }

        int count = 0;
        foreach (var k in keys ?? [])
        {
            if (ConsulKeys.FromConsul(k) is { } key && KeyPath.IsUnder(key, prefix) && key != prefix)
            {
                count++;
            }
        }

        return (index, count);
    }
}
