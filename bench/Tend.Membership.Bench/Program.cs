// Membership (etcd-discovery) on a real 5-member etcd 3.4 cluster on loopback, driven through the shipped tend binary
// exactly as an operator runs it: `tend membership` per machine (AWS reached through the SDK's standard settings,
// pointed at the EC2 and instance-metadata doubles), each etcd started from the environment file tend wrote.
//
//   dotnet build -c Release bench/Tend.Membership.Bench
//   dotnet bench/Tend.Membership.Bench/bin/Release/net10.0/Tend.Membership.Bench.dll \
//       [--tend artifacts/tend-aot/tend] [--runs 5] [--learner true|false] [--idle 120]   (figures: docs/benchmarks.md)
//
// 1. Five instances start at once: five `tend membership` processes, then their etcds (bootstrap, reported).
// 2. --runs times: the oldest instance is terminated (its etcd killed, EC2 says terminated) and a replacement is
//    launched; the clock starts when the replacement's `tend membership` starts and stops when etcd reports five
//    members, none a learner, every one answering /health. The replacement's etcd is started as soon as its
//    environment file appears (systemd starting etcd after etcd-discovery wrote the file).
// 3. --idle seconds: `tend run` with [membership] (interval 30 s) on one member of the settled cluster; its CPU
//    (utime + stime from /proc) over that window after a warm-up of two passes, and its RSS.
using System.Diagnostics;
using System.Globalization;
using Tend.Core.Kv;
using Tend.Stores.Etcd;
using Tend.Testing.Aws;
using Tend.Testing.Servers;

var tend = Path.GetFullPath(Arg("--tend") ?? Environment.GetEnvironmentVariable("TEND_BIN") ?? "artifacts/tend-aot/tend");
int runs = int.Parse(Arg("--runs") ?? "5", CultureInfo.InvariantCulture);
bool learner = (Arg("--learner") ?? "true") == "true";
int idleSeconds = int.Parse(Arg("--idle") ?? "120", CultureInfo.InvariantCulture);
if (!File.Exists(tend))
{
    Console.Error.WriteLine($"no tend binary at {tend}: publish it (./test.sh does) or pass --tend");
    return 2;
}

var dir = Directory.CreateTempSubdirectory("tend-membership-bench-").FullName;
int clientPort = FreePort.Next(), peerPort = FreePort.Next();
await using var ec2 = new Ec2Double();
var machines = new List<Machine>();
int nextAddress = 0;

Machine Launch(string id)
{
    nextAddress++;
    var address = $"127.79.{nextAddress / 250}.{(nextAddress % 250) + 1}";
    ec2.Launch(id, address, "etcd-bench");
    var m = new Machine(id, address, new InstanceMetadataDouble(id, "eu-west-1", address), Path.Combine(dir, id));
    machines.Add(m);
    return m;
}

ProcessStartInfo TendStart(Machine m, params string[] args)
{
    var psi = new ProcessStartInfo(tend) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = dir };
    foreach (var a in args)
    {
        psi.ArgumentList.Add(a);
    }

    foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal)).ToList())
    {
        psi.Environment.Remove(key);
    }

    psi.Environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = m.Metadata.Endpoint.GetLeftPart(UriPartial.Authority);
    psi.Environment["AWS_ENDPOINT_URL_EC2"] = ec2.Endpoint.GetLeftPart(UriPartial.Authority);
    psi.Environment["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(dir, "no-credentials");
    psi.Environment["AWS_CONFIG_FILE"] = Path.Combine(dir, "no-config");
    return psi;
}

string[] MembershipArgs(Machine m) =>
[
    "membership", $"-environment-file={m.EnvironmentFile}", "-logtostderr", "-private-addresses",
    "-etcd-client-schema=http", "-etcd-peer-scheme=http", $"-etcd-client-port={clientPort}", $"-etcd-peer-port={peerPort}",
    "-settle=1s", $"-learner={(learner ? "true" : "false")}",
];

async Task<(int Code, string Err)> RunToEnd(Process p)
{
    var err = p.StandardError.ReadToEndAsync();
    await p.StandardOutput.ReadToEndAsync();
    await p.WaitForExitAsync();
    return (p.ExitCode, await err);
}

async Task<bool> FiveHealthyVoters(Machine through)
{
    try
    {
        await using var store = new EtcdKvStore(new KvStoreOptions { Kind = "etcd", Endpoints = [through.ClientUrl(clientPort)], RequestTimeout = TimeSpan.FromSeconds(2) });
        var members = await store.MemberListAsync();
        if (members.Count != 5 || members.Any(m => m.IsLearner || m.Name.Length == 0 || m.ClientUrls.Count == 0))
        {
            return false;
        }

        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(2) };
        foreach (var m in members)
        {
            var health = await http.GetStringAsync(new Uri(m.ClientUrls[0] + "/health"));
            if (!health.Contains("\"health\":\"true\"", StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
    catch (Exception ex) when (ex is KvStoreException or HttpRequestException or TaskCanceledException)
    {
        return false;
    }
}

Console.WriteLine($"tend {tend}, learner {learner}, load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
try
{
    // 1. Bootstrap.
    var first = Enumerable.Range(1, 5).Select(i => Launch($"i-{i:d2}")).ToList();
    var boot = Stopwatch.StartNew();
    var passes = await Task.WhenAll(first.Select(m => RunToEnd(Process.Start(TendStart(m, MembershipArgs(m)))!)));
    var filesWritten = boot.Elapsed;
    foreach (var (code, err) in passes.Where(p => p.Code != 0))
    {
        throw new InvalidOperationException($"bootstrap pass exited {code}: {err}");
    }

    foreach (var m in first)
    {
        m.StartEtcd(clientPort, peerPort);
    }

    while (!await FiveHealthyVoters(first[0]))
    {
        await Task.Delay(50);
    }

    Console.WriteLine($"bootstrap: 5 files written {filesWritten.TotalSeconds:0.00} s (settle 1 s), five healthy members {boot.Elapsed.TotalSeconds:0.00} s");

    // 2. Replacements.
    var samples = new List<(double File, double Exit, double Healthy)>();
    for (int run = 0; run < runs; run++)
    {
        var gone = machines.First(m => !m.Terminated);
        gone.Etcd!.Kill();
        gone.Terminated = true;
        ec2.SetState(gone.Id, "terminated");
        var replacement = Launch($"i-{machines.Count + 1:d2}");
        var through = machines.First(m => !m.Terminated && m != replacement);

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(TendStart(replacement, MembershipArgs(replacement)))!;
        var exit = RunToEnd(process);
        while (!File.Exists(replacement.EnvironmentFile))
        {
            if (exit.IsCompleted)
            {
                throw new InvalidOperationException($"the replacement's pass exited {exit.Result.Code} without a file: {exit.Result.Err}");
            }

            await Task.Delay(10);
        }

        double file = clock.Elapsed.TotalSeconds;
        replacement.StartEtcd(clientPort, peerPort);
        double exited = double.NaN;
        while (!await FiveHealthyVoters(through))
        {
            if (exit.IsCompleted && double.IsNaN(exited))
            {
                exited = clock.Elapsed.TotalSeconds;
                if (exit.Result.Code != 0)
                {
                    throw new InvalidOperationException($"the replacement's pass exited {exit.Result.Code}: {exit.Result.Err}");
                }
            }

            await Task.Delay(20);
        }

        double healthy = clock.Elapsed.TotalSeconds;
        var (code, errText) = await exit;
        if (code != 0)
        {
            throw new InvalidOperationException($"the replacement's pass exited {code}: {errText}");
        }

        exited = double.IsNaN(exited) ? clock.Elapsed.TotalSeconds : exited;
        samples.Add((file, exited, healthy));
        Console.WriteLine($"replace {gone.Id} by {replacement.Id}: file {file:0.00} s, tend exit {exited:0.00} s, five healthy voting members {healthy:0.00} s");

        // etcd refuses the next reconfiguration until every voter has been connected for 5 s.
        await Task.Delay(TimeSpan.FromSeconds(6));
    }

    if (samples.Count > 0)
    {
        var sorted = samples.Select(s => s.Healthy).Order().ToList();
        Console.WriteLine($"replacement → five healthy: median {sorted[sorted.Count / 2]:0.00} s, min {sorted[0]:0.00} s, max {sorted[^1]:0.00} s over {samples.Count} runs");
    }

    // 3. Idle.
    if (idleSeconds > 0)
    {
        var host = machines.Last(m => !m.Terminated);
        var config = Path.Combine(dir, "idle.toml");
        int httpPort = FreePort.Next();
        await File.WriteAllTextAsync(config, $"""
            [log]
            level = "info"

            [http]
            listen = "127.0.0.1:{httpPort}"

            [membership]
            environment_file = "{host.EnvironmentFile}"
            address = "ip"
            client_scheme = "http"
            peer_scheme = "http"
            client_port = {clientPort}
            peer_port = {peerPort}
            interval = "30s"
            """);
        using var daemon = Process.Start(TendStart(host, "run", "--config", config))!;
        var daemonErr = new System.Text.StringBuilder();
        daemon.ErrorDataReceived += (_, e) => { lock (daemonErr) { daemonErr.AppendLine(e.Data); } };
        daemon.BeginErrorReadLine();
        daemon.BeginOutputReadLine();
        await Task.Delay(TimeSpan.FromSeconds(65));
        if (daemon.HasExited)
        {
            throw new InvalidOperationException($"tend run exited {daemon.ExitCode}: {daemonErr}");
        }

        long ticks0 = CpuTicks(daemon.Id);
        var idle = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(idleSeconds));
        long ticks = CpuTicks(daemon.Id) - ticks0;
        double seconds = idle.Elapsed.TotalSeconds;
        var statusLine = await Passes(httpPort);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"idle tend run [membership] every 30 s, 5 members: CPU {ticks * 10 / 1000.0:0.00} s over {seconds:0} s = {ticks * 10 / 10.0 / seconds:0.000} %, VmRSS {Status(daemon.Id, "VmRSS")}, VmHWM {Status(daemon.Id, "VmHWM")}, passes {statusLine}"));
        daemon.Kill();
        await daemon.WaitForExitAsync();
    }

    return 0;
}
finally
{
    foreach (var m in machines)
    {
        m.Etcd?.Dispose();
        await m.Metadata.DisposeAsync();
    }

    try
    {
        Directory.Delete(dir, recursive: true);
    }
    catch (IOException)
    {
    }
}

static long CpuTicks(int pid)
{
    // Fields 14 and 15 (utime, stime) after the parenthesised command name.
    var stat = File.ReadAllText($"/proc/{pid}/stat");
    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
}

static string Status(int pid, string field) =>
    File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal))[(field.Length + 1)..].Trim();

static async Task<string> Passes(int port)
{
    using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };
    using var status = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/status")));
    var m = status.RootElement.GetProperty("membership");
    return $"{m.GetProperty("passes").GetInt64()} (failures {m.GetProperty("failures").GetInt64()}, members {m.GetProperty("members").GetInt32()}, healthy {m.GetProperty("healthy").GetInt32()}, file writes {m.GetProperty("environment_writes").GetInt64()})";
}

string? Arg(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

internal sealed class Machine(string id, string address, InstanceMetadataDouble metadata, string dir)
{
    public string Id { get; } = id;

    public string Address { get; } = address;

    public InstanceMetadataDouble Metadata { get; } = metadata;

    public string EnvironmentFile { get; } = Path.Combine(dir, "etcd.env");

    public string DataDir { get; } = Path.Combine(dir, "data");

    public EtcdMemberProcess? Etcd { get; private set; }

    public bool Terminated { get; set; }

    public string ClientUrl(int port) => $"http://{Address}:{port}";

    public void StartEtcd(int clientPort, int peerPort)
    {
        Etcd = EtcdMemberProcess.FromEnvironmentFile(EnvironmentFile, DataDir, Address, clientPort, peerPort);
        Etcd.Start();
    }
}
