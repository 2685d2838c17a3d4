using System.Globalization;

namespace Tend.Stores.ZooKeeper.Session;

/// <summary>A parsed <c>host:port[,host:port...][/chroot]</c>.</summary>
internal sealed record ConnectString(IReadOnlyList<(string Host, int Port)> Hosts, string Chroot)
{
    public const int DefaultPort = 2181;

    public static ConnectString Parse(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        var text = value.Trim();
        foreach (var scheme in new[] { "zk://", "zookeeper://" })
        {
            if (text.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            {
                text = text[scheme.Length..];
            }
        }

        string chroot = string.Empty;
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            chroot = text[slash..].TrimEnd('/');
            text = text[..slash];
        }

        var hosts = new List<(string, int)>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int colon = part.LastIndexOf(':');
            if (colon > 0 && !part.EndsWith(']'))
            {
                var portText = part[(colon + 1)..];
                if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
                {
                    throw new FormatException($"ZooKeeper connect string '{value}': '{portText}' is not a port.");
                }

                hosts.Add((part[..colon].Trim('[', ']'), port));
            }
            else
            {
                hosts.Add((part.Trim('[', ']'), DefaultPort));
            }
        }

        if (hosts.Count == 0)
        {
            throw new FormatException($"ZooKeeper connect string '{value}' names no server.");
        }

        return new ConnectString(hosts, chroot);
    }
}
