using Tend.Cli;
using Tend.Modules.Membership;
using Xunit;

namespace Tend.Cli.Tests;

/// <summary>etcd-discovery's command line as Go's flag package reads it, and what Tend makes of it.</summary>
public sealed class GoFlagParserTests
{
    [Theory]
    [InlineData("-environment-file=/etc/sysconfig/etcd-discovery")]
    [InlineData("--environment-file=/etc/sysconfig/etcd-discovery")]
    [InlineData("-environment-file", "/etc/sysconfig/etcd-discovery")]
    [InlineData("--environment-file", "/etc/sysconfig/etcd-discovery")]
    public void Parse_EveryGoSpelling_SameValue(params string[] args)
    {
        var values = MembershipCommand.Flags.Parse(args)!;

        Assert.Equal("/etc/sysconfig/etcd-discovery", Assert.Single(values["environment-file"]));
    }

    [Theory]
    [InlineData("-proxy-mode", "true")]
    [InlineData("--proxy-mode", "true")]
    [InlineData("-proxy-mode=true", "true")]
    [InlineData("-proxy-mode=T", "true")]
    [InlineData("-proxy-mode=1", "true")]
    [InlineData("-proxy-mode=false", "false")]
    [InlineData("-proxy-mode=False", "false")]
    [InlineData("-proxy-mode=0", "false")]
    public void Parse_Booleans_GoForms(string arg, string expected) =>
        Assert.Equal(expected, Assert.Single(MembershipCommand.Flags.Parse([arg])!["proxy-mode"]));

    [Theory]
    [InlineData("-etcd-client-port=2379", 2379)]
    [InlineData("-etcd-client-port=0x94B", 2379)]
    [InlineData("-etcd-client-port=04513", 2379)]
    [InlineData("-etcd-client-port=0o4513", 2379)]
    [InlineData("-etcd-client-port=0b1001_0100_1011", 2379)]
    public void Parse_Integers_GoBases(string arg, int expected) =>
        Assert.Equal(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), Assert.Single(MembershipCommand.Flags.Parse([arg])!["etcd-client-port"]));

    [Theory]
    [InlineData(new[] { "-private-hostnames", "false" }, "unexpected argument 'false'")]
    [InlineData(new[] { "-no-such-flag" }, "flag provided but not defined: -no-such-flag")]
    [InlineData(new[] { "-environment-file" }, "flag needs an argument: -environment-file")]
    [InlineData(new[] { "-proxy-mode=yes" }, "invalid boolean value \"yes\"")]
    [InlineData(new[] { "-etcd-peer-port=23x" }, "invalid value \"23x\" for -etcd-peer-port")]
    [InlineData(new[] { "---v=1" }, "bad flag syntax")]
    [InlineData(new[] { "--", "extra" }, "unexpected argument 'extra' after --")]
    public void Parse_Mistakes_GoMessages(string[] args, string expected)
    {
        var ex = Assert.Throws<UsageException>(() => MembershipCommand.Flags.Parse(args));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-h")]
    [InlineData("-help")]
    [InlineData("--help")]
    public void Parse_Help_Null(string arg) => Assert.Null(MembershipCommand.Flags.Parse([arg]));

    [Fact]
    public void Resolve_SeedMasterCommandLine_EtcdDiscoveryDefaults()
    {
        // From the seed's systemd unit: ExecStart=/opt/bin/etcd-discovery -environment-file=/etc/sysconfig/etcd-discovery -logtostderr -v=10
        var (o, log, wait) = Resolve("-environment-file=/etc/sysconfig/etcd-discovery", "-logtostderr", "-v=10");

        Assert.Equal("/etc/sysconfig/etcd-discovery", o.EnvironmentFile);
        Assert.Equal(MembershipInventoryKind.Aws, o.Inventory);
        Assert.Equal((2379, "https", 2380, "https"), (o.ClientPort, o.ClientScheme, o.PeerPort, o.PeerScheme));
        Assert.Equal(MemberAddressKind.Hostname, o.Address);
        Assert.False(o.ProxyMode);
        Assert.Null(o.ScalingGroupName);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Trace, log.Level);
        Assert.Equal(TimeSpan.FromMinutes(2), wait);
    }

    [Fact]
    public void Resolve_SeedConsumerCommandLine_ProxyModeOnTheNamedGroup()
    {
        var (o, _, _) = Resolve("-scaling-group-name=THE_NAME_OF_ETCD_SCALING_GROUP", "-proxy-mode=true", "-environment-file=/etc/sysconfig/etcd-discovery", "-logtostderr", "-v=10");

        Assert.True(o.ProxyMode);
        Assert.Equal("THE_NAME_OF_ETCD_SCALING_GROUP", o.ScalingGroupName);
    }

    [Fact]
    public void Resolve_EveryEtcdDiscoveryAndGlogFlag_Accepted()
    {
        var (o, log, _) = Resolve(
            "-environment-file", "env", "-etcd-client-port", "4001", "-etcd-client-schema=HTTP", "-etcd-peer-port=7001", "-etcd-peer-scheme", "http",
            "-private-addresses", "-scaling-group-name", "etcd", "-alsologtostderr", "-v", "2", "-log_dir=/var/log", "-stderrthreshold=WARNING",
            "-vmodule=etcd*=3,aws=1", "-log_backtrace_at=etcd.go:52");

        Assert.Equal(Path.GetFullPath("env"), o.EnvironmentFile);
        Assert.Equal((4001, "http", 7001, "http"), (o.ClientPort, o.ClientScheme, o.PeerPort, o.PeerScheme));
        Assert.Equal(MemberAddressKind.Ip, o.Address);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Debug, log.Level);
    }

    [Theory]
    [InlineData(new[] { "-private-addresses", "-private-hostnames=true" }, "cannot have both")]
    [InlineData(new[] { "-etcd-client-schema=tcp" }, "the scheme tcp for -etcd-client-schema is invalid")]
    [InlineData(new[] { "-etcd-peer-port=0" }, "-etcd-peer-port 0 is not a port")]
    [InlineData(new[] { "-proxy-mode" }, "proxy mode needs the etcd members' auto-scaling group")]
    [InlineData(new[] { "-stderrthreshold=LOUD" }, "-stderrthreshold")]
    [InlineData(new[] { "-vmodule=etcd" }, "-vmodule")]
    [InlineData(new[] { "-inventory=static" }, "needs members")]
    [InlineData(new[] { "-inventory=static", "-member=a" }, "give name=host")]
    public void Resolve_Mistakes_Refused(string[] args, string expected)
    {
        var ex = Assert.ThrowsAny<Exception>(() => Resolve(["-environment-file=/tmp/x.env", .. args]));

        Assert.True(ex is UsageException or Tend.Core.Config.ConfigException, ex.ToString());
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_NoEnvironmentFile_RefusedAsTheOriginalDid()
    {
        var ex = Assert.Throws<UsageException>(() => Resolve("-logtostderr"));

        Assert.Contains("you have not set the environment file path", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_PrivateHostnamesFalseAlone_StillHostnames()
    {
        // etcd-discovery used the DNS name unless -private-addresses was on.
        Assert.Equal(MemberAddressKind.Hostname, Resolve("-environment-file=/tmp/x", "-private-hostnames=false").Options.Address);
        Assert.Equal(MemberAddressKind.Ip, Resolve("-environment-file=/tmp/x", "-private-addresses=true", "-private-hostnames=false").Options.Address);
    }

    [Fact]
    public void Find_MembershipAfterGlobalOptions_Found()
    {
        Assert.Equal(2, MembershipCommand.Find(["--config", "/etc/tend/tend.toml", "membership", "-v=1"]));
        Assert.Equal(1, MembershipCommand.Find(["--log-level=debug", "membership"]));
        Assert.Equal(-1, MembershipCommand.Find(["--config", "membership", "run"]));
        Assert.Equal(-1, MembershipCommand.Find(["render", "membership"]));
    }

    private static (MembershipOptions Options, Tend.Core.Config.LogOptions Log, TimeSpan Wait) Resolve(params string[] args) =>
        MembershipCommand.Resolve(MembershipCommand.Flags.Parse(["--config", EmptyConfig, .. args])!);

    private static string EmptyConfig { get; } = CreateEmptyConfig();

    private static string CreateEmptyConfig()
    {
        // A config without [membership], so a /etc/tend/tend.toml on the test machine cannot leak in.
        var path = Path.Combine(Directory.CreateTempSubdirectory("tend-goflags-").FullName, "tend.toml");
        File.WriteAllText(path, "[log]\nlevel = \"info\"\n");
        return path;
    }
}
