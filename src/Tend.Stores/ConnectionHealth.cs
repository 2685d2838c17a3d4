using Tend.Core.Kv;

namespace Tend.Stores;

/// <summary>
/// A store's view of its connection (<see cref="IKvStore.Health"/>), fed by whatever meets the server: calls
/// that got an answer, connection attempts that failed, streams that broke. An established connection that
/// breaks is only "lost" until the next attempt: a stream re-established at once is a reconnect, not an
/// outage, so a server restart or a leader change does not flap the health; a failed attempt makes the
/// store unreachable since the moment it was lost. Cheap when nothing changes (one volatile read).
/// </summary>
internal sealed class ConnectionHealth(TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private volatile KvStoreHealth _current = new() { State = KvStoreConnectionState.Unknown };
    private DateTimeOffset? _lostAt;
    private bool _everConnected;

    public KvStoreHealth Current => _current;

    /// <summary>The server answered.</summary>
    public void Connected()
    {
        var current = _current;
        if (current.State == KvStoreConnectionState.Connected && _lostAt is null)
        {
            return;
        }

        lock (_gate)
        {
            var now = _time.GetUtcNow();
            bool reconnected = _everConnected && (_current.State != KvStoreConnectionState.Connected || _lostAt is not null);
            _current = _current with
            {
                State = KvStoreConnectionState.Connected,
                Since = _current.State == KvStoreConnectionState.Connected ? _current.Since : now,
                Reconnects = _current.Reconnects + (reconnected ? 1 : 0),
            };
            _lostAt = null;
            _everConnected = true;
        }
    }

    /// <summary>An established connection broke; the store tries again at once. Unreachable only if that fails too.</summary>
    public void Lost(string error)
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            _lostAt ??= now;
            _current = _current with { LastError = error, LastErrorAt = now };
        }
    }

    /// <summary>The server could not be reached (a connection attempt, or a call on every endpoint, failed).</summary>
    public void Failed(string error)
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            _current = _current with
            {
                State = KvStoreConnectionState.Unreachable,
                Since = _current.State == KvStoreConnectionState.Unreachable ? _current.Since : _lostAt ?? now,
                LastError = error,
                LastErrorAt = now,
            };
        }
    }
}
