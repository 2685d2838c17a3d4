using Tend.Daemon;
using Xunit;

namespace Tend.Cli.Tests.Daemon;

public sealed class HostsEndpointsTests
{
    [Fact]
    public void HeaderText_StoreMessageWithLineBreakDashAndUnicode_AcceptedByKestrelsHeaderRules()
    {
        var message = "etcd at http://127.0.0.1:2379 is unreachable — connection refused\r\n(retrying) ✓";

        var text = HostsEndpoints.HeaderText(message);

        Assert.Equal("etcd at http://127.0.0.1:2379 is unreachable - connection refused  (retrying)  ", text);
        Assert.All(text, c => Assert.InRange(c, ' ', '~'));
    }
}
