using System.Runtime.InteropServices;

namespace Tend.Daemon;

/// <summary>
/// SIGHUP as reload requests (several before the daemon gets to them make one). Taken over at the very
/// start of the daemon, so a SIGHUP during start-up reloads once running instead of killing the process,
/// and even when SIGHUP was inherited ignored (nohup, a parent shell's <c>trap "" HUP</c>, some init
/// scripts): .NET leaves an inherited "ignore" in place and would never deliver the signal, so that
/// disposition is reset first. A real handler found in place is left alone.
/// </summary>
internal sealed class ReloadSignal : IDisposable
{
    private const int SigHup = 1;
    private static readonly nint SigDfl = 0;
    private static readonly nint SigIgn = 1;
    private readonly SemaphoreSlim _requested = new(0, 1);
    private readonly PosixSignalRegistration _registration;

    public ReloadSignal()
    {
        WasIgnored = ResetIfIgnored();
        _registration = PosixSignalRegistration.Create(PosixSignal.SIGHUP, ctx =>
        {
            ctx.Cancel = true;
            Request();
        });
    }

    /// <summary>True when the process had inherited SIGHUP ignored.</summary>
    public bool WasIgnored { get; }

    /// <summary>Asks for a reload, as SIGHUP does; a request already pending absorbs it.</summary>
    public void Request()
    {
        try
        {
            _requested.Release();
        }
        catch (SemaphoreFullException)
        {
            // A reload is already pending; one is enough.
        }
        catch (ObjectDisposedException)
        {
            // Stopping.
        }
    }

    /// <summary>Waits for the next request.</summary>
    public Task WaitAsync(CancellationToken cancellationToken) => _requested.WaitAsync(cancellationToken);

    public void Dispose()
    {
        _registration.Dispose();
        _requested.Dispose();
    }

    private static bool ResetIfIgnored()
    {
        // struct sigaction starts with the handler on Linux (glibc and musl, every architecture); the buffer is
        // larger than the struct anywhere.
        var old = Marshal.AllocHGlobal(512);
        try
        {
            if (SigAction(SigHup, 0, old) != 0 || Marshal.ReadIntPtr(old) != SigIgn)
            {
                return false;
            }

            Signal(SigHup, SigDfl);
            return true;
        }
        finally
        {
            Marshal.FreeHGlobal(old);
        }
    }

    [DllImport("libc", EntryPoint = "sigaction", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SigAction(int signal, nint action, nint oldAction);

    [DllImport("libc", EntryPoint = "signal", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern nint Signal(int signal, nint handler);
}
