using Microsoft.Extensions.Logging;
using Tend.Stores.ZooKeeper.Connection;
using Tend.Stores.ZooKeeper.Protocol;

namespace Tend.Stores.ZooKeeper.Session;

/// <summary>
/// The session state machine: picks servers from the connect string (shuffled, round robin),
/// re-attaches the session (id + password + last zxid) after a connection loss with backoff,
/// re-sends credentials and the watch set, detects expiry and then starts a new session, and
/// reports every transition. Requests wait for a live connection up to the request timeout.
/// </summary>
internal sealed class ZooKeeperSession : IAsyncDisposable
{
    private readonly ConnectString _connectString;
    private readonly TimeSpan _sessionTimeout;
    private readonly TimeSpan _requestTimeout;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly List<(string Scheme, byte[] Auth)> _auth = [];
    private readonly CancellationTokenSource _closing = new();
    private readonly (string Host, int Port)[] _hosts;
    private TaskCompletionSource<ZooKeeperConnection> _connected = NewConnectedSource();
    private ZooKeeperConnection? _connection;
    private ZooKeeperState _state = ZooKeeperState.Connecting;
    private Exception? _terminal;
    private Task _run = Task.CompletedTask;
    private long _sessionId;
    private byte[] _password = new byte[16];
    private long _lastZxid;
    private int _nextHost;

    public ZooKeeperSession(ConnectString connectString, TimeSpan sessionTimeout, TimeSpan requestTimeout, ILogger logger)
    {
        _connectString = connectString;
        _sessionTimeout = sessionTimeout;
        _requestTimeout = requestTimeout;
        _logger = logger;
        _hosts = [.. connectString.Hosts];
        Random.Shared.Shuffle(_hosts);
        Watches = new WatchRegistry(new WatchDispatcher(ex => SessionLog.HandlerFailed(logger, ex)));
    }

    /// <summary>Raised synchronously on each transition, before requests of the new state flow.</summary>
    public event Action<ZooKeeperState>? StateChanged;

    /// <summary>Raised when an attempt to reach a server failed (<c>host:port: reason</c>); the session tries the next one.</summary>
    public event Action<string>? ConnectFailed;

    public WatchRegistry Watches { get; }

    public ZooKeeperState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    public long SessionId => Interlocked.Read(ref _sessionId);

    public byte[] Password
    {
        get
        {
            lock (_gate)
            {
                return [.. _password];
            }
        }
    }

    public long LastZxid => Interlocked.Read(ref _lastZxid);

    /// <summary>The server the session is attached to, or <c>null</c>.</summary>
    public string? CurrentEndPoint => Volatile.Read(ref _connection)?.EndPoint;

    /// <summary>The negotiated session timeout.</summary>
    public TimeSpan NegotiatedTimeout { get; private set; }

    public string Chroot => _connectString.Chroot;

    /// <summary>Adds credentials; they are sent now (when connected) and on every later connection.</summary>
    public async Task AddAuthAsync(string scheme, byte[] auth, CancellationToken cancellationToken = default)
    {
        ZooKeeperConnection? connection;
        lock (_gate)
        {
            _auth.Add((scheme, auth));
            connection = _connection;
        }

        if (connection is not null)
        {
            var reply = await connection.SendAsync(new AuthPacket(scheme, auth), static (ref JuteReader _) => true).WaitAsync(_requestTimeout, cancellationToken).ConfigureAwait(false);
            reply.GetValueOrThrow(null);
        }
    }

    /// <summary>Starts connecting in the background.</summary>
    public void Start() => _run = Task.Run(RunAsync);

    /// <summary>Waits for a live connection.</summary>
    public async Task<ZooKeeperConnection> GetConnectionAsync(CancellationToken cancellationToken = default)
    {
        Task<ZooKeeperConnection> wait;
        lock (_gate)
        {
            if (_terminal is not null)
            {
                throw _terminal;
            }

            var c = _connection;
            if (c is not null && c.IsAlive)
            {
                return c;
            }

            wait = _connected.Task;
        }

        try
        {
            return await wait.WaitAsync(_requestTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            throw new ZooKeeperConnectionLossException($"No ZooKeeper server of {string.Join(',', _hosts.Select(h => $"{h.Host}:{h.Port}"))} reachable within {_requestTimeout.TotalSeconds:0.#} s.", ex);
        }
    }

    /// <summary>Sends a request on the live connection (waiting up to the request timeout for one) and waits for its reply.</summary>
    /// <remarks>
    /// No timer per request: replies come back in order, so a request without a reply means a
    /// connection without replies, which the connection's read timeout (two thirds of the session
    /// timeout) kills, failing the request with a connection loss.
    /// </remarks>
    public Task<Reply<T>> SendAsync<T>(IJuteRequest request, ResponseParser<T> parser, CancellationToken cancellationToken = default)
    {
        // The common case (connected, no token) is the connection's own task: no state machine between.
        var connection = Volatile.Read(ref _connection);
        if (connection is not null && connection.IsAlive)
        {
            var reply = connection.SendAsync(request, parser);
            return cancellationToken.CanBeCanceled ? reply.WaitAsync(cancellationToken) : reply;
        }

        return SendWhenConnectedAsync(request, parser, cancellationToken);
    }

    private async Task<Reply<T>> SendWhenConnectedAsync<T>(IJuteRequest request, ResponseParser<T> parser, CancellationToken cancellationToken)
    {
        var connection = await GetConnectionAsync(cancellationToken).ConfigureAwait(false);
        var reply = connection.SendAsync(request, parser);
        return cancellationToken.CanBeCanceled
            ? await reply.WaitAsync(cancellationToken).ConfigureAwait(false)
            : await reply.ConfigureAwait(false);
    }

    /// <summary>Sends without waiting for a connection: fails at once when there is none. Keeps send order with the caller's thread.</summary>
    public Task<Reply<T>> SendNow<T>(IJuteRequest request, ResponseParser<T> parser)
    {
        var c = Volatile.Read(ref _connection);
        return c is null
            ? Task.FromException<Reply<T>>(new ZooKeeperConnectionLossException("Not connected to ZooKeeper."))
            : c.SendAsync(request, parser);
    }

    /// <summary>Drops the current connection (tests and chaos); the session re-attaches elsewhere.</summary>
    public void DropConnection() => Volatile.Read(ref _connection)?.Kill(new ZooKeeperConnectionLossException("Connection dropped on request."));

    public async ValueTask DisposeAsync()
    {
        ZooKeeperConnection? connection;
        lock (_gate)
        {
            if (_state == ZooKeeperState.Closed)
            {
                return;
            }

            connection = _connection;
        }

        // Closing the session ends its ephemeral nodes now rather than after the session timeout.
        if (connection is not null && connection.IsAlive)
        {
            try
            {
                await connection.SendAsync(CloseSessionRequest.Instance, static (ref JuteReader _) => true).WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ZooKeeperException or TimeoutException)
            {
            }
        }

        await _closing.CancelAsync().ConfigureAwait(false);
        lock (_gate)
        {
            _terminal ??= new ObjectDisposedException(nameof(ZooKeeperClient), "The ZooKeeper client is closed.");
            _connected.TrySetException(_terminal);
        }

        if (connection is not null)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        try
        {
            await _run.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        SetState(ZooKeeperState.Closed, null);
        _closing.Dispose();
    }

    private static TaskCompletionSource<ZooKeeperConnection> NewConnectedSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task RunAsync()
    {
        var token = _closing.Token;
        int failures = 0;
        while (!token.IsCancellationRequested)
        {
            var (host, port) = _hosts[_nextHost++ % _hosts.Length];
            ZooKeeperConnection connection;
            try
            {
                var timeout = TimeSpan.FromMilliseconds(Math.Max(1000, _sessionTimeout.TotalMilliseconds / _hosts.Length));
                byte[] password;
                lock (_gate)
                {
                    password = _password;
                }

                connection = await ZooKeeperConnection.OpenAsync(host, port, new ConnectRequest(LastZxid, (int)_sessionTimeout.TotalMilliseconds, SessionId, password, false), timeout, _logger, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ZooKeeperException ex)
            {
                failures++;

                // Try each server once quickly, then back off (with jitter) while the whole ensemble is away.
                int delay = failures < _hosts.Length ? 0 : (int)Math.Min(2000, 50 * Math.Pow(2, Math.Min(failures - _hosts.Length, 6))) + Random.Shared.Next(50);
                SessionLog.ConnectFailed(_logger, $"{host}:{port}", delay, ex.Message);
                try
                {
                    ConnectFailed?.Invoke($"{host}:{port}: {ex.Message}");
                }
#pragma warning disable CA1031 // a faulty handler must not stop the session
                catch (Exception handlerFailure)
#pragma warning restore CA1031
                {
                    SessionLog.HandlerFailed(_logger, handlerFailure);
                }

                if (delay > 0)
                {
                    try
                    {
                        await Task.Delay(delay, token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }

                continue;
            }

            if (connection.Handshake.TimeoutMs <= 0)
            {
                // The server no longer knows the session: everything bound to it is gone.
                SessionLog.Expired(_logger, SessionId);
                await connection.DisposeAsync().ConfigureAwait(false);
                lock (_gate)
                {
                    _password = new byte[16];
                }

                Interlocked.Exchange(ref _sessionId, 0);
                Watches.Clear();
                SetState(ZooKeeperState.Expired, connection.EndPoint);
                continue;
            }

            failures = 0;
            if (!await AttachAsync(connection).ConfigureAwait(false))
            {
                return;
            }

            await connection.Closed.ConfigureAwait(false);
            Forget(connection);

            await connection.DisposeAsync().ConfigureAwait(false);
            if (!token.IsCancellationRequested)
            {
                SetState(ZooKeeperState.Disconnected, connection.EndPoint);
            }
        }
    }

    private async Task<bool> AttachAsync(ZooKeeperConnection connection)
    {
        var response = connection.Handshake;
        bool newSession = SessionId != response.SessionId;
        Interlocked.Exchange(ref _sessionId, response.SessionId);
        NegotiatedTimeout = TimeSpan.FromMilliseconds(response.TimeoutMs);
        List<(string Scheme, byte[] Auth)> auth;
        lock (_gate)
        {
            _password = response.Password;
            auth = [.. _auth];
        }

        connection.ZxidSeen = z =>
        {
            long seen;
            while (z > (seen = Interlocked.Read(ref _lastZxid)) && Interlocked.CompareExchange(ref _lastZxid, z, seen) != seen)
            {
            }
        };
        connection.NotificationReceived = OnNotification;
        connection.Dying = () => Forget(connection);
        connection.Start();

        // Credentials first, then the watch set: both go out before any caller's request.
        var authReplies = auth.Select(a => (a.Scheme, Task: connection.SendAsync(new AuthPacket(a.Scheme, a.Auth), static (ref JuteReader _) => true))).ToList();
        if (!newSession)
        {
            var setWatches = Watches.ToSetWatches(LastZxid, ToServerPath);
            if (setWatches is not null)
            {
                _ = connection.SendAsync(setWatches, static (ref JuteReader _) => true, Xids.SetWatches);
            }
        }

        foreach (var (scheme, task) in authReplies)
        {
            Reply<bool> reply;
            try
            {
                reply = await task.WaitAsync(_requestTimeout).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ZooKeeperException or TimeoutException)
            {
                connection.Kill(ex);
                return true;
            }

            if (reply.Error == ZooKeeperErrorCode.AuthFailed)
            {
                SessionLog.AuthFailed(_logger, scheme);
                lock (_gate)
                {
                    _terminal = new ZooKeeperException(ZooKeeperErrorCode.AuthFailed, $"ZooKeeper rejected the {scheme} credentials.", null);
                    _connected.TrySetException(_terminal);
                }

                await connection.DisposeAsync().ConfigureAwait(false);
                SetState(ZooKeeperState.AuthFailed, connection.EndPoint);
                return false;
            }
        }

        lock (_gate)
        {
            _connection = connection;
        }

        SetState(ZooKeeperState.Connected, connection.EndPoint);
        lock (_gate)
        {
            _connected.TrySetResult(connection);
        }

        return true;
    }

    /// <summary>Requests from now on wait for the next connection (idempotent).</summary>
    private void Forget(ZooKeeperConnection connection)
    {
        lock (_gate)
        {
            if (ReferenceEquals(_connection, connection))
            {
                _connection = null;
                _connected = NewConnectedSource();
            }
        }
    }

    private string ToServerPath(string path) => _connectString.Chroot.Length == 0 ? path : path == "/" ? _connectString.Chroot : _connectString.Chroot + path;

    private void OnNotification(WatcherEvent e)
    {
        if (e.Type == ZooKeeperEventType.None)
        {
            return;
        }

        var chroot = _connectString.Chroot;
        string path = e.Path;
        if (chroot.Length > 0)
        {
            if (!path.StartsWith(chroot, StringComparison.Ordinal))
            {
                return;
            }

            path = path.Length == chroot.Length ? "/" : path[chroot.Length..];
        }

        try
        {
            Watches.Dispatch(new ZooKeeperWatchEvent(e.Type, path));
        }
#pragma warning disable CA1031 // a faulty handler must not kill the reader
        catch (Exception ex)
#pragma warning restore CA1031
        {
            SessionLog.HandlerFailed(_logger, ex);
        }
    }

    private void SetState(ZooKeeperState state, string? endPoint)
    {
        lock (_gate)
        {
            if (_state == ZooKeeperState.Closed || _state == state)
            {
                return;
            }

            _state = state;
        }

        SessionLog.StateChanged(_logger, SessionId, state, endPoint ?? "-");
        try
        {
            StateChanged?.Invoke(state);
        }
#pragma warning disable CA1031 // a faulty handler must not stop the session
        catch (Exception ex)
#pragma warning restore CA1031
        {
            SessionLog.HandlerFailed(_logger, ex);
        }
    }
}
