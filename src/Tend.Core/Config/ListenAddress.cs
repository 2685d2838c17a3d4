using System.Globalization;

namespace Tend.Core.Config;

/// <summary>Parses <c>host:port</c> listen addresses; a missing host means 127.0.0.1 (loopback by default, never all interfaces by accident).</summary>
public static class ListenAddress
{
    /// <summary>Splits <paramref name="text"/> into host and port.</summary>
    public static bool TryParse(string text, out string host, out int port)
    {
        host = "127.0.0.1";
        port = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        int colon = text.LastIndexOf(':');
        if (colon < 0)
        {
            return false;
        }

        var h = text[..colon].Trim('[', ']');
        if (!int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 0 or > 65535)
        {
            return false;
        }

        if (h.Length > 0)
        {
            host = h;
        }

        return true;
    }
}
