using Tend.Core.Config;
using Tend.Modules.Register;
using Xunit;

namespace Tend.Modules.Tests.Register;

public sealed class ZkWatcherConfigLoaderTests
{
    private const string SeedExample = """
        [ssh]
        cmd: /etc/init.d/sshd status
        refresh: 60
        service_port: 22
        zookeeper_path: /services/ssh
        zookeeper_data: 

        [apache]
        cmd: /etc/init.d/apache status
        refresh: 60
        service_port: 22
        zookeeper_path: /services/web
        zookeeper_data: 
        """;

    [Fact]
    public void Parse_SeedDocumentExample_TwoServices()
    {
        var o = ZkWatcherConfigLoader.Parse("config.cfg", SeedExample);
        Assert.Equal(["ssh", "apache"], o.Services.Select(s => s.Name));
        var ssh = o.Services[0];
        Assert.Equal("/etc/init.d/sshd status", ssh.Command);
        Assert.Equal(TimeSpan.FromSeconds(60), ssh.Refresh);
        Assert.Equal(22, ssh.Port);
        Assert.Equal("/services/ssh", ssh.Path);
        Assert.Empty(ssh.Data);
        Assert.Null(ssh.Hostname);
        Assert.Equal((1, 1), (ssh.Rise, ssh.Fall));
        Assert.Null(o.AuthUser);
    }

    [Fact]
    public void Parse_AuthAndDataForms_Read()
    {
        var o = ZkWatcherConfigLoader.Parse("config.cfg", """
            [auth]
            user = username
            password = 123456

            [web]
            cmd = curl -fs localhost
            refresh = 5
            service_port = 80
            zookeeper_path = /services/web/
            zookeeper_data = {"weight": 10, "zone": "eu"}
            service_hostname = web1.example.com

            [api]
            cmd = true
            refresh = 5
            service_port = 8080
            zookeeper_path = /services/api
            zookeeper_data = weight=5, zone = us
            """);
        Assert.Equal(("username", "123456"), (o.AuthUser, o.AuthPassword));
        var web = o.Services[0];
        Assert.Equal("/services/web", web.Path);
        Assert.Equal("web1.example.com", web.Hostname);
        Assert.Equal(["weight", "zone"], web.Data.Select(d => d.Key));
        Assert.Equal("10", web.Data[0].Value!.ToJsonString());
        Assert.Equal([("weight", "\"5\""), ("zone", "\"us\"")], o.Services[1].Data.Select(d => (d.Key, d.Value!.ToJsonString())));
    }

    [Theory]
    [InlineData("[web]\nrefresh: 5\nservice_port: 80\nzookeeper_path: /s\n", 1, "needs cmd")]
    [InlineData("[web]\ncmd: true\nservice_port: http\nzookeeper_path: /s\n", 3, "service_port must be a port number")]
    [InlineData("[web]\ncmd: true\nservice_port: 80\n", 1, "needs zookeeper_path")]
    [InlineData("[web]\ncmd: true\nservice_port: 80\nzookeeper_path: /s\nrefresh: soon\n", 5, "refresh must be a duration such as")]
    [InlineData("[web]\ncmd: true\nservice_port: 80\nzookeeper_path: /s\nzookeeper_data: {\"a\": \n", 5, "not a valid JSON object")]
    [InlineData("[web]\ncmd: true\nservice_port: 80\nzookeeper_path: /s\nzookeeper_data: a=1, b\n", 5, "has no '='")]
    [InlineData("[web]\ncmd: true\nservice_port: 80\nzookeeper_path: /s\nrefesh: 5\n", 5, "unknown key \"refesh\"")]
    [InlineData("[auth]\nuser: u\n", 1, "needs both user and password")]
    [InlineData("cmd: true\n", 1, "")]
    [InlineData("[a]\ncmd: true\nservice_port: 80\nzookeeper_path: /s\n[b]\ncmd: true\nservice_port: 80\nzookeeper_path: /s\n", 5, "registers the same entry as [a]")]
    public void Parse_BadIni_ErrorNamesFileAndLine(string ini, int line, string reason)
    {
        var ex = Assert.Throws<ConfigException>(() => ZkWatcherConfigLoader.Parse("/etc/zk/config.cfg", ini));
        Assert.StartsWith($"/etc/zk/config.cfg:{line}: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }
}
