using System.Net;
using Tend.Testing.Servers;

namespace Tend.Testing.Aws;

/// <summary>A small HTTP server on a loopback port (HttpListener), for the AWS test doubles.</summary>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<HttpListenerContext, Task> _handle;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _disposed;

    public LoopbackHttpServer(Func<HttpListenerContext, Task> handle)
    {
        _handle = handle;
        Port = FreePort.Next();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public Uri Endpoint => new($"http://127.0.0.1:{Port}/");

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Close alone, once: it ends the pending GetContextAsync. Stop followed by Close unregisters the prefix twice,
        // and the managed listener's second unregistration binds the port again to find it (failing with "Address
        // already in use" when someone else has taken the port since, or else leaving a listening socket behind).
        await _stop.CancelAsync();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is ObjectDisposedException or HttpListenerException or OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is ObjectDisposedException or HttpListenerException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                try
                {
                    await _handle(context);
                }
                catch (Exception ex)
                {
                    try
                    {
                        context.Response.StatusCode = 500;
                        var bytes = System.Text.Encoding.UTF8.GetBytes(ex.ToString());
                        await context.Response.OutputStream.WriteAsync(bytes);
                    }
                    catch (Exception ex2) when (ex2 is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                    {
                    }
                }
                finally
                {
                    try
                    {
                        context.Response.Close();
                    }
                    catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                    {
                    }
                }
            });
        }
    }
}
