using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Tend.Core.Processes;
using Tend.Modules.Render.Config;

namespace Tend.Modules.Render;

/// <summary>
/// A reconfig ERB template (<c>source</c> ending in <c>.erb</c>), rendered by Ruby's own ERB in a
/// subprocess: no re-implementation of Ruby. The program below is passed with <c>ruby -e</c>; it reads
/// the template text (as read when the configuration was loaded), its path and the data as JSON on
/// stdin, builds the ERB object as reconfig did (<c>%</c> trim mode, <c>@reconfigdata</c> a Hash from
/// each full key to its value) and writes the result to stdout byte for byte. The render's time limit
/// kills the process; its output limit bounds what is read back. An error names the template file and line.
/// </summary>
internal sealed class ErbTemplate(string path, string text) : IResourceTemplate
{
    // The Ruby side: one error line "path:line: Class: message" on stderr and exit 1 on any failure
    // (a syntax error in the template, an exception while rendering).
    internal const string Program = """
        require 'erb'
        require 'json'
        Encoding.default_external = Encoding::UTF_8
        input = JSON.parse($stdin.read)
        path = input.fetch('path')
        begin
          erb = ERB.new(input.fetch('template'), trim_mode: '%')
          erb.filename = path
          scope = Object.new
          scope.instance_variable_set(:@reconfigdata, input.fetch('data'))
          out = erb.result(scope.instance_eval { binding })
          $stdout.binmode
          $stdout.write(out)
          $stdout.flush
        rescue ScriptError, StandardError => e
          where = (e.backtrace || []).find { |l| l.start_with?(path + ':') }
          line = where && where[path.length + 1..][/\A\d+/]
          msg = e.message.to_s.sub(/\A#{Regexp.escape(path)}:(\d+): ?/) { line ||= $1; '' }
          $stderr.write("#{path}:#{line || 0}: #{e.class}: #{msg.lines.first.to_s.strip}\n")
          exit 1
        end
        """;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>The Ruby interpreter: found on the PATH every command gets, or null.</summary>
    internal static string? FindRuby() =>
        ShellCommandRunner.DefaultPath.Split(':').Select(d => Path.Combine(d, "ruby")).FirstOrDefault(File.Exists);

    public string Render(RenderInput input, RenderLimits limits, CancellationToken cancellationToken = default)
    {
        using var buffer = new MemoryStream();
        Render(input, buffer, limits, cancellationToken);
        return Utf8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    public void Render(RenderInput input, Stream output, RenderLimits limits, CancellationToken cancellationToken = default) =>
        // The render pipeline is synchronous (the Go engine is CPU-bound); it already runs off the
        // scheduling loop, one pass per slot, so waiting for Ruby here holds one slot, as a slow Go template would.
        RenderAsync(input, output, limits, cancellationToken).GetAwaiter().GetResult();

    private async Task RenderAsync(RenderInput input, Stream output, RenderLimits limits, CancellationToken cancellationToken)
    {
        var ruby = FindRuby() ?? throw new RenderFailedException($"{path}: an ERB template needs Ruby (the Debian package ruby); no ruby in {ShellCommandRunner.DefaultPath}");
        var psi = new ProcessStartInfo(ruby)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        psi.ArgumentList.Add("-e");
        psi.ArgumentList.Add(Program);
        psi.Environment.Clear();
        psi.Environment["PATH"] = ShellCommandRunner.DefaultPath;
        psi.Environment["HOME"] = Environment.GetEnvironmentVariable("HOME") ?? "/";
        psi.Environment["LANG"] = "C.UTF-8";

        using var process = new Process { StartInfo = psi };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new RenderFailedException($"{path}: cannot start {ruby}: {ex.Message}", ex);
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(limits.Timeout);
        var start = output.Position;
        var stdin = WriteInputAsync(process.StandardInput.BaseStream, input, limit.Token);
        var stdout = CopyBoundedAsync(process.StandardOutput.BaseStream, output, limits.MaxOutput, limit.Token);
        var stderr = process.StandardError.ReadToEndAsync(limit.Token);
        try
        {
            await Task.WhenAll(stdin, stdout, stderr, process.WaitForExitAsync(limit.Token)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or OutputLimitException)
        {
            Kill(process);
            cancellationToken.ThrowIfCancellationRequested();
            output.SetLength(start);
            if (ex is OutputLimitException)
            {
                throw new RenderFailedException($"template {path}: output exceeds the limit of {RenderLimits.FormatSize(limits.MaxOutput)}");
            }

            if (limit.IsCancellationRequested)
            {
                throw new RenderFailedException($"template {path}: ERB render exceeded the time limit of {limits.Timeout.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)}s");
            }

            throw new RenderFailedException($"template {path}: the Ruby process failed: {ex.Message}", ex);
        }

        if (process.ExitCode != 0)
        {
            output.SetLength(start);
            var error = (await stderr.ConfigureAwait(false)).Trim();
            throw new RenderFailedException(error.Length > 0 ? $"template {error}" : $"template {path}: ruby exited with {process.ExitCode}");
        }
    }

    private async Task WriteInputAsync(Stream stdin, RenderInput input, CancellationToken cancellationToken)
    {
        try
        {
            using (var json = new Utf8JsonWriter(stdin))
            {
                json.WriteStartObject();
                json.WriteString("path", path);
                json.WriteString("template", text);
                json.WriteStartObject("data");
                if (input.Dot is IEnumerable<KeyValuePair<string, object?>> map)
                {
                    foreach (var (key, value) in map)
                    {
                        json.WriteString(key, value?.ToString());
                    }
                }

                json.WriteEndObject();
                json.WriteEndObject();
                await json.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await stdin.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task CopyBoundedAsync(Stream from, Stream to, long max, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = await from.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += n;
            if (total > max)
            {
                throw new OutputLimitException();
            }

            await to.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
        }
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

    private sealed class OutputLimitException : Exception;
}
