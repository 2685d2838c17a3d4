using Tend.Core.Config;
using Tend.Modules.Render;
using Xunit;

namespace Tend.Modules.Tests.Render;

public sealed class ShellCommandTemplateTests
{
    [Theory]
    [InlineData("haproxy -c -f {{.src}}", "/etc/haproxy/.haproxy.cfg.tend-0123456789", "haproxy -c -f /etc/haproxy/.haproxy.cfg.tend-0123456789")]
    [InlineData("nginx -t -c '{{.src}}'", "/etc/nginx/.n.tend-0123456789", "nginx -t -c '/etc/nginx/.n.tend-0123456789'")]
    [InlineData("check \"{{.src}}\"", "/a/b", "check \"/a/b\"")]
    [InlineData("check {{.src}}", "/srv/my app/f", "check '/srv/my app/f'")]
    [InlineData("check {{.src}}", "/srv/it's/f", @"check '/srv/it'\''s/f'")]
    [InlineData("check '{{.src}}'", "/srv/it's/f", @"check '/srv/it'\''s/f'")]
    [InlineData("check \"{{.src}}\"", "/srv/$(x) `y` \"z\" \\w", "check \"/srv/\\$(x) \\`y\\` \\\"z\\\" \\\\w\"")]
    [InlineData("a 'x' {{.src}} \"y\" {{.src}}", "/a b", "a 'x' '/a b' \"y\" '/a b'")]
    [InlineData("a \\'{{.src}}", "/a b", "a \\''/a b'")]
    public void Expand_ValueQuotedForWhereItLands(string template, string path, string expected) =>
        Assert.Equal(expected, ShellCommandTemplate.Parse("check_cmd", "t.toml:1", template, "src").Expand(path));

    [Fact]
    public void Expand_TwoValues_EachInItsPlace()
    {
        var command = ShellCommandTemplate.Parse("check_cmd", "t.toml:1", "nagios -v {{.config}} # {{.main_config}}", "config", "main_config");
        Assert.Equal("nagios -v /tmp/x # '/etc/my nagios/nagios.cfg'", command.Expand("/tmp/x", "/etc/my nagios/nagios.cfg"));
    }

    [Fact]
    public void Parse_BuiltinThatKeepsTheValue_Accepted()
    {
        var command = ShellCommandTemplate.Parse("check_cmd", "t.toml:1", "check {{printf \"%s\" .src}}{{if .src}} ok{{end}}", "src");
        Assert.Equal("check '/a b' ok", command.Expand("/a b"));
    }

    [Theory]
    [InlineData("{{printf \"%q\" .src}}")]
    [InlineData("{{printf \"%.3s\" .src}}")]
    [InlineData("{{len .src}}")]
    [InlineData("{{html .src}}{{len .src}}")]
    public void Parse_FunctionAppliedToTheValue_Refused(string template)
    {
        var ex = Assert.Throws<ConfigException>(() => ShellCommandTemplate.Parse("check_cmd", "t.toml:1", "check " + template, "src"));
        Assert.Equal("t.toml:1: check_cmd: use {{.src}} as it is; a function applied to it cannot be shell-quoted safely", ex.Message);
    }
}
