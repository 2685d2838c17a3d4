using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tend.Stores.ZooKeeper.Connection;
using Tend.Stores.ZooKeeper.Protocol;
using Tend.Stores.ZooKeeper.Session;

namespace Tend.Stores.ZooKeeper;

/// <summary>
/// A ZooKeeper client speaking the wire protocol directly: nodes, data, children, multi, sync,
/// persistent recursive watches, digest authentication and ACLs, over a session that survives
/// server failures (re-attach with watches) and reports expiry. Paths are client paths, below
/// the connect string's chroot. Requests may be issued concurrently; they are pipelined.
/// <para>A request's task completes on the connection's reader thread, so code after an
/// <c>await</c> runs there until it yields; code that blocks there costs the replies behind it a
/// few milliseconds (another thread takes over the socket), not a deadlock. Watch handlers run
/// on the thread pool, one at a time, in the order of their events.</para>
/// </summary>
internal sealed class ZooKeeperClient : IAsyncDisposable
{
    private static readonly ResponseParser<bool> NoBody = static (ref JuteReader _) => true;
    private readonly ZooKeeperSession _session;
    private readonly string _chroot;
    private readonly IReadOnlyList<ZooKeeperAcl> _defaultAcl;
    private int _started;

    public ZooKeeperClient(ZooKeeperClientOptions options, ILogger<ZooKeeperClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var cs = ConnectString.Parse(options.ConnectString);
        _chroot = cs.Chroot;
        Options = options;
        _session = new ZooKeeperSession(cs, options.SessionTimeout, options.RequestTimeout, (ILogger?)logger ?? NullLogger.Instance);
        _session.StateChanged += s => StateChanged?.Invoke(s);
        bool authenticated = !string.IsNullOrEmpty(options.Username);
        if (authenticated)
        {
            _ = _session.AddAuthAsync("digest", Encoding.UTF8.GetBytes(options.Username + ":" + options.Password));
        }

        _defaultAcl = options.DefaultAcl ?? (authenticated ? ZooKeeperAcl.CreatorAllWorldRead : ZooKeeperAcl.OpenUnsafe);
    }

    /// <summary>Raised synchronously on each session transition (keep handlers short).</summary>
    public event Action<ZooKeeperState>? StateChanged;

    /// <summary>Raised when an attempt to reach a server failed (<c>host:port: reason</c>); the session goes on trying.</summary>
    internal event Action<string>? ConnectFailed
    {
        add => _session.ConnectFailed += value;
        remove => _session.ConnectFailed -= value;
    }

    public ZooKeeperClientOptions Options { get; }

    public ZooKeeperState State => _session.State;

    /// <summary>The ACL used when none is given.</summary>
    public IReadOnlyList<ZooKeeperAcl> DefaultAcl => _defaultAcl;

    internal ZooKeeperSession Session => _session;

    internal long SessionId => _session.SessionId;

    internal byte[] SessionPassword => _session.Password;

    internal string? CurrentEndPoint => _session.CurrentEndPoint;

    /// <summary>Starts the session (if not yet) and waits until it is connected.</summary>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        EnsureStarted();
        await _session.GetConnectionAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Creates a node; returns its actual path (sequential nodes get a suffix). With
    /// <paramref name="createParents"/>, missing ancestors are created first as empty persistent nodes.
    /// </summary>
    public async Task<string> CreateAsync(string path, ReadOnlyMemory<byte> data, CreateMode mode = CreateMode.Persistent, IReadOnlyList<ZooKeeperAcl>? acl = null, bool createParents = false, CancellationToken cancellationToken = default)
    {
        var reply = await CreateReplyAsync(path, data, mode, acl, createParents, cancellationToken).ConfigureAwait(false);
        return ToClientPath(reply.GetValueOrThrow(path).Path);
    }

    /// <summary>Deletes a node at <paramref name="version"/> (-1: any).</summary>
    public async Task DeleteAsync(string path, int version = -1, CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync(new DeleteRequest(ToServerPath(path), version), NoBody, cancellationToken).ConfigureAwait(false);
        reply.GetValueOrThrow(path);
    }

    /// <summary>The node's stat, or <c>null</c> when it does not exist; <paramref name="watcher"/> fires once on its next create/change/delete.</summary>
    public async Task<ZooKeeperStat?> ExistsAsync(string path, Action<ZooKeeperWatchEvent>? watcher = null, CancellationToken cancellationToken = default)
    {
        if (watcher is not null)
        {
            _session.Watches.AddExist(path, watcher);
        }

        var reply = await SendAsync(new ExistsRequest(ToServerPath(path), watcher is not null), StatResponse.Read, cancellationToken).ConfigureAwait(false);
        if (reply.Error == ZooKeeperErrorCode.NoNode)
        {
            return null;
        }

        if (watcher is not null && reply.Ok)
        {
            _session.Watches.PromoteExistToData(path, watcher);
        }

        return reply.GetValueOrThrow(path);
    }

    /// <summary>The node's data and stat, or <c>null</c> when it does not exist.</summary>
    public async Task<ZooKeeperNode?> GetDataAsync(string path, Action<ZooKeeperWatchEvent>? watcher = null, CancellationToken cancellationToken = default)
    {
        // Without a watcher there is nothing to undo on failure: one state machine, not two.
        var reply = watcher is null
            ? await SendAsync(new GetDataRequest(ToServerPath(path), false), GetDataResponse.Read, cancellationToken).ConfigureAwait(false)
            : await GetDataReplyAsync(path, watcher, cancellationToken).ConfigureAwait(false);
        if (reply.Error == ZooKeeperErrorCode.NoNode)
        {
            return null;
        }

        var value = reply.GetValueOrThrow(path);
        return new ZooKeeperNode(value.Data, value.Stat);
    }

    /// <summary>Replaces the node's data at <paramref name="version"/> (-1: any); returns the new stat.</summary>
    public async Task<ZooKeeperStat> SetDataAsync(string path, ReadOnlyMemory<byte> data, int version = -1, CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync(new SetDataRequest(ToServerPath(path), data, version), StatResponse.Read, cancellationToken).ConfigureAwait(false);
        return reply.GetValueOrThrow(path);
    }

    /// <summary>The node's children and stat, or <c>null</c> when it does not exist.</summary>
    public async Task<ZooKeeperChildren?> GetChildrenAsync(string path, Action<ZooKeeperWatchEvent>? watcher = null, CancellationToken cancellationToken = default)
    {
        var reply = await GetChildrenReplyAsync(path, watcher, cancellationToken).ConfigureAwait(false);
        if (reply.Error == ZooKeeperErrorCode.NoNode)
        {
            return null;
        }

        var value = reply.GetValueOrThrow(path);
        return new ZooKeeperChildren(value.Children, value.Stat);
    }

    /// <summary>Applies <paramref name="operations"/> atomically. A failed multi is a result, not an exception.</summary>
    public async Task<ZooKeeperMultiResult> MultiAsync(IReadOnlyList<ZooKeeperOperation> operations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        var request = new MultiRequest([.. operations.Select(ToRequest)]);
        var reply = await SendAsync(request, MultiResponse.Read, cancellationToken).ConfigureAwait(false);
        var results = reply.GetValueOrThrow(null);
        if (results.Count != operations.Count)
        {
            throw new ZooKeeperProtocolException($"A multi of {operations.Count} operations got {results.Count} results.");
        }

        bool ok = results.All(r => r.Error == ZooKeeperErrorCode.Ok && r.Type != OpCode.Error);
        return new ZooKeeperMultiResult(ok, reply.Zxid, [.. results.Select(r => r.Error)], [.. results.Select(r => r.Path is null ? null : ToClientPath(r.Path))]);
    }

    /// <summary>Waits until the connected server has caught up with the leader (for reads after another client's write).</summary>
    public async Task SyncAsync(string path, CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync(new SyncRequest(ToServerPath(path)), SyncRequest.ReadResponse, cancellationToken).ConfigureAwait(false);
        reply.GetValueOrThrow(path);
    }

    /// <summary>
    /// Watches <paramref name="path"/> and everything below it for creates, data changes and deletes
    /// until the session expires (ZooKeeper 3.6+). The watch is re-installed on a re-attached session.
    /// </summary>
    /// <exception cref="ZooKeeperException">Code Unimplemented: the server is older than 3.6.</exception>
    public async Task AddPersistentRecursiveWatchAsync(string path, Action<ZooKeeperWatchEvent> handler, CancellationToken cancellationToken = default)
    {
        var reply = await AddRecursiveWatchReplyAsync(path, handler, cancellationToken).ConfigureAwait(false);
        reply.GetValueOrThrow(path);
    }

    /// <summary>Stops delivering events of a persistent recursive watch to <paramref name="handler"/>.</summary>
    public void RemovePersistentRecursiveWatch(string path, Action<ZooKeeperWatchEvent> handler) => _session.Watches.RemoveRecursive(path, handler);

    /// <summary>Closes the session: its ephemeral nodes disappear now.</summary>
    public ValueTask DisposeAsync() => _session.DisposeAsync();

    internal async Task<Reply<CreateResponse>> CreateReplyAsync(string path, ReadOnlyMemory<byte> data, CreateMode mode, IReadOnlyList<ZooKeeperAcl>? acl, bool createParents, CancellationToken cancellationToken)
    {
        var request = NewCreate(path, data, mode, acl);
        var reply = await SendAsync(request, CreateParser(request.Type), cancellationToken).ConfigureAwait(false);
        if (reply.Error != ZooKeeperErrorCode.NoNode || !createParents)
        {
            return reply;
        }

        // Pipelined: every missing ancestor, then the node, in one burst on one connection.
        var connection = await _session.GetConnectionAsync(cancellationToken).ConfigureAwait(false);
        var parents = new List<Task<Reply<CreateResponse>>>();
        var parent = ParentOf(path);
        var chain = new List<string>();
        while (parent != "/")
        {
            chain.Insert(0, parent);
            parent = ParentOf(parent);
        }

        foreach (var p in chain)
        {
            parents.Add(connection.SendAsync(new CreateRequest(OpCode.Create, ToServerPath(p), ReadOnlyMemory<byte>.Empty, acl ?? _defaultAcl, CreateMode.Persistent), CreateResponse.ReadCreate));
        }

        var last = connection.SendAsync(request, CreateParser(request.Type));
        foreach (var t in parents)
        {
            var r = await t.WaitAsync(Options.RequestTimeout, cancellationToken).ConfigureAwait(false);
            if (r.Error is not ZooKeeperErrorCode.Ok and not ZooKeeperErrorCode.NodeExists)
            {
                throw new ZooKeeperException(r.Error, path);
            }
        }

        return await last.WaitAsync(Options.RequestTimeout, cancellationToken).ConfigureAwait(false);
    }

    internal async Task<Reply<GetDataResponse>> GetDataReplyAsync(string path, Action<ZooKeeperWatchEvent>? watcher, CancellationToken cancellationToken)
    {
        if (watcher is not null)
        {
            _session.Watches.AddData(path, watcher);
        }

        var reply = await SendAsync(new GetDataRequest(ToServerPath(path), watcher is not null), GetDataResponse.Read, cancellationToken).ConfigureAwait(false);
        if (watcher is not null && !reply.Ok)
        {
            _session.Watches.RemoveData(path, watcher);
        }

        return reply;
    }

    internal async Task<Reply<GetChildren2Response>> GetChildrenReplyAsync(string path, Action<ZooKeeperWatchEvent>? watcher, CancellationToken cancellationToken)
    {
        if (watcher is not null)
        {
            _session.Watches.AddChild(path, watcher);
        }

        var reply = await SendAsync(new GetChildren2Request(ToServerPath(path), watcher is not null), GetChildren2Response.Read, cancellationToken).ConfigureAwait(false);
        if (watcher is not null && !reply.Ok)
        {
            _session.Watches.RemoveChild(path, watcher);
        }

        return reply;
    }

    internal async Task<Reply<bool>> AddRecursiveWatchReplyAsync(string path, Action<ZooKeeperWatchEvent> handler, CancellationToken cancellationToken)
    {
        _session.Watches.AddRecursive(path, handler);
        try
        {
            var reply = await SendAsync(new AddWatchRequest(ToServerPath(path), AddWatchRequest.PersistentRecursive), NoBody, cancellationToken).ConfigureAwait(false);
            if (!reply.Ok)
            {
                _session.Watches.RemoveRecursive(path, handler);
            }

            return reply;
        }
        catch
        {
            _session.Watches.RemoveRecursive(path, handler);
            throw;
        }
    }

    /// <summary>Sends on the current connection without waiting, so the request keeps its place relative to the caller (used from watch handlers).</summary>
    internal Task<Reply<T>> SendNow<T>(IJuteRequest request, ResponseParser<T> parser) => _session.SendNow(request, parser);

    internal Task<Reply<T>> SendAsync<T>(IJuteRequest request, ResponseParser<T> parser, CancellationToken cancellationToken)
    {
        EnsureStarted();
        return _session.SendAsync(request, parser, cancellationToken);
    }

    internal string ToServerPath(string path)
    {
        if (string.IsNullOrEmpty(path) || path[0] != '/')
        {
            throw new ArgumentException($"ZooKeeper path '{path}' must be absolute.", nameof(path));
        }

        return _chroot.Length == 0 ? path : path == "/" ? _chroot : _chroot + path;
    }

    internal string ToClientPath(string serverPath) =>
        _chroot.Length == 0 || !serverPath.StartsWith(_chroot, StringComparison.Ordinal) ? serverPath
        : serverPath.Length == _chroot.Length ? "/" : serverPath[_chroot.Length..];

    internal CreateRequest NewCreate(string path, ReadOnlyMemory<byte> data, CreateMode mode, IReadOnlyList<ZooKeeperAcl>? acl) =>
        new(mode == CreateMode.Container ? OpCode.CreateContainer : OpCode.Create, ToServerPath(path), data, acl ?? _defaultAcl, mode);

    private static ResponseParser<CreateResponse> CreateParser(OpCode type) =>
        type == OpCode.Create ? CreateResponse.ReadCreate : CreateResponse.ReadCreate2;

    private static string ParentOf(string path)
    {
        int i = path.LastIndexOf('/');
        return i <= 0 ? "/" : path[..i];
    }

    private IJuteRequest ToRequest(ZooKeeperOperation op) => op.Kind switch
    {
        ZooKeeperOperationKind.Create => new CreateRequest(OpCode.Create, ToServerPath(op.Path), op.Data, op.Acl ?? _defaultAcl, op.Mode),
        ZooKeeperOperationKind.Delete => new DeleteRequest(ToServerPath(op.Path), op.Version),
        ZooKeeperOperationKind.SetData => new SetDataRequest(ToServerPath(op.Path), op.Data, op.Version),
        _ => new CheckVersionRequest(ToServerPath(op.Path), op.Version),
    };

    private void EnsureStarted()
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _session.Start();
        }
    }
}
