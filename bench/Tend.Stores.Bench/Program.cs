using System.Globalization;
using Tend.Stores.Bench;
using Tend.Testing.Servers;

// Usage: dotnet run -c Release --project bench/Tend.Stores.Bench -- etcd-latency|etcd-list [--endpoint URL] [--count N] [--page KEYS] [--transport grpc|gateway]
var mode = args.Length > 0 ? args[0] : "etcd-latency";
var endpoint = Option(args, "--endpoint");
var transport = Option(args, "--transport") == "gateway" ? Tend.Stores.Etcd.EtcdTransport.Gateway : Tend.Stores.Etcd.EtcdTransport.Grpc;
int count = int.Parse(Option(args, "--count") ?? (mode == "etcd-list" ? "100000" : "1000"), CultureInfo.InvariantCulture);

EtcdServer? server = null;
if (endpoint is null)
{
    server = new EtcdServer();
    await server.InitializeAsync();
    endpoint = server.ClientUrl;
}

try
{
    Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; etcd at {endpoint}");
    switch (mode)
    {
        case "etcd-latency":
            await EtcdBench.LatencyAsync(endpoint, count, transport);
            break;
        case "etcd-list":
            await EtcdBench.ListAsync(endpoint, count, int.Parse(Option(args, "--page") ?? "0", CultureInfo.InvariantCulture) is > 0 and var page ? page : Tend.Stores.Etcd.EtcdStoreSettings.Default.PageSize, transport);
            break;
        default:
            Console.Error.WriteLine($"unknown mode {mode}");
            return 2;
    }
}
finally
{
    if (server is not null)
    {
        await server.DisposeAsync();
    }
}

return 0;

static string? Option(string[] args, string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
