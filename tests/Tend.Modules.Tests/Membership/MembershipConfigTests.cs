using Tend.Core.Config;
using Tend.Modules.Membership;
using Tend.Modules.Tests.Render;
using Tend.Testing;
using Xunit;

namespace Tend.Modules.Tests.Membership;

public sealed class MembershipConfigTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Read_EnvironmentFileOnly_EtcdDiscoveryDefaults()
    {
        var o = Parse("""
            [membership]
            environment_file = "sysconfig/etcd-discovery"
            """);

        Assert.Equal(MembershipInventoryKind.Aws, o.Inventory);
        Assert.Equal(Path.Combine(_dir.Path, "sysconfig", "etcd-discovery"), o.EnvironmentFile);
        Assert.Equal((2379, "https", 2380, "https"), (o.ClientPort, o.ClientScheme, o.PeerPort, o.PeerScheme));
        Assert.Equal(MemberAddressKind.Hostname, o.Address);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, o.FileMode);
        Assert.Equal(TimeSpan.FromSeconds(30), o.Interval);
        Assert.True(o.Learner);
        Assert.False(o.ProxyMode);
    }

    [Fact]
    public void Read_StaticEveryKey_Applied()
    {
        var ca = _dir.File("ca.pem", "x");
        var o = Parse($"""
            [membership]
            inventory = "static"
            environment_file = "/run/etcd.env"
            file_mode = "0440"
            interval = "10s"
            timeout = "3s"
            settle = 0
            client_port = 4001
            client_scheme = "http"
            peer_port = 7001
            peer_scheme = "http"
            address = "ip"
            learner = false
            name = "b"
            members = ["a=10.0.0.1", "b = 10.0.0.2"]
            ca_file = "{ca}"
            username = "root"
            password = "pw"
            """);

        Assert.Equal(MembershipInventoryKind.Static, o.Inventory);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead, o.FileMode);
        Assert.Equal((TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(3), TimeSpan.Zero), (o.Interval, o.Timeout, o.Settle));
        Assert.Equal((4001, "http", 7001, "http"), (o.ClientPort, o.ClientScheme, o.PeerPort, o.PeerScheme));
        Assert.Equal(MemberAddressKind.Ip, o.Address);
        Assert.False(o.Learner);
        Assert.Equal([new StaticMember("a", "10.0.0.1"), new StaticMember("b", "10.0.0.2")], o.Members);
        Assert.Equal(("b", ca, "root", "pw"), (o.Name, o.CaFile, o.Username, o.Password));
    }

    [Theory]
    [InlineData("inventory = \"aws\"\nmembers = [\"a=1.2.3.4\"]", "members is for inventory = \"static\"")]
    [InlineData("inventory = \"static\"\nmembers = [\"a\"]", "entries are \"name=host\"")]
    [InlineData("inventory = \"static\"\nmembers = [\"a=http://x:2380\"]", "no scheme or port")]
    [InlineData("inventory = \"static\"\nmembers = [\"a=1.1.1.1\", \"a=1.1.1.2\"]", "listed twice")]
    [InlineData("inventory = \"static\"\nname = \"z\"\nmembers = [\"a=1.1.1.1\"]", "\"z\" is not among members")]
    [InlineData("inventory = \"static\"", "needs members")]
    [InlineData("inventory = \"dns\"", "needs domain")]
    [InlineData("name = \"x\"", "instance id")]
    [InlineData("proxy_mode = true", "proxy mode needs the etcd members' auto-scaling group")]
    [InlineData("client_scheme = \"tcp\"", "client_scheme must be one of")]
    [InlineData("peer_port = 70000", "peer_port")]
    [InlineData("file_mode = \"rw\"", "octal")]
    [InlineData("interval = \"0s\"", "interval must be greater than zero")]
    [InlineData("environment-file = \"x\"", "unknown key \"environment-file\"")]
    public void Read_Invalid_ErrorNamesTheProblem(string body, string expected)
    {
        var ex = Assert.Throws<ConfigException>(() => Parse($"[membership]\nenvironment_file = \"/run/etcd.env\"\n{body}\n"));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Contains("tend.toml:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NoEnvironmentFile_Refused()
    {
        var ex = Assert.Throws<ConfigException>(() => Parse("[membership]\ninventory = \"aws\"\n"));

        Assert.Contains("environment_file", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_SameEnvironmentTwice_FileWrittenOnceWithItsMode()
    {
        var path = Path.Combine(_dir.Path, "etc", "etcd.env");
        var env = new EtcdEnvironment("new", "a", [("a", "https://h:2380")], ["https://h:2380"], ["https://h:2379"], false, []);

        Assert.True(EnvironmentFileWriter.Write(path, env, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead));
        var inode = new FileInfo(path).LastWriteTimeUtc;
        Assert.False(EnvironmentFileWriter.Write(path, env, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead));
        Assert.Equal(inode, new FileInfo(path).LastWriteTimeUtc);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(path));

        // A changed mode alone is a change; so is changed content.
        Assert.True(EnvironmentFileWriter.Write(path, env, UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.True(EnvironmentFileWriter.Write(path, env with { State = "existing" }, UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.Equal("existing", EnvironmentFileWriter.ReadState(path));
        Assert.Equal(["etcd.env"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }

    private MembershipOptions Parse(string toml)
    {
        var config = TendConfigLoader.Parse(Path.Combine(_dir.Path, "tend.toml"), toml, [new MembershipConfigReader()]);
        return config.Module<MembershipOptions>("membership")!;
    }
}
