namespace Tend.Core.Config;

/// <summary>The <c>[http]</c> section: where the HTTP API listens and the token its writes need.</summary>
public sealed record HttpOptions
{
    /// <summary><c>host:port</c>; <c>null</c> disables the HTTP API. Binds to 127.0.0.1 unless a host is given.</summary>
    public string? Listen { get; init; }

    /// <summary>Bearer token required by writes (<c>/putall</c>); <c>null</c> refuses every write.</summary>
    public string? Token { get; init; }
}
