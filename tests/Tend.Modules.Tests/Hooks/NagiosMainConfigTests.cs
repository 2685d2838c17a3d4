using Tend.Modules.Hooks;
using Tend.Modules.Hooks.Nagios;
using Tend.Modules.Tests.Render;
using Tend.Testing;
using Xunit;

namespace Tend.Modules.Tests.Hooks;

public sealed class NagiosMainConfigTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Stage_CfgDirHoldingGeneratedFile_ExpandedLikeNagiosWithStagedCopies()
    {
        var confd = Path.Combine(_dir.Path, "conf.d");
        _dir.File("conf.d/a.cfg", "a");
        _dir.File("conf.d/flex-hosts.cfg", "old");
        _dir.File("conf.d/sub/b.cfg", "b");
        _dir.File("conf.d/.hidden.cfg", "skipped by Nagios");
        _dir.File("conf.d/.hiddendir/c.cfg", "skipped by Nagios");
        _dir.File("conf.d/notes.txt", "not a .cfg");
        _dir.File("conf.d/.flex-hosts.cfg.tend-1234", "the staged file");
        _dir.File("other/x.cfg", "x");
        var text = "# main\nlog_file=var/nagios.log\ncfg_file=objects.cfg\ncfg_dir=conf.d\ncfg_dir=other\nresource_file=resource.cfg\n";
        var substitutes = new Dictionary<string, string>
        {
            [Path.Combine(confd, "flex-hosts.cfg")] = Path.Combine(confd, ".flex-hosts.cfg.tend-1234"),
            [Path.Combine(confd, "flex-groups.cfg")] = Path.Combine(confd, ".flex-groups.cfg.tend-5678"),
        };
        var used = new HashSet<string>();

        var staged = NagiosMainConfig.Stage(text, _dir.Path, substitutes, used);

        Assert.Equal(
            $"""
            # main
            log_file=var/nagios.log
            cfg_file={_dir.Path}/objects.cfg
            # cfg_dir={confd}, expanded by Tend to read the staged files
            cfg_file={confd}/a.cfg
            cfg_file={confd}/.flex-groups.cfg.tend-5678
            cfg_file={confd}/.flex-hosts.cfg.tend-1234
            cfg_file={confd}/sub/b.cfg
            cfg_dir={_dir.Path}/other
            resource_file={_dir.Path}/resource.cfg

            """,
            staged);
        Assert.Equal(substitutes.Keys.Order(), used.Order());
    }

    [Fact]
    public void Stage_GeneratedFileByCfgFile_ReplacedAndUnreferencedReported()
    {
        var hosts = Path.Combine(_dir.Path, "flex-hosts.cfg");
        var groups = Path.Combine(_dir.Path, "elsewhere", "flex-groups.cfg");
        var substitutes = new Dictionary<string, string> { [hosts] = hosts + ".staged", [groups] = groups + ".staged" };
        var used = new HashSet<string>();

        var staged = NagiosMainConfig.Stage("cfg_file=flex-hosts.cfg\r\n  cfg_file = objects.cfg\n", _dir.Path, substitutes, used);

        Assert.Equal($"cfg_file={hosts}.staged\ncfg_file={_dir.Path}/objects.cfg\n", staged);
        Assert.Equal([hosts], used);
    }
}
