namespace Tend.Stores.ZooKeeper.Session;

/// <summary>
/// Runs watch handlers one at a time, in the order their events arrived, on the thread pool: a
/// caller's handler that blocks delays later handlers, never the connection's replies.
/// </summary>
internal sealed class WatchDispatcher(Action<Exception> onError)
{
    private readonly Lock _gate = new();
    private readonly Queue<(Action<ZooKeeperWatchEvent> Handler, ZooKeeperWatchEvent Event)> _queue = new();
    private bool _running;

    public void Post(Action<ZooKeeperWatchEvent> handler, ZooKeeperWatchEvent e)
    {
        lock (_gate)
        {
            _queue.Enqueue((handler, e));
            if (_running)
            {
                return;
            }

            _running = true;
        }

        ThreadPool.UnsafeQueueUserWorkItem(static d => d.Drain(), this, preferLocal: false);
    }

    private void Drain()
    {
        while (true)
        {
            (Action<ZooKeeperWatchEvent> Handler, ZooKeeperWatchEvent Event) next;
            lock (_gate)
            {
                if (!_queue.TryDequeue(out next))
                {
                    _running = false;
                    return;
                }
            }

            try
            {
                next.Handler(next.Event);
            }
#pragma warning disable CA1031 // a faulty handler must not stop the others
            catch (Exception ex)
#pragma warning restore CA1031
            {
                onError(ex);
            }
        }
    }
}
