using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Tend.Core.Config;
using Tend.Logging;
using Xunit;

namespace Tend.Cli.Tests;

/// <summary><c>[log] output</c>: stderr (the default), stdout (etcdhooks' log.cfg) or syslog.</summary>
public sealed class LogOutputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tend-log-output-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void CreateFactory_OutputSyslog_SendsEachLineToTheSyslogSocket()
    {
        var path = Path.Combine(_dir, "log.sock");
        using var server = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        server.Bind(new UnixDomainSocketEndPoint(path));
        server.ReceiveTimeout = 10_000;

        using (var loggers = TendLogging.CreateFactory(new LogOptions { Output = "syslog" }, path))
        {
            loggers.CreateLogger("Tend.Test").LogWarning("disk {Name} almost full", "/var");
        }

        var buffer = new byte[4096];
        int n = server.Receive(buffer);
        var datagram = Encoding.UTF8.GetString(buffer, 0, n);
        Assert.StartsWith("<28>", datagram, StringComparison.Ordinal); // facility daemon, severity warning
        Assert.EndsWith("disk /var almost full", datagram, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("stdout", true)]
    [InlineData("stderr", false)]
    public async Task Render_LogOutput_LinesGoToTheChosenStream(string output, bool onStdout)
    {
        File.WriteAllText(Path.Combine(_dir, "data.yaml"), "a: 1\n");
        File.WriteAllText(Path.Combine(_dir, "t.tmpl"), "{{getv \"/nope\"}}");
        var config = Path.Combine(_dir, "tend.toml");
        File.WriteAllText(config, $"""
            [store]
            kind = "file"
            files = ["data.yaml"]

            [log]
            output = "{output}"

            [[render.template]]
            src = "t.tmpl"
            dest = "{Path.Combine(_dir, "out")}"
            keys = ["/"]
            """);

        var (code, stdout, stderr) = await TendProcess.RunAsync(null, "render", "--onetime", "--config", config);

        Assert.Equal(1, code);
        var (chosen, other) = onStdout ? (stdout, stderr) : (stderr, stdout);
        Assert.Contains("/nope", chosen, StringComparison.Ordinal);
        Assert.DoesNotContain("/nope", other, StringComparison.Ordinal);
    }
}
