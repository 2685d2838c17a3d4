using System.Globalization;
using Tend.Stores.Bench.Consul;
using Tend.Testing.Servers;

// Usage: Tend.Stores.Bench.Consul MODE [--endpoint URL] [options]
//   latency [--count 1000] [--prefixes 1] [--root]    put → change seen by a watch, next to the put's round trip
//   list [--count 10000]                              listing time, CPU and peak RSS (fresh process: run it twice)
//   idle [--prefixes 100] [--seconds 60] [--root]     CPU of an idle process watching PREFIXES prefixes
// (put → rendered file against confd is bench/Tend.Confd.Bench.)
// Without --endpoint a consul dev agent is started on free loopback ports (TEND_CONSUL_BIN or consul on PATH).
// --root makes every watch share one blocking query on their common parent (ConsulStoreSettings.WatchRoot).
var mode = args.Length > 0 ? args[0] : "latency";
string? Arg(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
int Int(string name, int fallback) => Arg(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
bool root = args.Contains("--root");

ConsulServer? server = null;
var endpoint = Arg("--endpoint");
if (endpoint is null)
{
    server = new ConsulServer();
    if (!server.Available)
    {
        Console.Error.WriteLine(ConsulServer.SkipReason);
        return 2;
    }

    await server.InitializeAsync();
    endpoint = server.HttpUrl;
}

try
{
    Console.WriteLine($"consul at {endpoint}; {Environment.ProcessorCount} cores; .NET {Environment.Version}; load {Measure.LoadAverage()}");
    switch (mode)
    {
        case "latency":
            await LatencyBench.RunAsync(endpoint, Int("--count", 1000), Int("--prefixes", 1), root);
            break;
        case "list":
            await ListBench.RunAsync(endpoint, Int("--count", 10_000));
            break;
        case "idle":
            await IdleBench.RunAsync(endpoint, Int("--prefixes", 100), Int("--seconds", 60), root);
            break;
        default:
            Console.Error.WriteLine($"unknown mode {mode}");
            return 2;
    }

    Console.WriteLine($"load after: {Measure.LoadAverage()}");
    return 0;
}
finally
{
    if (server is not null)
    {
        await server.DisposeAsync();
    }
}
