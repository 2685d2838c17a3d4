using System.Net;

namespace Tend.Core.Config;

/// <summary>The <c>[http]</c> section: where the HTTP API listens, the token its writes need, and the host names it answers to.</summary>
public sealed record HttpOptions
{
    /// <summary><c>host:port</c>; <c>null</c> disables the HTTP API. Binds to 127.0.0.1 unless a host is given.</summary>
    public string? Listen { get; init; }

    /// <summary>Bearer token required by writes (<c>/putall</c>); <c>null</c> refuses every write.</summary>
    public string? Token { get; init; }

    /// <summary>
    /// The names a request's <c>Host</c> header may carry (<c>[http] allowed_hosts</c>): exact names,
    /// <c>*.example.com</c>, or <c>*</c> for any. <c>null</c>: IP addresses, <c>localhost</c>, the
    /// listen host and this machine's name. Other names are refused, so a web page whose DNS name was
    /// rebound to this address cannot read or write the API through a browser.
    /// </summary>
    public IReadOnlyList<string>? AllowedHosts { get; init; }

    /// <summary>True when <paramref name="pattern"/> is a valid <c>allowed_hosts</c> entry.</summary>
    public static bool IsHostPattern(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        if (pattern == "*")
        {
            return true;
        }

        var name = pattern.StartsWith("*.", StringComparison.Ordinal) ? pattern[2..] : pattern;
        if (IPAddress.TryParse(name.Trim('[', ']'), out _))
        {
            return !pattern.StartsWith('*');
        }

        return name.Length is > 0 and <= 253
            && name.Split('.').All(label => label.Length is > 0 and <= 63 && label.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'));
    }

    /// <inheritdoc />
    public bool Equals(HttpOptions? other) =>
        other is not null
        && Listen == other.Listen
        && Token == other.Token
        && (AllowedHosts ?? []).SequenceEqual(other.AllowedHosts ?? [], StringComparer.OrdinalIgnoreCase)
        && (AllowedHosts is null) == (other.AllowedHosts is null);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Listen, Token, AllowedHosts?.Count);
}
