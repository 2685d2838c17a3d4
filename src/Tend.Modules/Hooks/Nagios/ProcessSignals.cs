using System.Globalization;
using System.Runtime.InteropServices;

namespace Tend.Modules.Hooks.Nagios;

/// <summary>Sends SIGHUP to the process named by a pid (lock) file, after checking it is the expected program.</summary>
internal static class ProcessSignals
{
    private const int SigHup = 1;
    private const int Esrch = 3;

    /// <summary>
    /// Sends SIGHUP to the pid in <paramref name="pidFile"/> when that process's name contains
    /// <paramref name="expectedName"/> (a stale lock file must not get an unrelated process signalled).
    /// </summary>
    /// <returns><c>null</c> on success, else why it did not happen.</returns>
    public static string? HangUp(string pidFile, string expectedName)
    {
        string text;
        try
        {
            text = File.ReadAllText(pidFile).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"cannot read pid_file {pidFile} (is Nagios running?): {ex.Message}";
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid <= 1)
        {
            return $"pid_file {pidFile} does not hold a process id: \"{(text.Length > 40 ? text[..40] : text)}\"";
        }

        string comm;
        try
        {
            comm = File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"process {pid} from pid_file {pidFile} is not running (stale lock file?)";
        }

        if (!comm.Contains(expectedName, StringComparison.OrdinalIgnoreCase))
        {
            return $"process {pid} from pid_file {pidFile} is \"{comm}\", not {expectedName} (stale lock file?); not signalled";
        }

        if (HooksNativeMethods.Kill(pid, SigHup) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return errno == Esrch ? $"process {pid} from pid_file {pidFile} is not running" : $"kill -HUP {pid} failed: errno {errno}";
        }

        return null;
    }
}
