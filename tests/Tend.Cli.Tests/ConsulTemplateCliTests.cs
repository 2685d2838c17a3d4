using System.Diagnostics;
using Tend.Core.Kv;
using Tend.Stores.Etcd;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Cli.Tests;

/// <summary>
/// consul-template's command line end to end with the built binary: <c>-once</c> and <c>-dry</c> on the file store
/// and on etcd, the <c>consul-template</c> name, HCL errors, a command with a timeout, and exec mode with a real child.
/// </summary>
public sealed class ConsulTemplateCliTests(EtcdServer etcd) : IClassFixture<EtcdServer>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tend-ct-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private string Write(string name, string text)
    {
        var path = PathOf(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private string Data => Write("data.yaml", "app:\n  name: web\n");

    [Fact]
    public async Task Once_FileStore_WritesEveryTemplateAndRunsCommand()
    {
        var tpl = Write("in.ctmpl", "{{ printf \"%s-%d\" \"port\" 8080 }}\n");
        var hcl = Write("ct.hcl", $"template {{\n  contents = \"inline {{{{ 1 }}}}\\n\"\n  destination = \"{PathOf("sub/inline.conf")}\"\n  perms = 0600\n}}\n");

        var (code, _, stderr) = await TendProcess.RunAsync(null, "consul-template", "-once", "-file", Data, "-config", hcl,
            "-template", $"{tpl}:{PathOf("out.conf")}:touch {PathOf("ran")}");

        Assert.True(code == 0, stderr);
        Assert.Equal("port-8080\n", File.ReadAllText(PathOf("out.conf")));
        Assert.Equal("inline 1\n", File.ReadAllText(PathOf("sub/inline.conf")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(PathOf("sub/inline.conf")));
        Assert.True(File.Exists(PathOf("ran")), "the template's command ran");
    }

    [Fact]
    public async Task Dry_FileStore_PrintsRenderAndWritesNothing()
    {
        var tpl = Write("in.ctmpl", "hello {{ \"dry\" }}\n");

        var (code, stdout, stderr) = await TendProcess.RunAsync(null, "consul-template", "-once", "-dry", "-file", Data, "-template", $"{tpl}:{PathOf("out.conf")}:touch {PathOf("ran")}");

        Assert.True(code == 0, stderr);
        Assert.Equal($"> {PathOf("out.conf")}\nhello dry\n", stdout);
        Assert.False(File.Exists(PathOf("out.conf")));
        Assert.False(File.Exists(PathOf("ran")), "-dry runs no command");
    }

    [Fact]
    public async Task InstalledAsConsulTemplate_TakesItsCommandLine()
    {
        var link = PathOf("bin/consul-template");
        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        File.CreateSymbolicLink(link, TendProcess.Executable);
        var tpl = Write("in.ctmpl", "linked\n");
        var psi = new ProcessStartInfo(link) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "-once", "-file", Data, "-template", $"{tpl}:{PathOf("out.conf")}" })
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);

        Assert.True(p.ExitCode == 0, await stderr);
        Assert.Equal("linked\n", File.ReadAllText(PathOf("out.conf")));
    }

    [Fact]
    public async Task Once_CommandTimeout_KilledAndExit1()
    {
        var tpl = Write("in.ctmpl", "x\n");
        var hcl = Write("ct.hcl", $"template {{\n  source = \"{tpl}\"\n  destination = \"{PathOf("out.conf")}\"\n  command = \"sleep 30\"\n  command_timeout = \"1s\"\n}}\n");
        var clock = Stopwatch.StartNew();

        var (code, _, stderr) = await TendProcess.RunAsync(null, "consul-template", "-once", "-file", Data, "-config", hcl);

        Assert.Equal(1, code);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(25), $"the command was not stopped at its timeout ({clock.Elapsed})");
        Assert.Contains("sleep 30", stderr, StringComparison.Ordinal);
        Assert.Equal("x\n", File.ReadAllText(PathOf("out.conf")));
    }

    [Fact]
    public async Task BadHcl_Exit2WithPosition_NothingWritten()
    {
        var hcl = Write("ct.hcl", $"template {{\n  destination = \"{PathOf("out.conf")}\"\n  contents = \"x\"\n  perm = 0600\n}}\n");

        var (code, _, stderr) = await TendProcess.RunAsync(null, "consul-template", "-once", "-file", Data, "-config", hcl);

        Assert.Equal(2, code);
        Assert.Contains($"{hcl}:4:3: unknown key \"perm\" in template #1 (did you mean \"perms\"?)", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(PathOf("out.conf")));
    }

    [Fact]
    public async Task Once_Etcd_RendersAndStoreOutageFails()
    {
        var root = "/ct-cli-" + Guid.NewGuid().ToString("N")[..8];
        await using (var store = new EtcdKvStore(new KvStoreOptions { Kind = "etcd", Endpoints = [etcd.ClientUrl] }))
        {
            await store.PutAsync($"{root}/app/name", "web");
        }

        var tpl = Write("in.ctmpl", "etcd {{ 2 }} {{ key \"app/name\" }}\n");

        var (code, stdout, stderr) = await TendProcess.RunAsync(null, "consul-template", "-once", "-dry", "-store", "etcd", "-endpoint", etcd.ClientUrl, "-prefix", root, "-template", $"{tpl}:{PathOf("out.conf")}");
        var (down, _, downErr) = await TendProcess.RunAsync(null, "consul-template", "-once", "-store", "etcd", "-endpoint", "http://127.0.0.1:1", "-template", $"{tpl}:{PathOf("out.conf")}");

        Assert.True(code == 0, stderr);
        Assert.Equal($"> {PathOf("out.conf")}\netcd 2 web\n", stdout);
        Assert.Equal(1, down);
        Assert.False(File.Exists(PathOf("out.conf")), downErr);
    }

    [Fact]
    public async Task OnceExec_ChildRunsAfterRender_ExitStatusIsTheChilds()
    {
        var tpl = Write("in.ctmpl", "rendered\n");
        var script = Write("child.sh", $"[ -f {PathOf("out.conf")} ] || exit 9\nexit 3\n");

        var (code, _, stderr) = await TendProcess.RunAsync(null, "consul-template", "-once", "-file", Data, "-template", $"{tpl}:{PathOf("out.conf")}", "-exec", $"sh {script}");

        Assert.True(code == 3, stderr);
    }

    [Fact]
    public async Task Exec_ReloadSignalPerRender_TermForwarded_ExitsWithChildStatus()
    {
        var tpl = Write("in.ctmpl", "one\n");
        var count = PathOf("count");
        var ready = PathOf("ready");
        var script = Write("child.sh", $$"""
            n=0
            trap 'n=$((n+1)); echo $n > {{count}}' USR1
            trap 'exit 7' TERM
            if [ -f {{PathOf("out.conf")}} ]; then echo rendered > {{ready}}; else echo missing > {{ready}}; fi
            while :; do sleep 0.05; done
            """);

        await using var tend = TendProcess.Start("consul-template", "-file", Data, "-template", $"{tpl}:{PathOf("out.conf")}",
            "-exec", $"sh {script}", "-exec-reload-signal", "SIGUSR1", "-exec-kill-timeout", "20s");
        await tend.WaitForOutputAsync(_ => Read(ready) == "rendered\n", TimeSpan.FromSeconds(30));

        // A changed template re-renders on SIGHUP: the child gets its reload signal once per write.
        File.WriteAllText(tpl, "two\n");
        await tend.SignalAsync("HUP");
        await tend.WaitForOutputAsync(_ => Read(count) == "1\n", TimeSpan.FromSeconds(30));
        File.WriteAllText(tpl, "three\n");
        await tend.SignalAsync("HUP");
        await tend.WaitForOutputAsync(_ => Read(count) == "2\n", TimeSpan.FromSeconds(30));
        Assert.Equal("three\n", File.ReadAllText(PathOf("out.conf")));

        // SIGTERM reaches the child; Tend ends with its status.
        await tend.SignalAsync("TERM");
        Assert.Equal(7, await tend.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
