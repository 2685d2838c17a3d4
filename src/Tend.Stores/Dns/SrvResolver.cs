using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Tend.Stores.Dns;

/// <summary>
/// Looks up DNS SRV records (which .NET has no API for) with a small UDP client: one query per name
/// server from <c>/etc/resolv.conf</c> until one answers, repeated over TCP when the UDP answer was
/// truncated. Results are ordered by priority, then by weight (heaviest first).
/// </summary>
public sealed class SrvResolver
{
    private readonly IReadOnlyList<IPEndPoint> _servers;
    private readonly TimeSpan _timeout;

    /// <summary>Creates a resolver that asks <paramref name="servers"/> in order.</summary>
    public SrvResolver(IReadOnlyList<IPEndPoint> servers, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(servers);
        if (servers.Count == 0)
        {
            throw new ArgumentException("An SRV resolver needs at least one name server.", nameof(servers));
        }

        _servers = servers;
        _timeout = timeout ?? TimeSpan.FromSeconds(2);
    }

    /// <summary>The name servers asked, in order.</summary>
    internal IReadOnlyList<IPEndPoint> Servers => _servers;

    /// <summary>A resolver using the name servers of <c>/etc/resolv.conf</c> (or <paramref name="resolvConf"/>).</summary>
    public static SrvResolver FromSystem(string resolvConf = "/etc/resolv.conf")
    {
        var servers = new List<IPEndPoint>();
        if (File.Exists(resolvConf))
        {
            foreach (var line in File.ReadLines(resolvConf))
            {
                var parts = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length >= 2 && parts[0] == "nameserver" && IPAddress.TryParse(parts[1].Split('%')[0], out var ip))
                {
                    servers.Add(new IPEndPoint(ip, 53));
                }
            }
        }

        if (servers.Count == 0)
        {
            // resolv.conf's own default when it names no server.
            servers.Add(new IPEndPoint(IPAddress.Loopback, 53));
        }

        return new SrvResolver(servers);
    }

    /// <summary>Resolves the SRV records of <paramref name="name"/> (e.g. <c>_etcd-client._tcp.example.com</c>).</summary>
    /// <exception cref="SrvResolutionException">No server answered, the answer was malformed, or the name has no SRV records.</exception>
    public async Task<IReadOnlyList<SrvRecord>> ResolveAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var errors = new List<string>();
        foreach (var server in _servers)
        {
            try
            {
                var response = await QueryAsync(server, name, cancellationToken).ConfigureAwait(false);
                if (response.ResponseCode == DnsMessage.RcodeNameError)
                {
                    throw new SrvResolutionException($"SRV lookup of {name}: the name does not exist (asked {server}).");
                }

                if (response.ResponseCode != 0)
                {
                    errors.Add($"{server}: response code {response.ResponseCode}");
                    continue;
                }

                if (response.Records.Count == 0)
                {
                    throw new SrvResolutionException($"SRV lookup of {name}: no SRV records (asked {server}).");
                }

                return [.. response.Records.OrderBy(r => r.Priority).ThenByDescending(r => r.Weight)];
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                errors.Add($"{server}: no answer within {_timeout.TotalMilliseconds} ms");
            }
            catch (SocketException ex)
            {
                errors.Add($"{server}: {ex.Message}");
            }
            catch (FormatException ex)
            {
                errors.Add($"{server}: malformed answer ({ex.Message})");
            }
        }

        throw new SrvResolutionException($"SRV lookup of {name} failed: {string.Join("; ", errors)}");
    }

    private async Task<DnsMessage.Response> QueryAsync(IPEndPoint server, string name, CancellationToken cancellationToken)
    {
        ushort id = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue + 1);
        var query = DnsMessage.BuildQuery(id, name);
        using var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        await socket.ConnectAsync(server, timeout.Token).ConfigureAwait(false);
        await socket.SendAsync(query, SocketFlags.None, timeout.Token).ConfigureAwait(false);
        var buffer = new byte[4096];
        while (true)
        {
            int n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).ConfigureAwait(false);
            var response = DnsMessage.ParseResponse(buffer.AsSpan(0, n));

            // An answer with another id is a late reply to someone else's query (or a spoof): ignore it.
            if (response.Id != id)
            {
                continue;
            }

            // Without EDNS a UDP answer stops at 512 bytes; a truncated one is asked again over TCP.
            return response.Truncated ? await QueryTcpAsync(server, query, id, timeout.Token).ConfigureAwait(false) : response;
        }
    }

    private static async Task<DnsMessage.Response> QueryTcpAsync(IPEndPoint server, byte[] query, ushort id, CancellationToken cancellationToken)
    {
        using var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server, cancellationToken).ConfigureAwait(false);
        var framed = new byte[query.Length + 2];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
        query.CopyTo(framed, 2);
        await socket.SendAsync(framed, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        var lengthBytes = new byte[2];
        await ReceiveExactlyAsync(socket, lengthBytes, cancellationToken).ConfigureAwait(false);
        var answer = new byte[System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(lengthBytes)];
        await ReceiveExactlyAsync(socket, answer, cancellationToken).ConfigureAwait(false);
        var response = DnsMessage.ParseResponse(answer);
        if (response.Id != id)
        {
            throw new FormatException("DNS answer over TCP carries another query's id.");
        }

        return response;
    }

    private static async Task ReceiveExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (!buffer.IsEmpty)
        {
            int n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                throw new FormatException("DNS server closed the TCP connection mid-answer.");
            }

            buffer = buffer[n..];
        }
    }
}
