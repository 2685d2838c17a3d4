using System.Net;
using Tend.Core.Kv;
using Tend.Core.Mirror;
using Tend.Core.Processes;
using Tend.Modules.Render;
using Tend.Modules.Render.Config;
using Tend.Stores.Etcd;
using Tend.Testing;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Modules.Tests.Render;

/// <summary>
/// A running haproxy as the render target: etcd holds the backend servers, the module checks each
/// staged configuration with <c>haproxy -c</c> and reloads the live master-worker process; two tiny
/// loopback HTTP servers show which backends the running haproxy really sends traffic to.
/// </summary>
public sealed class HaproxyLiveReloadTests(EtcdServer etcd) : IClassFixture<EtcdServer>, IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _root = "/haproxy-it-" + Guid.NewGuid().ToString("N")[..8];

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Watch_ServerAddedThenBrokenValue_LiveHaproxyReloadedThenLeftUntouched()
    {
        using var web1 = new TinyHttpServer("web1");
        using var web2 = new TinyHttpServer("web2");
        int port = FreePort.Next();
        var socket = Path.Combine(_dir.Path, "admin.sock");
        var template = $$$"""
            global
                maxconn 100
                stats socket {{{socket}}} mode 600 level admin
            defaults
                mode http
                timeout connect 5s
                timeout client 30s
                timeout server 30s
            frontend web
                bind 127.0.0.1:{{{port}}}
                default_backend app
            backend app
                balance roundrobin
            {{- range gets "/servers/*"}}
                server {{base .Key}} {{.Value}}
            {{- end}}

            """;
        var options = new KvStoreOptions { Kind = "etcd", Endpoints = [etcd.ClientUrl], RequestTimeout = TimeSpan.FromSeconds(3) };
        await using var store = new EtcdKvStore(options);
        await store.PutAsync($"{_root}/servers/web1", web1.Address);
        var resource = new RenderResourceOptions
        {
            Id = "haproxy",
            Source = _dir.File("haproxy.cfg.tmpl", template),
            Destination = _dir.File("etc/haproxy.cfg"),
            Keys = ["/servers"],
            Prefix = _root,
            CheckCommand = $"{HaproxyProcess.Binary} -c -q -f {{{{.src}}}}",
        };

        // The first install, before haproxy runs; then haproxy starts on it.
        await using (var install = RenderModule.Create(new RenderOptions { Templates = [resource] }, store, null, ShellCommandRunner.Instance))
        {
            Assert.True(await install.RunOnceAsync(), install.Status[0].LastError);
        }

        await using var haproxy = await HaproxyProcess.StartAsync(resource.Destination, socket);
        Assert.Equal(["web1 " + web1.Address], await haproxy.ServersAsync("app"));
        Assert.Equal(["web1"], await ServedByAsync(port));
        int firstWorker = await haproxy.WorkerPidAsync();

        resource = resource with { ReloadCommand = haproxy.ReloadCommand };
        await using var mirrors = new KvMirrorSet(store);
        await using var module = RenderModule.Create(new RenderOptions { Templates = [resource] }, store, mirrors, ShellCommandRunner.Instance);
        module.Start();

        await store.PutAsync($"{_root}/servers/web2", web2.Address);

        await Eventually(async () => (await TryServersAsync(haproxy)).SequenceEqual(["web1 " + web1.Address, "web2 " + web2.Address]));
        await Eventually(async () => (await ServedByAsync(port)).SequenceEqual(["web1", "web2"]));
        int reloadedWorker = await haproxy.WorkerPidAsync();
        Assert.NotEqual(firstWorker, reloadedWorker);
        Assert.Equal(1, module.Status[0].Writes);
        var good = await File.ReadAllBytesAsync(resource.Destination);

        await store.PutAsync($"{_root}/servers/web3", "127.0.0.1:notaport");

        await Eventually(() => Task.FromResult(module.Status[0].Failures >= 1));
        Assert.Contains("check_cmd failed", module.Status[0].LastError, StringComparison.Ordinal);
        Assert.Equal(good, await File.ReadAllBytesAsync(resource.Destination));
        Assert.Equal([resource.Destination], Directory.GetFiles(Path.GetDirectoryName(resource.Destination)!));
        Assert.False(haproxy.HasExited);
        Assert.Equal(reloadedWorker, await haproxy.WorkerPidAsync());
        Assert.Equal(["web1 " + web1.Address, "web2 " + web2.Address], await haproxy.ServersAsync("app"));
        Assert.Equal(["web1", "web2"], await ServedByAsync(port));
        Assert.Equal(1, module.Status[0].Writes);
        Assert.Equal(0, module.Status[0].ReloadFailures);
    }

    /// <summary>The servers list, or none while the socket changes hands during a reload.</summary>
    private static async Task<IReadOnlyList<string>> TryServersAsync(HaproxyProcess haproxy)
    {
        try
        {
            return await haproxy.ServersAsync("app");
        }
        catch (InvalidOperationException)
        {
            return [];
        }
    }

    /// <summary>Which backends answer six requests through haproxy (round robin reaches each of up to three).</summary>
    private static async Task<IReadOnlyList<string>> ServedByAsync(int port)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var seen = new SortedSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < 6; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/");
            request.Headers.ConnectionClose = true;
            try
            {
                using var response = await http.SendAsync(request);
                seen.Add(response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync() : $"status {(int)response.StatusCode}");
            }
            catch (HttpRequestException ex)
            {
                seen.Add(ex.Message);
            }
        }

        return [.. seen];
    }

    private static Task Eventually(Func<Task<bool>> condition) => Poll.UntilAsync(condition, TimeSpan.FromSeconds(30));

    /// <summary>A loopback HTTP server that answers every request with its name.</summary>
    private sealed class TinyHttpServer : IDisposable
    {
        private readonly HttpListener _listener = new();

        public TinyHttpServer(string name)
        {
            int port = FreePort.Next();
            Address = $"127.0.0.1:{port}";
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            _listener.Start();
            _ = ServeAsync(name);
        }

        public string Address { get; }

        public void Dispose() => _listener.Close();

        private async Task ServeAsync(string name)
        {
            var body = System.Text.Encoding.ASCII.GetBytes(name);
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                context.Response.ContentLength64 = body.Length;
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
        }
    }
}
