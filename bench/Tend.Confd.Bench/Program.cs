using System.Globalization;
using Tend.Confd.Bench;
using Tend.Core.Kv;
using Tend.Stores.Consul;
using Tend.Stores.Etcd;
using Tend.Testing.Servers;

// Usage: Tend.Confd.Bench race --backend etcdv3|consul --tend PATH --confd PATH [--endpoint URL] [--count 200]
//                             [--rounds 3] [--dir DIR] [--tend-config FILE] [--check-cmd CMD] [--alone]
// put → rendered file, `tend render` and confd side by side on the same store and the same changes (see RenderRace).
// Without --endpoint a throw-away etcd (Debian's etcd-server) or consul dev agent (TEND_CONSUL_BIN or consul on
// PATH) is started on free loopback ports. --dir puts the rendered files elsewhere (e.g. /dev/shm); --tend-config
// passes a tend.toml to tend render (e.g. one with [render] fsync = false). --alone runs the tools one at a time, each
// by itself in its half of every round, instead of side by side.
var mode = args.Length > 0 ? args[0] : "race";
string? Arg(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
int Int(string name, int fallback) => Arg(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
string Required(string name) => Arg(name) ?? throw new ArgumentException($"{mode} needs {name}");

if (mode != "race")
{
    Console.Error.WriteLine($"unknown mode {mode}; usage: race --backend etcdv3|consul --tend PATH --confd PATH [...]");
    return 2;
}

var backend = Arg("--backend") ?? "etcdv3";
var endpoint = Arg("--endpoint");
EtcdServer? etcd = null;
ConsulServer? consul = null;
try
{
    if (endpoint is null && backend == "etcdv3")
    {
        etcd = new EtcdServer();
        await etcd.InitializeAsync();
        endpoint = etcd.ClientUrl;
    }
    else if (endpoint is null && backend == "consul")
    {
        consul = new ConsulServer();
        if (!consul.Available)
        {
            Console.Error.WriteLine(ConsulServer.SkipReason);
            return 2;
        }

        await consul.InitializeAsync();
        endpoint = consul.HttpUrl;
    }
    else if (endpoint is null)
    {
        throw new ArgumentException($"--backend {backend}: etcdv3 or consul");
    }

    var options = new KvStoreOptions { Kind = backend == "consul" ? "consul" : "etcd", Endpoints = [endpoint] };
    await using IKvStore writer = backend == "consul" ? new ConsulKvStore(options) : new EtcdKvStore(options);
    // confd's consul backend takes host:port, its etcdv3 backend a URL.
    var node = backend == "consul" ? new Uri(endpoint).Authority : endpoint;
    Console.WriteLine($"{backend} at {endpoint}; {Environment.ProcessorCount} cores; load {Measure.LoadAverage()}");
    await RenderRace.RunAsync(writer, new RenderRace.Settings(backend, node, Required("--tend"), Required("--confd"), Int("--count", 200), Int("--rounds", 3), Arg("--dir"), Arg("--tend-config"), Arg("--check-cmd"), args.Contains("--alone")));
    return 0;
}
finally
{
    if (etcd is not null)
    {
        await etcd.DisposeAsync();
    }

    if (consul is not null)
    {
        await consul.DisposeAsync();
    }
}
