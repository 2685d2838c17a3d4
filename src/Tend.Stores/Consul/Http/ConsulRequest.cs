namespace Tend.Stores.Consul.Http;

/// <summary>One HTTP request to Consul's API, before the connection adds the endpoint, token, datacenter and consistency.</summary>
internal sealed record ConsulRequest
{
    public required HttpMethod Method { get; init; }

    /// <summary>The escaped path, e.g. <c>/v1/kv/app/x</c>.</summary>
    public required string Path { get; init; }

    /// <summary>Query parameters; a null value is a bare flag (<c>?recurse</c>).</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> Query { get; init; } = [];

    public byte[]? Body { get; init; }

    /// <summary>Safe to send again elsewhere after it may have reached a server (reads, session renewals).</summary>
    public bool Idempotent { get; init; }

    /// <summary>A read: carries the configured consistency mode.</summary>
    public bool IsRead { get; init; }

    /// <summary>A read that must be consistent (<c>?consistent</c>) whatever the configured mode.</summary>
    public bool Consistent { get; init; }

    /// <summary>A read answered by the leader even when the configured mode is <c>stale</c> (Consul's default mode at least).</summary>
    public bool NotStale { get; init; }

    /// <summary>Addressed to a datacenter (<c>?dc=</c>); agent endpoints are not.</summary>
    public bool UsesDatacenter { get; init; } = true;

    /// <summary>For a blocking query: how long the server may hold it (the request timeout grows by this).</summary>
    public TimeSpan? BlockingWait { get; init; }

    /// <summary>What the request does, for messages (<c>reading app/x</c>).</summary>
    public required string What { get; init; }

    /// <summary>Hand every HTTP answer but an ACL refusal back to the caller (agent calls that read Consul's own errors).</summary>
    public bool ReturnErrors { get; init; }

    /// <summary>Only this endpoint (a blocking query stays on the endpoint whose index it carries).</summary>
    public Uri? Endpoint { get; init; }
}
