using System.Net;
using Microsoft.AspNetCore.Http;
using Tend.Core.Config;

namespace Tend.Daemon;

/// <summary>
/// Refuses requests whose <c>Host</c> header names a host the API does not answer to (421): a page
/// whose DNS name an attacker rebinds to this address would otherwise read <c>/getall</c> and
/// <c>/status</c> from a browser on this machine or network. IP literals are always accepted (a
/// rebinding page cannot present one); names come from <c>[http] allowed_hosts</c>, or by default
/// <c>localhost</c>, the listen host and this machine's name.
/// </summary>
internal sealed class HostHeaderFilter
{
    private readonly bool _any;
    private readonly HashSet<string> _names = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _suffixes = [];

    private HostHeaderFilter(bool any)
    {
        _any = any;
    }

    /// <summary>What a refused request is told.</summary>
    public string Describe(string host) =>
        $"Host \"{host}\" is not one this API answers to; add it to [http] allowed_hosts (now: {string.Join(", ", _names.Concat(_suffixes.Select(s => "*" + s)).Order(StringComparer.Ordinal))})";

    /// <summary>The filter for <paramref name="options"/>, listening on <paramref name="listenHost"/>.</summary>
    public static HostHeaderFilter Create(HttpOptions options, string listenHost)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.AllowedHosts is { } allowed)
        {
            var filter = new HostHeaderFilter(allowed.Contains("*"));
            foreach (var pattern in allowed.Where(p => p != "*"))
            {
                filter.Add(pattern);
            }

            return filter;
        }

        var defaults = new HostHeaderFilter(any: false);
        defaults.Add("localhost");
        defaults.Add("*.localhost");
        defaults.Add(listenHost);
        try
        {
            defaults.Add(Dns.GetHostName());
        }
        catch (System.Net.Sockets.SocketException)
        {
            // No host name: the defaults above remain.
        }

        return defaults;
    }

    /// <summary>True when a request with <paramref name="host"/> may be answered.</summary>
    public bool Allows(HostString host)
    {
        if (_any || !host.HasValue)
        {
            // HTTP/1.0 without Host: no browser sends that.
            return true;
        }

        var name = host.Host.Trim('[', ']').TrimEnd('.');
        if (IPAddress.TryParse(name, out _) || _names.Contains(name))
        {
            return true;
        }

        foreach (var suffix in _suffixes)
        {
            if (name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private void Add(string pattern)
    {
        if (pattern.StartsWith("*.", StringComparison.Ordinal))
        {
            _suffixes.Add(pattern[1..].TrimEnd('.'));
        }
        else if (pattern.Length > 0)
        {
            _names.Add(pattern.Trim('[', ']').TrimEnd('.'));
        }
    }
}
