using Microsoft.Extensions.Logging;

namespace Tend.Stores.Etcd;

/// <summary>
/// A watch stream on a quiet range is silent, and a half-open TCP connection looks the same; so after
/// <see cref="EtcdStoreSettings.WatchIdleTimeout"/> of silence the endpoint is probed with a linearizable
/// read, and a stream whose endpoint does not answer is torn down. Progress notifications break the silence
/// of a healthy stream, so one silent for <see cref="EtcdStoreSettings.WatchStallTimeout"/> is torn down regardless.
/// </summary>
internal static class EtcdStreamWatchdog
{
    /// <summary>Runs until <paramref name="stream"/> is cancelled; cancels it when the stream stalled.</summary>
    /// <param name="lastActivity">When the stream last delivered anything (<see cref="Environment.TickCount64"/>).</param>
    /// <param name="endpoint">The endpoint the stream runs on.</param>
    /// <param name="probe">Asks whether the endpoint still answers.</param>
    /// <param name="settings">The timeouts.</param>
    /// <param name="logger">Where to log a stall.</param>
    /// <param name="what">What the stream watches, for the log.</param>
    /// <param name="stream">Cancelled to tear the stream down.</param>
    public static async Task RunAsync(Func<long> lastActivity, Uri endpoint, Func<Uri, CancellationToken, Task<bool>> probe, EtcdStoreSettings settings, ILogger logger, Func<string> what, CancellationTokenSource stream)
    {
        var idle = settings.WatchIdleTimeout;
        try
        {
            while (!stream.IsCancellationRequested)
            {
                await Task.Delay(idle / 2, stream.Token).ConfigureAwait(false);
                var silentMs = Environment.TickCount64 - lastActivity();
                if (silentMs < idle.TotalMilliseconds)
                {
                    continue;
                }

                if (silentMs >= settings.WatchStallTimeout.TotalMilliseconds
                    || !await probe(endpoint, stream.Token).ConfigureAwait(false))
                {
                    EtcdLog.WatchStalled(logger, what(), silentMs, endpoint);
                    await stream.CancelAsync().ConfigureAwait(false);
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The stream ended first.
        }
    }
}
