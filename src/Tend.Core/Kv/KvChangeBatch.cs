namespace Tend.Core.Kv;

/// <summary>
/// What a watch yields: the changes of one or more consecutive store revisions, in order, or —
/// when the store cannot resume from where the watcher was (etcd compaction, ZooKeeper session
/// expiry, Consul index reset, a replaced file) — a <em>resync</em> carrying a full fresh snapshot
/// that replaces everything the watcher knew under the prefix.
/// </summary>
public sealed class KvChangeBatch
{
    private KvChangeBatch(long revision, IReadOnlyList<KvChange> changes, KvSnapshot? resync)
    {
        Revision = revision;
        Changes = changes;
        Resync = resync;
    }

    /// <summary>The store revision the watcher has seen everything up to, once this batch is applied.</summary>
    public long Revision { get; }

    /// <summary>The changes, ordered by revision. Empty for a progress notification or a resync.</summary>
    public IReadOnlyList<KvChange> Changes { get; }

    /// <summary>For a resync: the full state under the watched prefix; otherwise <c>null</c>.</summary>
    public KvSnapshot? Resync { get; }

    /// <summary>True when this batch is a resync.</summary>
    public bool IsResync => Resync is not null;

    /// <summary>True for a progress notification: no change, only a newer revision.</summary>
    public bool IsProgress => Resync is null && Changes.Count == 0;

    /// <summary>A batch of changes; <paramref name="revision"/> defaults to the last change's revision.</summary>
    public static KvChangeBatch FromChanges(IReadOnlyList<KvChange> changes, long? revision = null)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (changes.Count == 0 && revision is null)
        {
            throw new ArgumentException("An empty batch needs an explicit revision.", nameof(changes));
        }

        return new KvChangeBatch(revision ?? changes[^1].Revision, changes, null);
    }

    /// <summary>A resync to <paramref name="snapshot"/>.</summary>
    public static KvChangeBatch FromResync(KvSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return new KvChangeBatch(snapshot.Revision, [], snapshot);
    }

    /// <summary>A progress notification: nothing changed under the prefix up to <paramref name="revision"/>.</summary>
    public static KvChangeBatch Progress(long revision) => new(revision, [], null);

    /// <inheritdoc />
    public override string ToString() =>
        IsResync ? $"resync@{Revision} ({Resync!.Count} keys)" : $"batch@{Revision} ({Changes.Count} changes)";
}
