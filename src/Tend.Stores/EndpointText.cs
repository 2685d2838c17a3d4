namespace Tend.Stores;

/// <summary>
/// An endpoint as a store shows it in its name — in logs, <c>/status</c>, the status page and error
/// messages. A password written into the URL (<c>http://user:secret@host:2379</c>) is replaced by
/// <c>***</c>; the user name stays, so an operator can still tell which credentials are in use.
/// </summary>
internal static class EndpointText
{
    public static string Redact(string endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        int scheme = endpoint.IndexOf("://", StringComparison.Ordinal);
        int start = scheme < 0 ? 0 : scheme + 3;
        int end = endpoint.IndexOfAny(['/', '?', '#'], start);
        var authority = end < 0 ? endpoint.AsSpan(start) : endpoint.AsSpan(start, end - start);
        int at = authority.LastIndexOf('@');
        if (at < 0)
        {
            return endpoint;
        }

        var userInfo = authority[..at];
        int colon = userInfo.IndexOf(':');
        string shownUser = colon < 0 ? userInfo.ToString() : userInfo[..colon].ToString() + ":***";
        return string.Concat(endpoint.AsSpan(0, start), shownUser, endpoint.AsSpan(start + at));
    }

    /// <summary>The endpoints joined with commas, each redacted.</summary>
    public static string Join(IEnumerable<string> endpoints) => string.Join(',', endpoints.Select(Redact));
}
