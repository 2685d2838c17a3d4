using System.Globalization;
using System.Net;

namespace Tend.Core.Dns;

/// <summary>
/// What the resolver needs of <c>/etc/resolv.conf</c> (resolv.conf(5)): the name servers in order, the
/// search list, <c>ndots</c>, and the per-query timeout and attempts. Unknown lines are ignored, as the
/// C library does.
/// </summary>
internal sealed record ResolvConf(IReadOnlyList<IPEndPoint> Servers, IReadOnlyList<string> Search, int Ndots, TimeSpan Timeout, int Attempts)
{
    /// <summary>Reads the lines of a resolv.conf; what they do not say takes the C library's default (5 s, 2 attempts, ndots 1, the local server).</summary>
    public static ResolvConf Parse(IEnumerable<string> lines)
    {
        var servers = new List<IPEndPoint>();
        IReadOnlyList<string> search = [];
        int ndots = 1, timeout = 5, attempts = 2;
        foreach (var line in lines)
        {
            var parts = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 2 || parts[0].StartsWith('#') || parts[0].StartsWith(';'))
            {
                continue;
            }

            switch (parts[0])
            {
                case "nameserver" when IPAddress.TryParse(parts[1].Split('%')[0], out var ip):
                    servers.Add(new IPEndPoint(ip, 53));
                    break;

                // "domain" and "search" exclude each other: the last one wins.
                case "domain":
                    search = [parts[1].TrimEnd('.')];
                    break;
                case "search":
                    search = [.. parts.Skip(1).Select(d => d.TrimEnd('.')).Where(d => d.Length > 0)];
                    break;
                case "options":
                    foreach (var option in parts.Skip(1))
                    {
                        ndots = Option(option, "ndots:", ndots, 15);
                        timeout = Option(option, "timeout:", timeout, 30);
                        attempts = Option(option, "attempts:", attempts, 5);
                    }

                    break;
            }
        }

        if (servers.Count == 0)
        {
            // resolv.conf's own default when it names no server.
            servers.Add(new IPEndPoint(IPAddress.Loopback, 53));
        }

        return new ResolvConf(servers, search, ndots, TimeSpan.FromSeconds(Math.Max(1, timeout)), Math.Max(1, attempts));
    }

    /// <summary>
    /// The names to ask for <paramref name="name"/>, in order: a name ending in a dot as it is; a name with at
    /// least <see cref="Ndots"/> dots first as it is, then with each search domain; a shorter one the other way round.
    /// </summary>
    public IReadOnlyList<string> Candidates(string name)
    {
        if (name.EndsWith('.'))
        {
            return [name.TrimEnd('.')];
        }

        var searched = Search.Select(d => $"{name}.{d}");
        return name.Count(c => c == '.') >= Ndots ? [name, .. searched] : [.. searched, name];
    }

    private static int Option(string option, string prefix, int current, int max) =>
        option.StartsWith(prefix, StringComparison.Ordinal) && int.TryParse(option.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? Math.Min(n, max)
            : current;
}
