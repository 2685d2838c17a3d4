using System.Diagnostics;
using System.Net.Sockets;

namespace Tend.Modules.Checks;

/// <summary>Healthy when a TCP connection to host:port opens within the timeout.</summary>
internal sealed class TcpHealthCheck(string host, int port, TimeSpan timeout) : IHealthCheck
{
    public async Task<CheckResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var sw = Stopwatch.StartNew();
        using var client = new TcpClient();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            await client.ConnectAsync(host, port, cts.Token).ConfigureAwait(false);
            return new CheckResult(true, $"connected to {host}:{port}", sw.Elapsed);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new CheckResult(false, $"connect to {host}:{port} timed out", sw.Elapsed);
        }
        catch (SocketException ex)
        {
            return new CheckResult(false, $"connect to {host}:{port}: {ex.Message}", sw.Elapsed);
        }
    }
}
