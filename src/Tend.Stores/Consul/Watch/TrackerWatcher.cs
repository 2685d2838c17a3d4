using System.Threading.Channels;

namespace Tend.Stores.Consul.Watch;

/// <summary>One <c>WatchAsync</c> on a tracker: its prefix (at or below the tracker's), its queue, and where it stands.</summary>
internal sealed class TrackerWatcher(string prefix, long from)
{
    public string Prefix { get; } = prefix;

    /// <summary>
    /// The batches for the watch's reader. Writing runs a waiting reader inline (synchronous continuations), so
    /// the tracker hands a batch over without waking another thread; it therefore writes only outside its lock.
    /// </summary>
    public Channel<Tend.Core.Kv.KvChangeBatch> Queue { get; } =
        Channel.CreateUnbounded<Tend.Core.Kv.KvChangeBatch>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true, AllowSynchronousContinuations = true });

    /// <summary>The first index the watcher wants, until it is positioned in the tracker's history.</summary>
    public long From { get; set; } = from;

    /// <summary>True once the watcher receives the tracker's batches (before: waiting for the first state, or ahead of it).</summary>
    public bool Positioned { get; set; }
}
