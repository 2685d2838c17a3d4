using System.Diagnostics;
using System.Text;

namespace Tend.Cli.Tests;

/// <summary>
/// Runs <c>tend</c> as a real process, the way an operator does: the NativeAOT binary that
/// <c>./test.sh</c> publishes (<c>TEND_BIN</c>), so a path that works under the JIT but not in the
/// shipped binary fails a test. Without <c>TEND_BIN</c> a developer's <c>dotnet test</c> runs the JIT
/// build beside the tests; in CI (<c>CI=true</c>) a missing <c>TEND_BIN</c> is an error.
/// </summary>
internal sealed class TendProcess : IAsyncDisposable
{
    /// <summary>The command that starts tend: the file and the arguments before tend's own.</summary>
    public static (string File, string[] Prefix) Command { get; } = ResolveCommand(Environment.GetEnvironmentVariable, AppContext.BaseDirectory);

    /// <summary>The tend executable itself (for a test that must start it under another name): TEND_BIN, else the JIT build's apphost.</summary>
    public static string Executable => Command.Prefix.Length == 0 ? Command.File : Path.Combine(AppContext.BaseDirectory, "tend");

    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Lock _gate = new();

    private TendProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
        _process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public static string RepoRoot { get; } = FindRepoRoot();

    public int Id => _process.Id;

    public string StdOut
    {
        get
        {
            lock (_gate)
            {
                return _stdout.ToString();
            }
        }
    }

    public string StdErr
    {
        get
        {
            lock (_gate)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>
    /// GETs <paramref name="path"/>, retrying while nothing listens yet: the HTTP listener starts beside the modules,
    /// so what a test waits for (a render, a hook) can come before it listens. Fails with the process's log after 30 s.
    /// </summary>
    public async Task<string> GetWhenListeningAsync(HttpClient http, string path)
    {
        ArgumentNullException.ThrowIfNull(http);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                return await http.GetStringAsync(new Uri(path, UriKind.Relative));
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                // Not listening yet.
                await Task.Delay(100);
            }
            catch (HttpRequestException ex)
            {
                throw new TimeoutException($"tend never answered {path}: {ex.Message}\n{StdErr}", ex);
            }
        }
    }

    public static TendProcess Start(params string[] args) => Start(ignoreHup: false, args);

    /// <summary>Starts tend the way <c>nohup</c> or a parent's <c>trap "" HUP</c> would: with SIGHUP inherited ignored.</summary>
    public static TendProcess StartWithHupIgnored(params string[] args) => Start(ignoreHup: true, args);

    /// <summary>Starts tend with <paramref name="environment"/> added to this process's environment (e.g. NOTIFY_SOCKET).</summary>
    public static TendProcess StartWithEnvironment(IReadOnlyDictionary<string, string> environment, params string[] args) => Start(ignoreHup: false, args, environment);

    private static TendProcess Start(bool ignoreHup, string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        // A runner started from a non-interactive shell's background job inherits SIGINT ignored, and .NET
        // keeps an ignored SIGINT ignored (as nohup expects); `env --default-signal` gives tend the
        // disposition an operator's terminal gives it, so Ctrl-C tests do not depend on how CI was launched.
        var psi = new ProcessStartInfo("env")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = RepoRoot,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[name] = value;
        }

        if (ignoreHup)
        {
            // sh sets SIGHUP to "ignore" and execs env, which keeps that disposition for tend.
            psi.FileName = "sh";
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add("trap '' HUP; exec env \"$@\"");
            psi.ArgumentList.Add("sh");
        }

        psi.ArgumentList.Add("--default-signal=INT");
        psi.ArgumentList.Add(Command.File);
        foreach (var a in Command.Prefix)
        {
            psi.ArgumentList.Add(a);
        }
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        return new TendProcess(Process.Start(psi)!);
    }

    /// <summary>Runs to completion; returns exit code, stdout, stderr.</summary>
    public static async Task<(int Code, string Out, string Err)> RunAsync(string? stdin, params string[] args)
    {
        await using var p = Start(args);
        if (stdin is not null)
        {
            await p._process.StandardInput.WriteAsync(stdin);
        }

        p._process.StandardInput.Close();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await p._process.WaitForExitAsync(cts.Token);
        p._process.WaitForExit();
        return (p._process.ExitCode, p.StdOut, p.StdErr);
    }

    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public async Task WaitForOutputAsync(Func<TendProcess, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition(this))
        {
            if (DateTime.UtcNow > deadline || _process.HasExited)
            {
                throw new TimeoutException($"Condition not met.\nstdout:\n{StdOut}\nstderr:\n{StdErr}");
            }

            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(StringBuilder sb, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            sb.Append(line).Append('\n');
        }
    }

    /// <summary>TEND_BIN when set (it must be an executable file), else the JIT build in <paramref name="baseDirectory"/> unless CI is set.</summary>
    internal static (string File, string[] Prefix) ResolveCommand(Func<string, string?> environment, string baseDirectory)
    {
        var bin = environment("TEND_BIN");
        if (!string.IsNullOrEmpty(bin))
        {
            var full = Path.GetFullPath(bin);
            if (!File.Exists(full) || (File.GetUnixFileMode(full) & UnixFileMode.UserExecute) == 0)
            {
                throw new InvalidOperationException($"TEND_BIN={bin} is not an executable file; ./test.sh publishes it to artifacts/tend-aot/tend");
            }

            return (full, []);
        }

        if (string.Equals(environment("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException("TEND_BIN is not set: CI runs the CLI tests against the published NativeAOT binary; run them through ./test.sh");
        }

        return ("dotnet", [Path.Combine(baseDirectory, "tend.dll")]);
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Tend.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Tend.slnx not found above the test directory.");
    }
}
