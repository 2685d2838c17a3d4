using Tend.Cli;
using Tend.Core.Config;
using Tend.Core.Kv;
using Tend.Modules.Render.Config;
using Xunit;

namespace Tend.Cli.Tests;

/// <summary>consul-template's command line read into Tend's configuration, without running anything.</summary>
public sealed class ConsulTemplateArgsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tend-ct-args-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private (TendConfig Config, bool Once, string? PidFile) Resolve(params string[] args)
    {
        File.WriteAllText(Path.Combine(_dir, "tend.toml"), "[log]\nlevel = \"info\"\n");
        return ConsulTemplateCommand.Resolve(ConsulTemplateCommand.Flags.Parse(["-tend-config", Path.Combine(_dir, "tend.toml"), .. args])!);
    }

    [Fact]
    public void Resolve_ConsulTemplateFlags_EverySettingApplied()
    {
        var (config, once, pidFile) = Resolve(
            "-template", "in.tpl:/tmp/out.conf:service app reload",
            "-template=b.tpl:/tmp/b.conf",
            "-once", "-dry", "-wait", "2s:8s",
            "-consul-addr", "10.0.0.1:8500", "-consul-token", "tok",
            "-log-level", "err", "-pid-file", "/run/ct.pid", "-kill-signal", "SIGTERM", "-reload-signal", "HUP");

        var render = RenderConfigReader.OptionsOf(config);
        Assert.True(once);
        Assert.Equal("/run/ct.pid", pidFile);
        Assert.True(render.Dry);
        Assert.Equal(new ChangeWait(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(8)), render.Wait);
        Assert.Equal(["/tmp/out.conf", "/tmp/b.conf"], render.Templates.Select(t => t.Destination));
        Assert.Equal("service app reload", render.Templates[0].ReloadCommand);
        Assert.All(render.Templates, t => Assert.Equal(RenderDataShape.ConsulTemplate, t.Shape));
        Assert.Equal(KvStoreKinds.Consul, config.Store.Kind);
        Assert.Equal(["http://10.0.0.1:8500"], config.Store.Endpoints);
        Assert.Equal("tok", config.Store.Token);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Error, config.Log.Level);
        Assert.Null(render.Exec);
    }

    [Fact]
    public void Resolve_ConfigFileThenFlags_FlagsWin()
    {
        File.WriteAllText(Path.Combine(_dir, "t.ctmpl"), "x");
        var hcl = Path.Combine(_dir, "ct.hcl");
        File.WriteAllText(hcl, $"consul {{\n  address = \"10.0.0.9:8500\"\n}}\nwait = \"1s:2s\"\ntemplate {{\n  source = \"{_dir}/t.ctmpl\"\n  destination = \"{_dir}/a.conf\"\n}}\n");

        var (config, once, _) = Resolve("-config", hcl, "-consul-addr", "https://10.0.0.1:8501", "-template", $"{_dir}/t.ctmpl:{_dir}/b.conf");

        Assert.False(once);
        Assert.Equal(["https://10.0.0.1:8501"], config.Store.Endpoints);
        Assert.Equal(new ChangeWait(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)), RenderConfigReader.OptionsOf(config).Wait);
        Assert.Equal([$"{_dir}/a.conf", $"{_dir}/b.conf"], RenderConfigReader.OptionsOf(config).Templates.Select(t => t.Destination));
    }

    [Fact]
    public void Resolve_ExecFlags_ExecOptions()
    {
        var (config, _, _) = Resolve(
            "-template", "a:/tmp/a", "-exec", "/usr/bin/app -x 'a b'", "-exec-splay", "3s", "-exec-reload-signal", "SIGUSR1",
            "-exec-kill-signal", "SIGINT", "-exec-kill-timeout", "4s", "-exec-env-pristine", "-exec-env-custom", "A=1", "-exec-env-custom", "B=2");

        var exec = RenderConfigReader.OptionsOf(config).Exec!;
        Assert.Equal(["/usr/bin/app", "-x", "a b"], exec.Command);
        Assert.Equal(TimeSpan.FromSeconds(3), exec.Splay);
        Assert.Equal(("SIGUSR1", "SIGINT"), (exec.ReloadSignal, exec.KillSignal));
        Assert.Equal(TimeSpan.FromSeconds(4), exec.KillTimeout);
        Assert.True(exec.Pristine);
        Assert.Equal(["A=1", "B=2"], exec.Custom);
    }

    [Fact]
    public void Resolve_TendStoreFlags_FileStoreInsteadOfConsul()
    {
        var (config, _, _) = Resolve("-template", "a:/tmp/a", "-file", "data.yaml", "-prefix", "/app");

        Assert.Equal(KvStoreKinds.File, config.Store.Kind);
        Assert.Equal([Path.GetFullPath("data.yaml")], config.Store.Files);
        Assert.Equal("/app", config.Store.Prefix);
    }

    [Theory]
    [InlineData("no templates", "-once")]
    [InlineData("-exec-splay needs -exec", "-template", "a:/tmp/a", "-exec-splay", "1s")]
    [InlineData("reload-signal SIGUSR1 is not supported", "-template", "a:/tmp/a", "-reload-signal", "SIGUSR1")]
    [InlineData("kill-signal SIGHUP is not supported", "-template", "a:/tmp/a", "-kill-signal", "SIGHUP")]
    [InlineData("unknown signal \"SIGNOPE\"", "-template", "a:/tmp/a", "-exec", "x", "-exec-reload-signal", "SIGNOPE")]
    [InlineData("-wait: wait must be", "-template", "a:/tmp/a", "-wait", "soon")]
    [InlineData("-exec-env-custom \"X\" must be NAME=value", "-template", "a:/tmp/a", "-exec", "x", "-exec-env-custom", "X")]
    [InlineData("-config /nonexistent/ct.hcl: no such file", "-config", "/nonexistent/ct.hcl")]
    public void Resolve_BadCommandLine_UsageError(string message, params string[] args) =>
        Assert.Contains(message, Assert.Throws<UsageException>(() => Resolve(args)).Message, StringComparison.Ordinal);

    [Fact]
    public void Parse_UnknownFlag_Refused() =>
        Assert.Contains("-nope", Assert.Throws<UsageException>(() => ConsulTemplateCommand.Flags.Parse(["-nope"])).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData(new[] { "consul-template", "-once" }, 0)]
    [InlineData(new[] { "--config", "t.toml", "consul-template" }, 2)]
    [InlineData(new[] { "--config=t.toml", "consul-template" }, 1)]
    [InlineData(new[] { "render", "consul-template" }, -1)]
    public void Find_CommandAfterGlobalOptions(string[] args, int expected) =>
        Assert.Equal(expected, ConsulTemplateCommand.Find(args));
}
