using Tend.Core.Config;
using Tend.Core.Kv;
using Tend.Modules.Render.Config;
using Xunit;

namespace Tend.Modules.Tests.Render;

/// <summary>consul-template's HCL configuration read into render resources: the documented stanzas, merging, and errors.</summary>
public sealed class ConsulTemplateConfigLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tend-ct-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Load_FullExample_EveryStanzaRead()
    {
        Write("app.ctmpl", "{{ key \"app/name\" }}\n");
        var config = Write("config.hcl", $$$"""
            # Where the agent is, and how to talk to it.
            consul {
              address = "10.0.0.5:8500"
              token   = "abcd1234"

              auth {
                enabled  = true
                username = "ops"
                password = "secret"
              }

              retry {
                enabled     = true
                attempts    = 12
                backoff     = "250ms"
                max_backoff = "1m"
              }

              ssl {
                enabled = true
                verify  = false
                ca_cert = "/etc/ssl/ca.pem"
              }
            }

            log_level     = "warn"
            pid_file      = "/run/ct.pid"
            kill_signal   = "SIGTERM"
            reload_signal = "SIGHUP"
            max_stale     = "2m"

            wait {
              min = "5s"
              max = "10s"
            }

            template {
              source          = "{{{_dir}}}/app.ctmpl"
              destination     = "{{{_dir}}}/out/app.conf"
              command         = "systemctl reload app"
              command_timeout = "60s"
              perms           = 0600
              backup          = true
              left_delimiter  = "[["
              right_delimiter = "]]"
              error_on_missing_key = true
              wait = "2s:6s"
            }

            template {
              contents    = <<EOF
            name={{ key "app/name" }}
            EOF
              destination = "{{{_dir}}}/inline.conf"
              perms       = "0640"
            }

            exec {
              command       = "/usr/bin/app -config /etc/app.conf"
              splay         = "5s"
              reload_signal = "SIGUSR1"
              kill_signal   = "SIGINT"
              kill_timeout  = "2s"
              env {
                pristine  = false
                custom    = ["MODE=prod"]
                allowlist = ["APP_*"]
                denylist  = ["APP_SECRET"]
              }
            }
            """);

        var ct = ConsulTemplateConfigLoader.Load(config);

        Assert.Equal("10.0.0.5:8500", ct.ConsulAddress);
        Assert.Equal("abcd1234", ct.ConsulToken);
        Assert.Equal(("ops", "secret"), (ct.ConsulUsername, ct.ConsulPassword));
        Assert.Equal("warn", ct.LogLevel);
        Assert.Equal("/run/ct.pid", ct.PidFile);
        Assert.Equal(("SIGTERM", "SIGHUP"), (ct.KillSignal, ct.ReloadSignal));
        Assert.Equal(TimeSpan.FromMinutes(2), ct.MaxStale);
        Assert.Equal(new ChangeWait(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10)), ct.Wait);

        Assert.Equal(2, ct.Templates.Count);
        var first = ct.Templates[0];
        Assert.Equal(RenderDataShape.ConsulTemplate, first.Shape);
        Assert.Equal(Path.Combine(_dir, "app.ctmpl"), first.Source);
        Assert.Equal(Path.Combine(_dir, "out", "app.conf"), first.Destination);
        Assert.Equal("systemctl reload app", first.ReloadCommand);
        Assert.Equal(TimeSpan.FromSeconds(60), first.ReloadTimeout);
        Assert.Equal((UnixFileMode)0x180, first.Mode);
        Assert.True(first.Backup);
        Assert.Equal(("[[", "]]"), (first.LeftDelimiter, first.RightDelimiter));
        Assert.Equal(RenderMissingKey.Error, first.MissingKey);
        Assert.Equal(new ChangeWait(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(6)), first.Wait);
        Assert.True(first.CreateDestDirs);
        Assert.Equal([KeyPath.Root], first.Keys);

        var inline = ct.Templates[1];
        Assert.Equal("name={{ key \"app/name\" }}\n", inline.Contents);
        Assert.Equal((UnixFileMode)0x1A0, inline.Mode);
        Assert.Equal(RenderMissingKey.Zero, inline.MissingKey);
        Assert.Equal(ConsulTemplateConfigLoader.DefaultCommandTimeout, inline.ReloadTimeout);

        var exec = ct.Exec!;
        Assert.Equal(["/usr/bin/app", "-config", "/etc/app.conf"], exec.Command);
        Assert.Equal(TimeSpan.FromSeconds(5), exec.Splay);
        Assert.Equal(("SIGUSR1", "SIGINT"), (exec.ReloadSignal, exec.KillSignal));
        Assert.Equal(TimeSpan.FromSeconds(2), exec.KillTimeout);
        Assert.Equal(["MODE=prod"], exec.Custom);
        Assert.Equal(["APP_*"], exec.Allowlist);
        Assert.Equal(["APP_SECRET"], exec.Denylist);
    }

    [Fact]
    public void ApplyTo_ConsulSettings_BecomeTheConsulStore()
    {
        var ct = ConsulTemplateConfigLoader.Parse("c.hcl", "consul {\n  address = \"10.0.0.5:8500\"\n  token = \"t\"\n  ssl { enabled = true }\n}\nmax_stale = \"1s\"\n");

        var store = ct.ApplyTo(new KvStoreOptions { Kind = "etcd", Endpoints = ["http://x:2379"] });

        Assert.Equal(KvStoreKinds.Consul, store.Kind);
        Assert.Equal(["https://10.0.0.5:8500"], store.Endpoints);
        Assert.Equal("t", store.Token);
        Assert.DoesNotContain("t\"", store.TokenSource, StringComparison.Ordinal);
        Assert.Equal("stale", store.Consistency);
    }

    [Fact]
    public void ApplyTo_NoConsulAddress_OtherStoreKept()
    {
        var ct = ConsulTemplateConfigLoader.Parse("c.hcl", "consul {\n  token = \"t\"\n}\n");

        var store = ct.ApplyTo(new KvStoreOptions { Kind = "etcd", Endpoints = ["http://x:2379"] });

        Assert.Equal("etcd", store.Kind);
        Assert.Null(store.Token);
    }

    [Fact]
    public void Load_Directory_MergesInLexicalOrder()
    {
        Write("t.ctmpl", "x");
        var dir = Path.Combine(_dir, "conf.d");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "20-b.hcl"), $"log_level = \"debug\"\ntemplate {{\n  source = \"{_dir}/t.ctmpl\"\n  destination = \"{_dir}/b\"\n}}\n");
        File.WriteAllText(Path.Combine(dir, "10-a.hcl"), $"log_level = \"info\"\nwait = \"1s\"\ntemplate {{\n  source = \"{_dir}/t.ctmpl\"\n  destination = \"{_dir}/a\"\n}}\n");
        File.WriteAllText(Path.Combine(dir, ".hidden.hcl"), "this is not hcl");

        var ct = ConsulTemplateConfigLoader.Load(dir);

        Assert.Equal("debug", ct.LogLevel);
        Assert.Equal(new ChangeWait(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4)), ct.Wait);
        Assert.Equal([Path.Combine(_dir, "a"), Path.Combine(_dir, "b")], ct.Templates.Select(t => t.Destination));
    }

    [Fact]
    public void Load_ExecCommandAsList_AndDisabledExec()
    {
        var list = ConsulTemplateConfigLoader.Parse("c.hcl", "exec {\n  command = [\"/bin/app\", \"-x\", \"a b\"]\n}\n");
        var disabled = ConsulTemplateConfigLoader.Parse("c.hcl", "exec {\n  enabled = false\n  command = \"x\"\n}\n");

        Assert.Equal(["/bin/app", "-x", "a b"], list.Exec!.Command);
        Assert.Null(list.Exec.ReloadSignal);
        Assert.Equal("SIGTERM", list.Exec.KillSignal);
        Assert.Null(disabled.Exec);
    }

    [Theory]
    [InlineData("lg_level = \"x\"", 1, 1, "unknown key \"lg_level\" in the configuration (did you mean \"log_level\"?)")]
    [InlineData("consul {\n  adress = \"x\"\n}", 2, 3, "unknown key \"adress\" in consul (did you mean \"address\"?)")]
    [InlineData("template {\n  destination = \"/tmp/x\"\n}", 1, 1, "template #1 needs source = \"path\" or contents")]
    [InlineData("template {\n  contents = \"x\"\n}", 1, 1, "template #1 needs destination")]
    [InlineData("template {\n  contents = \"x\"\n  destination = \"/tmp/x\"\n  perms = \"rw\"\n}", 4, 11, "perms must be an octal mode")]
    [InlineData("template {\n  contents = \"x\"\n  destination = \"/tmp/x\"\n  perms = 99999\n}", 4, 11, "not a file mode")]
    [InlineData("template {\n  contents = \"x\"\n  destination = \"/tmp/x\"\n  command_timeout = \"soon\"\n}", 4, 21, "command_timeout must be a duration")]
    [InlineData("template {\n  contents = \"x\"\n  destination = \"/tmp/x\"\n  wait = \"9s:1s\"\n}", 4, 10, "max must not be smaller than min")]
    [InlineData("template {\n  contents = \"x\"\n  destination = \"/tmp/x\"\n  backup = \"maybe\"\n}", 4, 12, "backup must be true or false")]
    [InlineData("template {\n  contents = \"x\"\n  destination = \"/tmp/x\"\n  left_delimiter = \"\"\n}", 4, 20, "left_delimiter must not be empty")]
    [InlineData("template {\n  source = \"/nonexistent/t\"\n  destination = \"/tmp/x\"\n}", 2, 12, "no such template")]
    [InlineData("kill_signal = \"SIGFOO\"", 1, 15, "unknown signal \"SIGFOO\"")]
    [InlineData("exec {\n  splay = \"1s\"\n}", 1, 1, "exec needs command")]
    [InlineData("exec {\n  command = \"app\"\n  env {\n    custom = [\"NOEQUALS\"]\n  }\n}", 4, 14, "must be NAME=value")]
    [InlineData("wait {\n  min = \"5s\"\n  mx = \"1s\"\n}", 3, 3, "unknown key \"mx\"")]
    [InlineData("log_level = \"a\"\nlog_level = \"b\"", 2, 1, "\"log_level\" is set twice")]
    [InlineData("vault {\n  address = \"x\"\n}", 1, 7, "\"vault\" is not supported")]
    [InlineData("consul = \"x\"", 1, 10, "consul must be a { block }")]
    public void Parse_BadConfiguration_PositionedError(string text, int line, int column, string reason)
    {
        var ex = Assert.Throws<ConfigException>(() => ConsulTemplateConfigLoader.Parse("ct.hcl", text));

        Assert.Equal((line, column), (ex.Line, ex.Column));
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.StartsWith($"ct.hcl:{line}:{column}: ", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("in.tpl:out.conf", "in.tpl", "out.conf", null)]
    [InlineData("in.tpl:out.conf:service app restart", "in.tpl", "out.conf", "service app restart")]
    [InlineData("/a/in.tpl:/b/out.conf:sh -c 'echo a:b'", "/a/in.tpl", "/b/out.conf", "sh -c 'echo a:b'")]
    public void ParseTemplateFlag_SourceDestinationCommand(string spec, string source, string destination, string? command)
    {
        var r = ConsulTemplateConfigLoader.ParseTemplateFlag(spec);

        Assert.Equal(Path.GetFullPath(source), r.Source);
        Assert.Equal(Path.GetFullPath(destination), r.Destination);
        Assert.Equal(command, r.ReloadCommand);
        Assert.Equal(RenderDataShape.ConsulTemplate, r.Shape);
    }

    [Theory]
    [InlineData("in.tpl")]
    [InlineData(":out")]
    [InlineData("in:")]
    public void ParseTemplateFlag_NoDestination_Refused(string spec) =>
        Assert.Contains("source:destination", Assert.Throws<ConfigException>(() => ConsulTemplateConfigLoader.ParseTemplateFlag(spec)).Message, StringComparison.Ordinal);
}
