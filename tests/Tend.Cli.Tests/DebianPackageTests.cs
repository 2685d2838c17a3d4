using System.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace Tend.Cli.Tests;

/// <summary>
/// The .deb that packaging/build-deb.sh builds (TEND_DEB, set by ./test.sh), installed with dpkg on this
/// machine as an operator would: the binary, the tools' links, the quickstart from the installed files,
/// the units, then a purge that leaves nothing behind. Needs root (or sudo without a password), as dpkg does.
/// </summary>
public sealed class DebianPackageTests(ITestOutputHelper output)
{
    private const string Package = "tend";

    private static string Deb
    {
        get
        {
            var deb = Environment.GetEnvironmentVariable("TEND_DEB");
            Assert.False(string.IsNullOrEmpty(deb), "TEND_DEB is not set: ./test.sh builds the package with packaging/build-deb.sh and sets it");
            Assert.True(File.Exists(deb), $"TEND_DEB={deb}: no such package; packaging/build-deb.sh did not build it");
            return deb;
        }
    }

    [Fact]
    public async Task BuildDeb_Package_HasTheDocumentedLayout()
    {
        var deb = Deb;
        var fields = (await RunChecked("dpkg-deb", "--field", deb, "Package", "Version", "Architecture")).Out;
        Assert.Contains("Package: tend", fields, StringComparison.Ordinal);
        Assert.Contains($"Version: {TendVersion.Value}", fields, StringComparison.Ordinal);
        Assert.Equal($"tend_{TendVersion.Value}_{Field(fields, "Architecture")}.deb", Path.GetFileName(deb));

        var contents = (await RunChecked("dpkg-deb", "--contents", deb)).Out;
        foreach (var path in new[]
        {
            "./usr/bin/tend", "./etc/tend/tend.toml", "./lib/systemd/system/tend.service",
            "./lib/systemd/system/tend-membership.service", "./usr/lib/tend/bin/confd -> ../../../bin/tend",
            "./usr/lib/tend/bin/reconfig -> ../../../bin/tend", "./usr/lib/tend/bin/etcd-discovery -> ../../../bin/tend",
            "./usr/lib/tend/bin/consul-template -> ../../../bin/tend", "./usr/lib/tend/bin/powerconsul -> ../../../bin/tend",
            "./usr/share/doc/tend/examples/quickstart/tend.toml",
        })
        {
            Assert.Contains(path, contents, StringComparison.Ordinal);
        }

        // Nothing a user does not own: no tool's name in /usr/bin besides tend itself.
        Assert.DoesNotContain("./usr/bin/confd", contents, StringComparison.Ordinal);
        var conffiles = await RunChecked("sh", "-c", $"dpkg-deb --ctrl-tarfile '{deb}' | tar -xOf - ./conffiles");
        Assert.Equal("/etc/tend/tend.toml", conffiles.Out.Trim());
    }

    [Fact]
    public async Task InstallWithDpkg_ThenPurge_RunsAndLeavesNothingBehind()
    {
        var deb = Deb;
        await Dpkg("--purge", Package);
        try
        {
            await Dpkg("--install", deb);

            var version = await RunChecked("/usr/bin/tend", "--version");
            Assert.Matches($"^{System.Text.RegularExpressions.Regex.Escape(TendVersion.Value)}(\\+[0-9a-f]+)?$", version.Out.Trim());

            // The other tools' names run Tend with those tools' command lines.
            var discovery = await RunAsync("/usr/lib/tend/bin/etcd-discovery", "-help");
            Assert.Contains("-environment-file", discovery.Out + discovery.Err, StringComparison.Ordinal);
            var confd = await RunAsync("/usr/lib/tend/bin/confd", "-help");
            Assert.Contains("-confdir", confd.Out + confd.Err, StringComparison.Ordinal);

            // The conffile is all comments: it parses, and `tend run` from it says what is missing rather than crashing.
            var check = await RunAsync("/usr/bin/tend", "kv", "ls", "/", "--config", "/etc/tend/tend.toml", "--store", "memory");
            Assert.True(check.Code == 0, $"the installed tend.toml does not load: {check.Err}");

            await QuickstartFromInstalledFilesAsync();
            await VerifyUnitsAsync();
        }
        finally
        {
            await Dpkg("--purge", Package);
        }

        foreach (var path in new[] { "/usr/bin/tend", "/usr/lib/tend", "/etc/tend", "/lib/systemd/system/tend.service", "/var/lib/tend", "/usr/share/doc/tend" })
        {
            Assert.False(File.Exists(path) || Directory.Exists(path), $"{path} is left after dpkg --purge");
        }

        Assert.NotEqual(0, (await RunAsync("dpkg-query", "-W", Package)).Code);
    }

    private static string Field(string fields, string name) =>
        fields.Split('\n').Single(l => l.StartsWith(name + ": ", StringComparison.Ordinal))[(name.Length + 2)..].Trim();

    private static async Task QuickstartFromInstalledFilesAsync()
    {
        var dir = Directory.CreateTempSubdirectory("tend-deb-quickstart-").FullName;
        try
        {
            await RunChecked("cp", "-r", "/usr/share/doc/tend/examples/quickstart/.", dir);
            var render = await RunAsync("/usr/bin/tend", "render", "--onetime", "--config", Path.Combine(dir, "tend.toml"));
            Assert.True(render.Code == 0, $"the quickstart did not render: {render.Err}");
            var hosts = await File.ReadAllTextAsync(Path.Combine(dir, "out", "hosts"));
            Assert.Contains("10.0.0.11\tweb1", hosts, StringComparison.Ordinal);
            Assert.Contains("10.0.0.21\tdb1\t# out of rotation", hosts, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private async Task VerifyUnitsAsync()
    {
        if ((await RunAsync("sh", "-c", "command -v systemd-analyze")).Code != 0)
        {
            output.WriteLine("systemd-analyze is not installed here: the units were not verified");
            return;
        }

        // verify checks the syntax, every directive and that ExecStart's binary exists; a reference to a unit
        // this machine lacks (etcd.service) is only a note.
        var verify = await RunAsync("systemd-analyze", "verify", "/lib/systemd/system/tend.service", "/lib/systemd/system/tend-membership.service");
        output.WriteLine(verify.Err);
        Assert.True(verify.Code == 0, $"systemd-analyze verify failed: {verify.Err}");
        var problems = verify.Err.Split('\n').Where(l => l.Contains("tend", StringComparison.Ordinal) && !l.Contains("etcd", StringComparison.Ordinal)).ToList();
        Assert.True(problems.Count == 0, "systemd-analyze verify: " + string.Join("\n", problems));
    }

    /// <summary>dpkg as root, or through sudo; waits for another dpkg or apt run on this machine to finish.</summary>
    private static async Task Dpkg(params string[] args)
    {
        bool root = Environment.UserName == "root" || (await RunAsync("id", "-u")).Out.Trim() == "0";
        string[] command = root ? ["dpkg", .. args] : ["sudo", "-n", "dpkg", .. args];
        for (int attempt = 0; ; attempt++)
        {
            var result = await RunAsync(command[0], command[1..]);
            if (result.Code == 0)
            {
                return;
            }

            bool locked = result.Err.Contains("lock", StringComparison.OrdinalIgnoreCase);
            Assert.True(locked && attempt < 120, $"{string.Join(' ', command)} failed ({result.Code}): {result.Err}");
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    private static async Task<(int Code, string Out, string Err)> RunChecked(string file, params string[] args)
    {
        var result = await RunAsync(file, args);
        Assert.True(result.Code == 0, $"{file} {string.Join(' ', args)} failed ({result.Code}): {result.Err}");
        return result;
    }

    private static async Task<(int Code, string Out, string Err)> RunAsync(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
