using System.Collections;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tend.Core.Config;
using Tend.Core.Processes;
using Tend.Modules.Hooks;
using Tend.Modules.Render.Config;

namespace Tend.Modules.Render;

/// <summary>
/// consul-template's exec mode: supervises one child. It starts once every template has rendered, gets the
/// reload signal (or is restarted, when none is set) after a random splay whenever a render replaced a file,
/// receives SIGTERM and SIGINT as Tend does, and <see cref="Exited"/> completes with its exit status
/// (128 + the signal when a signal ended it) when it ends other than by a restart.
/// </summary>
public sealed partial class ExecSupervisor : IAsyncDisposable
{
    private readonly RenderExecOptions _options;
    private readonly ILogger _logger;
    private readonly Func<TimeSpan, TimeSpan> _splay;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<PosixSignalRegistration> _forwarding = [];
    private readonly int _reloadSignal;
    private readonly int _killSignal;
    private RenderModule? _module;
    private Process? _child;
    private Process? _replaced;
    private bool _signalled;
    private int _pendingReloads;

    /// <summary>Creates the supervisor; nothing starts before a render module is attached and has rendered.</summary>
    /// <param name="options">The exec settings.</param>
    /// <param name="loggers">Logging.</param>
    /// <param name="splay">Picks the delay before a reload from the configured splay (default: uniformly random below it).</param>
    public ExecSupervisor(RenderExecOptions options, ILoggerFactory? loggers = null, Func<TimeSpan, TimeSpan>? splay = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = (loggers ?? NullLoggerFactory.Instance).CreateLogger<ExecSupervisor>();
        _splay = splay ?? (max => max <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromTicks(Random.Shared.NextInt64(max.Ticks)));
        _reloadSignal = options.ReloadSignal is { } reload ? Parse(reload, "reload_signal") : 0;
        _killSignal = Parse(options.KillSignal, "kill_signal");

        // SIGTERM and SIGINT reach the child as they reach Tend; Tend's own shutdown then waits for it.
        foreach (var (signal, number) in new[] { (PosixSignal.SIGTERM, 15), (PosixSignal.SIGINT, 2) })
        {
            _forwarding.Add(PosixSignalRegistration.Create(signal, _ => Forward(number)));
        }
    }

    /// <summary>Completes with the child's exit status when it ends by itself or after a stop signal.</summary>
    public Task<int> Exited => _exited.Task;

    /// <summary>The child's process id, or 0 when none runs.</summary>
    public int ChildPid => _child is { HasExited: false } c ? c.Id : 0;

    /// <summary>Follows <paramref name="module"/>'s renders (the module of the configuration in force; a reload attaches the new one).</summary>
    public void Attach(RenderModule? module)
    {
        if (_module is not null)
        {
            _module.Rendered -= OnRendered;
        }

        _module = module;
        if (module is not null)
        {
            module.Rendered += OnRendered;
            OnRendered(false);
        }
    }

    /// <summary>Sends <paramref name="signal"/> to the child, when one runs.</summary>
    public void Forward(int signal)
    {
        if (_child is { HasExited: false } child)
        {
            _signalled = true;
            HooksNativeMethods.Kill(child.Id, signal);
        }
    }

    /// <summary>Stops the child (kill signal, then SIGKILL after the kill timeout) and releases the signal handlers.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var r in _forwarding)
        {
            r.Dispose();
        }

        Attach(null);
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_child is { } child)
            {
                await StopChildAsync(child, alreadySignalled: _signalled).ConfigureAwait(false);
                _exited.TrySetResult(child.ExitCode);
            }
        }
        finally
        {
            _gate.Release();
        }

        _stopping.Dispose();
    }

    private void OnRendered(bool written)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        if (_child is null)
        {
            if (_module?.AllRenderedOnce == true)
            {
                _ = Task.Run(StartFirstAsync);
            }

            return;
        }

        if (written && Interlocked.Increment(ref _pendingReloads) == 1)
        {
            _ = Task.Run(ReloadAsync);
        }
    }

    private async Task StartFirstAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_child is null && !_stopping.IsCancellationRequested)
            {
                Start();
            }
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            Log.StartFailed(_logger, _options.Command[0], ex.Message);
            _exited.TrySetResult(127);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task ReloadAsync()
    {
        try
        {
            var delay = _splay(_options.Splay);
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, _stopping.Token).ConfigureAwait(false);
            }

            // Renders during the splay are covered by this one signal.
            Interlocked.Exchange(ref _pendingReloads, 0);
            await _gate.WaitAsync(_stopping.Token).ConfigureAwait(false);
            try
            {
                if (_child is not { HasExited: false } child)
                {
                    return;
                }

                if (_reloadSignal != 0)
                {
                    HooksNativeMethods.Kill(child.Id, _reloadSignal);
                    Log.Signalled(_logger, child.Id, _options.ReloadSignal!);
                    return;
                }

                // No reload signal: the child is replaced, and its exit is not Tend's.
                _replaced = child;
                await StopChildAsync(child, alreadySignalled: false).ConfigureAwait(false);
                Start();
            }
            finally
            {
                _gate.Release();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            Log.StartFailed(_logger, _options.Command[0], ex.Message);
            _exited.TrySetResult(127);
        }
    }

    private void Start()
    {
        var psi = new ProcessStartInfo(_options.Command[0]) { UseShellExecute = false };
        foreach (var arg in _options.Command.Skip(1))
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment.Clear();
        foreach (var (name, value) in Environment(_options, System.Environment.GetEnvironmentVariables()))
        {
            psi.Environment[name] = value;
        }

        var child = new Process { StartInfo = psi, EnableRaisingEvents = true };
        child.Start();
        _child = child;
        Log.Started(_logger, child.Id, string.Join(' ', _options.Command));
        _ = WatchAsync(child);
    }

    private async Task WatchAsync(Process child)
    {
        await child.WaitForExitAsync().ConfigureAwait(false);
        int status = child.ExitCode;
        if (ReferenceEquals(child, _replaced))
        {
            return;
        }

        Log.Exited(_logger, child.Id, status);
        _exited.TrySetResult(status);
    }

    private async Task StopChildAsync(Process child, bool alreadySignalled)
    {
        if (!child.HasExited && !alreadySignalled)
        {
            HooksNativeMethods.Kill(child.Id, _killSignal);
        }

        using var timeout = new CancellationTokenSource(_options.KillTimeout);
        try
        {
            await child.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Log.Killed(_logger, child.Id, _options.KillTimeout.TotalSeconds);
            HooksNativeMethods.Kill(child.Id, SignalNames.SigKill);
            await child.WaitForExitAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The child's environment: Tend's own unless pristine, filtered by the allowlist (when set) and the denylist
    /// (<c>*</c> wildcards), then the custom <c>NAME=value</c> entries.
    /// </summary>
    internal static List<(string Name, string Value)> Environment(RenderExecOptions options, IDictionary inherited)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!options.Pristine)
        {
            foreach (DictionaryEntry e in inherited)
            {
                var name = (string)e.Key;
                if ((options.Allowlist.Count == 0 || options.Allowlist.Any(p => Matches(p, name))) && !options.Denylist.Any(p => Matches(p, name)))
                {
                    result[name] = (string?)e.Value ?? string.Empty;
                }
            }
        }

        foreach (var custom in options.Custom)
        {
            int eq = custom.IndexOf('=', StringComparison.Ordinal);
            result[custom[..eq]] = custom[(eq + 1)..];
        }

        return [.. result.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value))];
    }

    private static bool Matches(string pattern, string name) =>
        Regex.IsMatch(name, "^" + Regex.Escape(pattern).Replace(@"\*", ".*", StringComparison.Ordinal) + "$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private static int Parse(string name, string what) =>
        SignalNames.TryParse(name, out var n) ? n : throw new ConfigException($"exec {what}: unknown signal \"{name}\" ({SignalNames.Known})");

    private static partial class Log
    {
        [LoggerMessage(EventId = 520, Level = LogLevel.Information, Message = "exec: started {Command} as process {Pid}")]
        public static partial void Started(ILogger logger, int pid, string command);

        [LoggerMessage(EventId = 521, Level = LogLevel.Information, Message = "exec: sent {Signal} to process {Pid} after a render")]
        public static partial void Signalled(ILogger logger, int pid, string signal);

        [LoggerMessage(EventId = 522, Level = LogLevel.Information, Message = "exec: process {Pid} exited with status {Status}")]
        public static partial void Exited(ILogger logger, int pid, int status);

        [LoggerMessage(EventId = 523, Level = LogLevel.Warning, Message = "exec: process {Pid} did not exit within {Seconds:0} s of its kill signal; sending SIGKILL")]
        public static partial void Killed(ILogger logger, int pid, double seconds);

        [LoggerMessage(EventId = 524, Level = LogLevel.Error, Message = "exec: cannot start {Program}: {Reason}")]
        public static partial void StartFailed(ILogger logger, string program, string reason);
    }
}
