using System.Text.RegularExpressions;
using Xunit;

namespace Tend.Testing.Servers;

/// <summary>A three-member etcd cluster on loopback, for leader-failure tests.</summary>
public sealed partial class EtcdCluster : IAsyncLifetime
{
    private readonly string _dataRoot = Path.Combine(Path.GetTempPath(), "tend-etcd3-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly List<EtcdMemberProcess> _members = [];

    public IReadOnlyList<EtcdMemberProcess> Members => _members;

    public IReadOnlyList<string> ClientUrls => [.. _members.Select(m => m.ClientUrl)];

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dataRoot);
        var ports = Enumerable.Range(0, 3).Select(i => (Name: "m" + i, Client: FreePort.Next(), Peer: FreePort.Next())).ToList();
        var initial = string.Join(',', ports.Select(p => $"{p.Name}=http://127.0.0.1:{p.Peer}"));
        foreach (var p in ports)
        {
            var m = new EtcdMemberProcess(p.Name, Path.Combine(_dataRoot, p.Name), p.Client, p.Peer, initial);
            _members.Add(m);
            m.Start();
        }

        await Task.WhenAll(_members.Select(m => m.WaitHealthyAsync(TimeSpan.FromSeconds(40)))).ConfigureAwait(false);
    }

    /// <summary>The member that currently leads (asks each running member who the leader is).</summary>
    public async Task<EtcdMemberProcess> LeaderAsync()
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(3) };
        for (int attempt = 0; attempt < 50; attempt++)
        {
            foreach (var m in _members.Where(m => m.IsRunning))
            {
                try
                {
                    using var content = new StringContent("{}");
                    var answer = await http.PostAsync(new Uri(m.ClientUrl + "/v3/maintenance/status"), content).ConfigureAwait(false);
                    var text = await answer.Content.ReadAsStringAsync().ConfigureAwait(false);
                    var self = MemberId().Match(text);
                    var leader = LeaderId().Match(text);
                    if (self.Success && leader.Success && self.Groups[1].Value == leader.Groups[1].Value)
                    {
                        return m;
                    }
                }
                catch (HttpRequestException)
                {
                }
            }

            await Task.Delay(100).ConfigureAwait(false);
        }

        throw new TimeoutException("No etcd member reports being the leader.");
    }

    public Task DisposeAsync()
    {
        foreach (var m in _members)
        {
            m.Dispose();
        }

        try
        {
            Directory.Delete(_dataRoot, recursive: true);
        }
        catch (IOException)
        {
        }

        return Task.CompletedTask;
    }

    [GeneratedRegex("\"member_id\":\"(\\d+)\"")]
    private static partial Regex MemberId();

    [GeneratedRegex("\"leader\":\"(\\d+)\"")]
    private static partial Regex LeaderId();
}
