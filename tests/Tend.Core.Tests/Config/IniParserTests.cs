using Tend.Core.Config.Ini;
using Xunit;

namespace Tend.Core.Tests.Config;

public sealed class IniParserTests
{
    private const string ZkWatcherSample =
        "# zk_watcher config\n"
        + "[ssh]\n"
        + "cmd: /etc/init.d/sshd status\n"
        + "refresh = 60\n"
        + "service_port: 22\n"
        + "zookeeper_path: /services/ssh\n"
        + "zookeeper_data:\n"
        + "\n"
        + "; another service\n"
        + "[apache]\n"
        + "  cmd : /etc/init.d/httpd status  \n";

    [Fact]
    public void Parse_ZkWatcherFile_ReadsSectionsEntriesAndLines()
    {
        var doc = IniParser.Parse(ZkWatcherSample);

        Assert.Equal(["ssh", "apache"], doc.Sections.Select(s => s.Name));
        var ssh = doc.Sections[0];
        Assert.Equal(2, ssh.Line);
        Assert.Equal(["cmd", "refresh", "service_port", "zookeeper_path", "zookeeper_data"], ssh.Entries.Select(e => e.Key));
        Assert.Equal([3, 4, 5, 6, 7], ssh.Entries.Select(e => e.Line));
        Assert.True(ssh.TryGetValue("cmd", out var cmd));
        Assert.Equal("/etc/init.d/sshd status", cmd);
        Assert.True(ssh.TryGetValue("zookeeper_data", out var data));
        Assert.Equal(string.Empty, data);

        Assert.True(doc.TryGetSection("apache", out var apache));
        var entry = Assert.Single(apache.Entries);
        Assert.Equal(("cmd", "/etc/init.d/httpd status", 11), (entry.Key, entry.Value, entry.Line));
    }

    [Fact]
    public void Parse_FirstSeparatorWins_RestBelongsToValue()
    {
        var doc = IniParser.Parse("[s]\nurl = http://host:80/a=b\nk: v = w\n");

        var s = doc.Sections[0];
        Assert.True(s.TryGetValue("url", out var url));
        Assert.Equal("http://host:80/a=b", url);
        Assert.True(s.TryGetValue("k", out var k));
        Assert.Equal("v = w", k);
    }

    [Fact]
    public void Parse_ContinuationLines_JoinWithNewlines()
    {
        var doc = IniParser.Parse("[s]\ncmd = first\n  second\n\n\tthird\n# note\n  fourth\nnext = 1\n");

        var s = doc.Sections[0];
        Assert.True(s.TryGetEntry("cmd", out var cmd));
        Assert.Equal("first\nsecond\n\nthird\nfourth", cmd.Value);
        Assert.Equal((2, 2), (cmd.Line, cmd.ValueLine));
        Assert.True(s.TryGetValue("next", out var next));
        Assert.Equal("1", next);
    }

    [Fact]
    public void Parse_EmptyValueThenContinuation_ValueStartsOnContinuationLine()
    {
        var doc = IniParser.Parse("[s]\nhosts:\n  a\n  b\n");

        Assert.True(doc.Sections[0].TryGetEntry("hosts", out var hosts));
        Assert.Equal("a\nb", hosts.Value);
        Assert.Equal((2, 3), (hosts.Line, hosts.ValueLine));
    }

    [Fact]
    public void Parse_TrailingBlankLines_AreNotPartOfValue()
    {
        var doc = IniParser.Parse("[s]\nk = v\n\n\n[t]\n");

        Assert.True(doc.Sections[0].TryGetValue("k", out var k));
        Assert.Equal("v", k);
    }

    [Fact]
    public void TryGetValue_DifferentCase_FindsKeyAndKeepsSpelling()
    {
        var doc = IniParser.Parse("[Svc]\nService_Port = 22\n");

        Assert.True(doc.TryGetSection("Svc", out var svc));
        Assert.False(doc.TryGetSection("svc", out _));
        Assert.True(svc.TryGetEntry("SERVICE_PORT", out var entry));
        Assert.Equal("Service_Port", entry.Key);
        Assert.Equal("22", entry.Value);
    }

    [Fact]
    public void Parse_CrlfAndBom_AreHandled()
    {
        var doc = IniParser.Parse("\uFEFF[s]\r\nk = v\r\n  w\r\n");

        Assert.True(doc.Sections[0].TryGetValue("k", out var k));
        Assert.Equal("v\nw", k);
    }

    [Fact]
    public void Parse_EmptyText_HasNoSections()
    {
        Assert.Empty(IniParser.Parse("").Sections);
        Assert.Empty(IniParser.Parse("\n# only a comment\n").Sections);
    }

    [Theory]
    [InlineData("k = v\n[s]\n", 1, "before any [section]")]
    [InlineData("# c\n  k = v\n", 2, "before any [section]")]
    [InlineData("[s]\n[t]\n[s]\n", 3, "duplicate section [s] (first defined on line 1)")]
    [InlineData("[s]\nKey = 1\nkey = 2\n", 3, "duplicate key \"key\" in [s] (first defined on line 2)")]
    [InlineData("[s]\njust text\n", 2, "expected \"key = value\"")]
    [InlineData("[s]\n = v\n", 2, "missing key")]
    [InlineData("[s\n", 1, "must end with ']'")]
    [InlineData("[s]\n[ ]\n", 2, "section name is empty")]
    public void Parse_InvalidFile_ThrowsWithLine(string text, int line, string reasonPart)
    {
        var ex = Assert.Throws<IniException>(() => IniParser.Parse(text));

        Assert.Equal(line, ex.Line);
        Assert.Contains(reasonPart, ex.Reason, StringComparison.Ordinal);
        Assert.Equal($"{line}: {ex.Reason}", ex.Message);
        Assert.Equal(ex.Message, ex.ToString());
    }

    [Fact]
    public void Parse_SameKeyInDifferentSections_IsAllowed()
    {
        var doc = IniParser.Parse("[a]\ncmd = x\n[b]\ncmd = y\n");

        Assert.True(doc.Sections[1].TryGetValue("cmd", out var cmd));
        Assert.Equal("y", cmd);
    }
}
