using System.Diagnostics;
using System.Text;

namespace Tend.Core.Processes;

/// <summary>
/// Runs commands with <c>/bin/sh -c</c> in a clean environment (PATH, HOME, LANG and the spec's
/// own variables — nothing inherited from Tend's environment, so a command behaves the same under
/// systemd and in a shell), with a timeout that kills the whole process tree, and with stdout and
/// stderr captured for the log.
/// </summary>
public sealed class ShellCommandRunner : ICommandRunner
{
    /// <summary>The PATH every command gets.</summary>
    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>A shared instance.</summary>
    public static ShellCommandRunner Instance { get; } = new();

    /// <inheritdoc />
    public async Task<CommandResult> RunAsync(CommandSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var psi = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = spec.WorkingDirectory,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(spec.CommandLine);
        psi.Environment.Clear();
        psi.Environment["PATH"] = DefaultPath;
        psi.Environment["HOME"] = Environment.GetEnvironmentVariable("HOME") ?? "/";
        psi.Environment["LANG"] = "C.UTF-8";
        foreach (var (k, v) in spec.Environment)
        {
            psi.Environment[k] = v;
        }

        var stdout = new BoundedText(spec.MaxOutputChars);
        var stderr = new BoundedText(spec.MaxOutputChars);
        var sw = Stopwatch.StartNew();
        using var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => stdout.AppendLine(e.Data);
        process.ErrorDataReceived += (_, e) => stderr.AppendLine(e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return new CommandResult(-1, string.Empty, $"cannot start /bin/sh: {ex.Message}", false, sw.Elapsed);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            if (spec.StandardInput is not null)
            {
                await process.StandardInput.WriteAsync(spec.StandardInput.AsMemory(), cancellationToken).ConfigureAwait(false);
            }

            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The command exited without reading its input; that is its business.
        }

        bool timedOut = false;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(spec.Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            timedOut = !cancellationToken.IsCancellationRequested;
            Kill(process);
            if (!timedOut)
            {
                throw;
            }
        }

        // Let the output readers drain (bounded: a grandchild holding the pipe must not hang us).
        using (var drain = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            try
            {
                await process.WaitForExitAsync(drain.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Kill(process);
            }
        }

        sw.Stop();
        return new CommandResult(timedOut ? -1 : process.ExitCode, stdout.ToString(), stderr.ToString(), timedOut, sw.Elapsed);
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private sealed class BoundedText(int limit)
    {
        private readonly StringBuilder _text = new();
        private readonly Lock _gate = new();
        private long _dropped;

        public void AppendLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_gate)
            {
                if (_text.Length + line.Length + 1 <= limit)
                {
                    _text.Append(line).Append('\n');
                }
                else
                {
                    _dropped += line.Length + 1;
                }
            }
        }

        public override string ToString()
        {
            lock (_gate)
            {
                return _dropped == 0 ? _text.ToString() : $"{_text}[{_dropped} more characters not kept]\n";
            }
        }
    }
}
