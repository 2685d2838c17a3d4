using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Tend.Core.Kv;
using Tend.Stores.Etcd;
using Tend.Testing;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Cli.Tests;

/// <summary><c>tend hosts</c> and the <c>/getall</c> <c>/putall</c> API against a real etcd, through a real HttpClient.</summary>
public sealed class HostsApiTests(EtcdServer etcd) : IClassFixture<EtcdServer>, IAsyncLifetime, IDisposable
{
    private const string Token = "0123456789abcdef0123456789";
    private readonly string _dir = Directory.CreateTempSubdirectory("tend-hosts-").FullName;
    private readonly string _prefix = "/hosts-it-" + Guid.NewGuid().ToString("N")[..8];
    private readonly int _port = FreePort.Next();
    private TendProcess? _run;
    private HttpClient? _http;

    private HttpClient Http => _http!;

    public async Task InitializeAsync()
    {
        var config = Path.Combine(_dir, "tend.toml");
        await File.WriteAllTextAsync(config, $"""
            [store]
            kind = "etcd"
            endpoints = ["{etcd.ClientUrl}"]
            prefix = "{_prefix}"

            [http]
            listen = "127.0.0.1:{_port}"
            token = "{Token}"
            """);
        _run = TendProcess.Start("run", "--config", config);
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_port}"), Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                if ((await _http.GetAsync("/healthz")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(_run.StdErr);
            }

            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        if (_run is not null)
        {
            await _run.DisposeAsync();
        }
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task HostsAdd_ThenGetall_SortedObjectAndListForm()
    {
        var (code, _, err) = await TendProcess.RunAsync(null, "hosts", "add", "800", "801", "--store", "etcd", "--endpoint", etcd.ClientUrl, "--prefix", _prefix, "--state", "hbout");
        Assert.True(code == 0, err);

        var all = await Http.GetStringAsync("/getall");
        Assert.Equal("""{"site-extapi-800":"hbout","site-extapi-801":"hbout","site-papi-800":"hbout","site-papi-801":"hbout","site-web-800":"hbout","site-web-801":"hbout"}""", all);
        var list = await Http.GetStringAsync("/getall?format=list");
        Assert.StartsWith("""[{"Name":"site-extapi-800","State":"hbout"},""", list, StringComparison.Ordinal);

        var (listCode, stdout, _) = await TendProcess.RunAsync(null, "hosts", "list", "--type", "web", "--store", "etcd", "--endpoint", etcd.ClientUrl, "--prefix", _prefix);
        Assert.Equal(0, listCode);
        Assert.Equal("site-web-800 hbout\nsite-web-801 hbout\n", stdout);

        var (rmCode, _, _) = await TendProcess.RunAsync(null, "hosts", "remove", "800", "800", "--store", "etcd", "--endpoint", etcd.ClientUrl, "--prefix", _prefix);
        Assert.Equal(0, rmCode);
        Assert.DoesNotContain("800", await Http.GetStringAsync("/getall"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Getall_EtcdDown_LastKnownHostsWithAHeaderSayingAsOfWhichRevision()
    {
        await Seed();
        var before = await Http.GetStringAsync("/getall");

        // The first /getall starts the inventory's mirror; until it has loaded, answers come from the store.
        var loaded = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await MirrorsWatchingAsync())
        {
            Assert.True(DateTime.UtcNow < loaded, "the inventory's mirror did not load in 30 s: " + _run!.StdErr);
            await Task.Delay(100);
        }

        etcd.Kill();
        try
        {
            using var response = await Http.GetAsync("/getall");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}\n{_run!.StdErr}");
            Assert.Equal(before, await response.Content.ReadAsStringAsync());
            Assert.True(response.Headers.TryGetValues("X-Tend-Stale", out var stale), "no X-Tend-Stale header");
            Assert.Contains("as of revision", string.Join(" ", stale), StringComparison.Ordinal);
        }
        finally
        {
            await etcd.RestartAsync();
        }

        // Once the client has reconnected, answers are confirmed current again.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            using var after = await Http.GetAsync("/getall");
            if (!after.Headers.Contains("X-Tend-Stale"))
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, "/getall still stale 30 s after etcd came back");
            await Task.Delay(200);
        }
    }

    [Theory]
    [InlineData("{\"site-web-1\": ", "malformed JSON")]
    [InlineData("[\"site-web-1\"]", "must be a JSON object")]
    [InlineData("{\"site-web-1\": 5}", "must be a string")]
    [InlineData("{\"site-web-1\": {\"x\": 1}}", "must be a string")]
    [InlineData("{\"web-1\": \"up\"}", "does not match")]
    [InlineData("{\"site-web-1\": \"up\", \"site-web-1\": \"down\"}", "appears twice")]
    [InlineData("{\"site-web-1\": \"\"}", "1 to 256")]
    public async Task Putall_BadInput_400AndNothingWritten(string body, string reason)
    {
        await Seed();
        var before = await Snapshot();
        var response = await Put(body, Token);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(reason, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, await Snapshot());
    }

    [Fact]
    public async Task Putall_OversizedBody_400AndNothingWritten()
    {
        await Seed();
        var before = await Snapshot();
        var huge = "{\"site-web-1\": \"" + new string('x', 5 * 1024 * 1024) + "\"}";
        var response = await Put(huge, Token);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(before, await Snapshot());
    }

    [Fact]
    public async Task Putall_NoOrWrongToken_401Or403AndNothingWritten()
    {
        await Seed();
        var before = await Snapshot();
        Assert.Equal(HttpStatusCode.Unauthorized, (await Put("{\"site-web-1\": \"up\"}", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Put("{\"site-web-1\": \"up\"}", "not-the-token-at-all")).StatusCode);
        Assert.Equal(before, await Snapshot());
    }

    [Fact]
    public async Task Putall_HundredHosts_ReplacesTreeSeenAsOneRevision()
    {
        await Seed();
        await using var observer = new EtcdKvStore(new KvStoreOptions { Kind = "etcd", Endpoints = [etcd.ClientUrl] });
        var start = await observer.ListAsync(_prefix + "/site");
        await using var watch = new WatchReader(observer, _prefix + "/site", start.Revision + 1, TimeSpan.FromSeconds(15));

        var hosts = Enumerable.Range(1, 100).ToDictionary(i => $"site-web-{i}", i => i % 2 == 0 ? "active" : "hbout");
        var response = await Put(JsonSerializer.Serialize(hosts), Token);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());

        // The seeded host site-papi-1 is deleted, 100 hosts are put and the guard at the root rewritten: 102 changes, one revision.
        var changes = await watch.TakeChangesAsync(102);
        Assert.Single(changes.Select(c => c.Revision).Distinct());
        using var doc = JsonDocument.Parse(await Http.GetStringAsync("/getall"));
        Assert.Equal(100, doc.RootElement.EnumerateObject().Count());
        Assert.Equal("active", doc.RootElement.GetProperty("site-web-2").GetString());
    }

    [Theory]
    [InlineData(129)]
    [InlineData(1000)]
    [InlineData(10_000)]
    public async Task Putall_MoreHostsThanEtcdsDefaultTxnLimit_ExactTreeThenNoOpWritesNothing(int count)
    {
        await Seed();
        var hosts = Enumerable.Range(1, count).ToDictionary(i => $"site-web-{i}", i => i % 3 == 0 ? "active" : "hbout");

        var first = await Put(JsonSerializer.Serialize(hosts), Token);

        Assert.True(first.StatusCode == HttpStatusCode.OK, await first.Content.ReadAsStringAsync());
        using var answer = JsonDocument.Parse(await first.Content.ReadAsStringAsync());
        Assert.Equal((count, count, 1), (answer.RootElement.GetProperty("hosts").GetInt32(), answer.RootElement.GetProperty("puts").GetInt32(), answer.RootElement.GetProperty("deletes").GetInt32()));
        var all = JsonSerializer.Deserialize<Dictionary<string, string>>(await Http.GetStringAsync("/getall"))!;
        Assert.Equal(hosts.OrderBy(h => h.Key, StringComparer.Ordinal), all.OrderBy(h => h.Key, StringComparer.Ordinal));

        var again = await Put(JsonSerializer.Serialize(hosts), Token);
        using var noop = JsonDocument.Parse(await again.Content.ReadAsStringAsync());
        Assert.Equal((0, 0, 0), (noop.RootElement.GetProperty("puts").GetInt32(), noop.RootElement.GetProperty("deletes").GetInt32(), noop.RootElement.GetProperty("transactions").GetInt32()));
        Assert.Equal(answer.RootElement.GetProperty("revision").GetInt64(), noop.RootElement.GetProperty("revision").GetInt64());
    }

    [Fact]
    public async Task Putall_FourJournaledReplacesAtOnce_TreeIsExactlyOneOfThem()
    {
        var bodies = Enumerable.Range(0, 4)
            .Select(n => Enumerable.Range(1, 300 + (50 * n)).ToDictionary(i => $"site-web-{i}", i => $"s{n}"))
            .ToList();

        var answers = await Task.WhenAll(bodies.Select(b => Put(JsonSerializer.Serialize(b), Token)));

        foreach (var a in answers)
        {
            Assert.True(a.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict, $"{a.StatusCode}: {await a.Content.ReadAsStringAsync()}");
        }

        await using var store = new EtcdKvStore(new KvStoreOptions { Kind = "etcd", Endpoints = [etcd.ClientUrl] });
        var inventory = new Tend.Modules.Hooks.Inventory.HostInventory(new Tend.Modules.Hooks.Inventory.HostInventoryOptions { Root = _prefix + "/site" });
        var tree = await store.ListAsync(_prefix + "/site");
        Assert.True(inventory.GuardIn(tree) is { Applying: false });
        var all = inventory.Read(tree).Hosts.ToDictionary(h => h.Name, h => h.State);
        Assert.Contains(bodies, b => b.Count == all.Count && b.All(h => all.TryGetValue(h.Key, out var v) && v == h.Value));
    }

    [Fact]
    public async Task HostsAdd_SeventyOrdinalsOfThreeTypes_AllTwoHundredTenOnDefaultEtcd()
    {
        var (code, _, err) = await TendProcess.RunAsync(null, "hosts", "add", "1", "70", "--store", "etcd", "--endpoint", etcd.ClientUrl, "--prefix", _prefix);
        Assert.True(code == 0, err);
        Assert.Contains("added 210 hosts", err, StringComparison.Ordinal);

        var (listCode, stdout, listErr) = await TendProcess.RunAsync(null, "hosts", "list", "--store", "etcd", "--endpoint", etcd.ClientUrl, "--prefix", _prefix);
        Assert.True(listCode == 0, listErr);
        Assert.Equal(210, stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.DoesNotContain("ignored", listErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Putall_NonHostKeysUnderTheRoot_LeftAlone()
    {
        await using var store = new EtcdKvStore(new KvStoreOptions { Kind = "etcd", Endpoints = [etcd.ClientUrl] });
        await store.PutAsync(_prefix + "/site/meta/owner/name", "ops-team");
        await store.PutAsync(_prefix + "/site/web", "type-level value");
        await store.PutAsync(_prefix + "/site/web/1", "hbout");

        var response = await Put("{}", Token);

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Assert.Equal("ops-team", (await store.GetAsync(_prefix + "/site/meta/owner/name"))?.Value);
        Assert.Equal("type-level value", (await store.GetAsync(_prefix + "/site/web"))?.Value);
        Assert.Null(await store.GetAsync(_prefix + "/site/web/1"));
    }

    [Theory]
    [InlineData(new byte[] { (byte)'{', (byte)'"', (byte)'s', 0xff, (byte)'"', (byte)':', (byte)'"', (byte)'u', (byte)'p', (byte)'"', (byte)'}' }, "not valid UTF-8 (byte 3")]
    [InlineData(new byte[] { (byte)'{', (byte)'"', 0xed, 0xa0, 0x80, (byte)'"', (byte)':', (byte)'"', (byte)'u', (byte)'p', (byte)'"', (byte)'}' }, "not valid UTF-8 (byte 2")]
    public async Task Putall_InvalidUtf8Bytes_400WithTheOffsetAndNothingWritten(byte[] body, string reason)
    {
        await Seed();
        var before = await Snapshot();
        var response = await PutBytes(body, Token);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(reason, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, await Snapshot());
    }

    [Theory]
    [InlineData("{\"site-web-1\": \"\\ud800\"}", "host \\u0022site-web-1\\u0022: the state at byte")]
    [InlineData("{\"site-web-\\udc00\": \"up\"}", "a host name at byte 1 is not valid Unicode")]
    public async Task Putall_EscapedLoneSurrogate_400WithTheReasonAndNothingWritten(string body, string reason)
    {
        await Seed();
        var before = await Snapshot();
        var response = await Put(body, Token);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
        Assert.Contains(reason, text, StringComparison.Ordinal);
        Assert.Contains("lone surrogate", text, StringComparison.Ordinal);
        Assert.Equal(before, await Snapshot());
    }

    [Theory]
    [InlineData("bearer")]
    [InlineData("BEARER")]
    [InlineData("Bearer")]
    public async Task Putall_BearerSchemeInAnyCase_Accepted(string scheme)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "/putall") { Content = new StringContent("{\"site-web-1\": \"up\"}", Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Authorization", $"{scheme} {Token}");
        var response = await Http.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("evil.example.com", HttpStatusCode.MisdirectedRequest)]
    [InlineData("rebound.attacker.test:80", HttpStatusCode.MisdirectedRequest)]
    [InlineData("127.0.0.1", HttpStatusCode.OK)]
    [InlineData("localhost", HttpStatusCode.OK)]
    [InlineData("[::1]", HttpStatusCode.OK)]
    public async Task Request_HostHeader_OnlyKnownNamesAndAddressesAnswered(string host, HttpStatusCode expected)
    {
        foreach (var path in new[] { "/getall", "/status" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Host = host;
            var response = await Http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == expected, $"{path}: {(int)response.StatusCode} {text}");
            if (expected != HttpStatusCode.OK)
            {
                Assert.Contains("allowed_hosts", text, StringComparison.Ordinal);
            }
        }
    }

    private async Task<bool> MirrorsWatchingAsync()
    {
        using var status = JsonDocument.Parse(await Http.GetStringAsync("/status"));
        var mirrors = status.RootElement.GetProperty("mirrors");
        return mirrors.GetArrayLength() > 0 && mirrors.EnumerateArray().All(m => m.GetProperty("state").GetString() == "watching");
    }

    private async Task Seed()
    {
        await using var store = new EtcdKvStore(new KvStoreOptions { Kind = "etcd", Endpoints = [etcd.ClientUrl] });
        await store.PutAsync(_prefix + "/site/papi/1", "active");
    }

    private async Task<string> Snapshot()
    {
        await using var store = new EtcdKvStore(new KvStoreOptions { Kind = "etcd", Endpoints = [etcd.ClientUrl] });
        var s = await store.ListAsync(_prefix);
        return string.Join("\n", s.Select(p => $"{p.Key}={p.Value}"));
    }

    private async Task<HttpResponseMessage> PutBytes(byte[] body, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "/putall") { Content = new ByteArrayContent(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await Http.SendAsync(request);
    }

    private async Task<HttpResponseMessage> Put(string body, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "/putall") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await Http.SendAsync(request);
    }
}
