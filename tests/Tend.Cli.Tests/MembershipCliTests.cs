using System.Diagnostics;
using System.Text.Json;
using Tend.Testing.Aws;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Cli.Tests;

/// <summary>
/// <c>tend membership</c> and the <c>etcd-discovery</c> name as an operator runs them: the real binary, the AWS SDK's
/// standard settings pointing it at the EC2 and instance-metadata doubles, a real etcd started from the file it wrote.
/// </summary>
public sealed class MembershipCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tend-membership-cli-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task EtcdDiscoveryName_SeedCommandLine_BootstrapsThenFindsTheClusterExisting()
    {
        const string address = "127.78.0.1";
        int client = FreePort.Next(), peer = FreePort.Next();
        await using var ec2 = new Ec2Double();
        ec2.Launch("i-0cli", address, "etcd-cli");
        await using var metadata = new InstanceMetadataDouble("i-0cli", "eu-west-1", address);
        var env = Path.Combine(_dir, "sysconfig", "etcd-discovery");
        string[] args =
        [
            $"-environment-file={env}", "-logtostderr", "-v=10", "-private-addresses", "-etcd-client-schema=http", "-etcd-peer-scheme=http",
            $"-etcd-client-port={client}", $"-etcd-peer-port={peer}", "-settle=0s",
        ];

        // No AWS_ACCESS_KEY_ID and no AWS_REGION: credentials come from the instance profile and the region from
        // the instance-identity document, both through the metadata endpoint the SDK's setting names.
        var (code, err) = await RunEtcdDiscoveryAsync(args, metadata.Endpoint, ec2.Endpoint);

        Assert.True(code == 0, err);
        Assert.Equal(InstanceMetadataDouble.RoleAccessKey, ec2.LastAccessKey);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(env));
        var written = EtcdMemberProcess.ReadEnvironmentFile(env);
        Assert.Equal("new", written["ETCD_INITIAL_CLUSTER_STATE"]);
        Assert.Equal("i-0cli", written["ETCD_NAME"]);
        Assert.Equal($"i-0cli=http://{address}:{peer}", written["ETCD_INITIAL_CLUSTER"]);
        Assert.Equal("off", written["ETCD_PROXY"]);

        using var etcd = EtcdMemberProcess.FromEnvironmentFile(env, Path.Combine(_dir, "data"), address, client, peer);
        etcd.Start();
        await etcd.WaitHealthyAsync(TimeSpan.FromSeconds(30));

        (code, err) = await RunEtcdDiscoveryAsync(args, metadata.Endpoint, ec2.Endpoint);

        Assert.True(code == 0, err);
        Assert.Equal("existing", EtcdMemberProcess.ReadEnvironmentFile(env)["ETCD_INITIAL_CLUSTER_STATE"]);
    }

    [Fact]
    public async Task Membership_MetadataUnreachable_ExitOneWithTheReasonAndNoFile()
    {
        var env = Path.Combine(_dir, "etcd.env");
        int closed = FreePort.Next();
        var psi = TendPsi("membership", "--config", EmptyConfig(), $"-environment-file={env}");
        psi.Environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = $"http://127.0.0.1:{closed}";

        var (code, err) = await RunAsync(psi);

        Assert.Equal(1, code);
        Assert.Contains($"instance metadata at http://127.0.0.1:{closed}/ did not answer", err, StringComparison.Ordinal);
        Assert.Contains("nothing was changed", err, StringComparison.Ordinal);
        Assert.False(File.Exists(env));
    }

    [Fact]
    public async Task Membership_Help_GoStyleUsageWithEveryFlag()
    {
        var (code, _, err) = await TendProcess.RunAsync(null, "membership", "-help");

        Assert.Equal(0, code);
        foreach (var flag in new[] { "-environment-file string", "-etcd-client-port int", "-private-hostnames", "-proxy-mode", "-scaling-group-name string", "-logtostderr", "-vmodule string", "-log_backtrace_at string" })
        {
            Assert.Contains("  " + flag, err, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(new[] { "-logtostderr" }, "you have not set the environment file path")]
    [InlineData(new[] { "-environment-file=/tmp/x", "-private-hostnames", "false" }, "unexpected argument 'false'")]
    [InlineData(new[] { "-environment-file=/tmp/x", "-bogus" }, "flag provided but not defined: -bogus")]
    public async Task Membership_BadCommandLine_ExitTwo(string[] args, string expected)
    {
        var (code, _, err) = await TendProcess.RunAsync(null, ["membership", "--config", EmptyConfig(), .. args]);

        Assert.Equal(2, code);
        Assert.Contains(expected, err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_MembershipSection_StatusAndMetricsShowIt()
    {
        int port = FreePort.Next(), client = FreePort.Next(), peer = FreePort.Next();
        const string address = "127.78.0.2";
        var env = Path.Combine(_dir, "run", "etcd.env");
        var config = Path.Combine(_dir, "tend.toml");
        await File.WriteAllTextAsync(config, $"""
            [http]
            listen = "127.0.0.1:{port}"

            [membership]
            inventory = "static"
            name = "solo"
            members = ["solo={address}"]
            environment_file = "{env}"
            client_scheme = "http"
            peer_scheme = "http"
            client_port = {client}
            peer_port = {peer}
            interval = "1s"
            settle = 0
            """);
        await using var run = TendProcess.Start("run", "--config", config);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };

        await WaitAsync(() => File.Exists(env), run);
        using var etcd = EtcdMemberProcess.FromEnvironmentFile(env, Path.Combine(_dir, "run-data"), address, client, peer);
        etcd.Start();
        await etcd.WaitHealthyAsync(TimeSpan.FromSeconds(30));

        JsonElement membership = default;
        await WaitAsync(
            () =>
            {
                try
                {
                    using var doc = JsonDocument.Parse(http.GetStringAsync("/status").GetAwaiter().GetResult());
                    membership = doc.RootElement.GetProperty("membership").Clone();
                    return membership.GetProperty("state").GetString() == "existing" && membership.GetProperty("healthy").GetInt32() == 1;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            },
            run);
        Assert.Equal("solo", membership.GetProperty("self").GetString());
        Assert.Equal("voter", membership.GetProperty("self_membership").GetString());
        Assert.Equal(env, membership.GetProperty("environment_file").GetString());
        var metrics = await http.GetStringAsync("/metrics");
        Assert.Contains("tend_membership_members 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("tend_membership_healthy_members 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("tend_membership_error 0\n", metrics, StringComparison.Ordinal);
        Assert.Matches(@"tend_membership_passes_total [2-9]", metrics);
        Assert.Equal("existing", EtcdMemberProcess.ReadEnvironmentFile(env)["ETCD_INITIAL_CLUSTER_STATE"]);
    }

    private static async Task WaitAsync(Func<bool> condition, TendProcess run)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(40);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"not reached.\nstderr:\n{run.StdErr}");
            }

            await Task.Delay(200);
        }
    }

    private string EmptyConfig()
    {
        var path = Path.Combine(_dir, "empty.toml");
        File.WriteAllText(path, "[log]\nlevel = \"info\"\n");
        return path;
    }

    private async Task<(int Code, string Err)> RunEtcdDiscoveryAsync(string[] args, Uri metadata, Uri ec2)
    {
        // The binary under test (TEND_BIN: the NativeAOT build, whose AWS SDK paths trimming could break).
        var apphost = TendProcess.Executable;
        Assert.True(File.Exists(apphost), $"tend missing: {apphost}");
        var link = Path.Combine(_dir, "bin", "etcd-discovery");
        if (!File.Exists(link))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(link)!);
            File.CreateSymbolicLink(link, apphost);
        }

        var psi = new ProcessStartInfo(link) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = _dir };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal)).ToList())
        {
            psi.Environment.Remove(key);
        }

        // As the SDK documents them: scheme, host and port, no trailing slash.
        psi.Environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = metadata.GetLeftPart(UriPartial.Authority);
        psi.Environment["AWS_ENDPOINT_URL_EC2"] = ec2.GetLeftPart(UriPartial.Authority);

        // No shared credentials or config files of whoever runs the tests.
        psi.Environment["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(_dir, "no-credentials");
        psi.Environment["AWS_CONFIG_FILE"] = Path.Combine(_dir, "no-config");
        return await RunAsync(psi);
    }

    private static ProcessStartInfo TendPsi(params string[] args)
    {
        var psi = new ProcessStartInfo(TendProcess.Command.File) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in TendProcess.Command.Prefix.Concat(args))
        {
            psi.ArgumentList.Add(a);
        }

        return psi;
    }

    private static async Task<(int Code, string Err)> RunAsync(ProcessStartInfo psi)
    {
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        await p.StandardOutput.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await p.WaitForExitAsync(cts.Token);
        return (p.ExitCode, await stderr);
    }
}
